package org.foobarstack.fastcgi.client;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import org.foobarstack.fastcgi.EndRequestBody;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One request in flight to the responder. The caller feeds the body through {@link #writeStdin} and
 * {@link #endStdin}, possibly before a connection is ready (the bytes wait here), and may {@link #abort}.
 * All methods must be called on the event loop the call was sent on.
 */
public final class FastCgiCall {

    private enum State { QUEUED, ACTIVE, DONE }

    private final Map<String, String> params;
    private final FastCgiResponseListener listener;
    private final FastCgiClientConfig config;
    private final FastCgiRecordObserver observer;
    private final ArrayDeque<ByteBuf> pendingStdin = new ArrayDeque<>();
    private boolean stdinEnded;
    private State state = State.QUEUED;
    private FastCgiConnection connection;
    private int requestId;
    private ConnectionPool pool;
    private ScheduledFuture<?> timer;
    private Runnable stdinWritable;

    FastCgiCall(Map<String, String> params, FastCgiResponseListener listener, FastCgiClientConfig config,
                FastCgiRecordObserver observer) {
        this.params = params;
        this.listener = listener;
        this.config = config;
        this.observer = observer;
    }

    FastCgiRecordObserver observer() {
        return observer;
    }

    Map<String, String> params() {
        return params;
    }

    int requestId() {
        return requestId;
    }

    /** Body bytes for STDIN; ownership passes to the call. */
    public void writeStdin(ByteBuf data) {
        if (state == State.DONE || stdinEnded || !data.isReadable()) {
            data.release();
            return;
        }
        if (state == State.QUEUED) {
            pendingStdin.add(data);
        } else {
            connection.writeStdin(requestId, data);
        }
    }

    /** The body is complete: the empty STDIN record follows. */
    public void endStdin() {
        if (stdinEnded) {
            return;
        }
        stdinEnded = true;
        if (state == State.ACTIVE) {
            connection.endStdin(requestId);
        }
    }

    /** The caller lost interest (the HTTP client went away): stop the request on the responder. */
    public void abort() {
        if (state == State.DONE) {
            return;
        }
        State was = state;
        finish();
        if (was == State.QUEUED && pool != null) {
            pool.cancel(this);
        } else if (was == State.ACTIVE) {
            connection.abort(this);
        }
    }

    /** Stops reading the responder's answer until {@link #resumeResponse()}: the HTTP client is slower. */
    public void pauseResponse() {
        if (state == State.ACTIVE) {
            connection.pause(this);
        }
    }

    public void resumeResponse() {
        if (state == State.ACTIVE) {
            connection.resume(this);
        }
    }

    /**
     * False while the connection's send buffer is full: a caller streaming a body should stop feeding
     * {@link #writeStdin} until {@link #onStdinWritable} calls back. A call still waiting for a connection counts
     * as writable; what it is given waits in memory, within the web tier's body limit.
     */
    public boolean isStdinWritable() {
        return state != State.ACTIVE || connection.isWritable();
    }

    /** Called, on the event loop, each time the connection can take more STDIN after being full. */
    public void onStdinWritable(Runnable callback) {
        this.stdinWritable = callback;
    }

    void stdinWritable() {
        if (stdinWritable != null && state == State.ACTIVE) {
            stdinWritable.run();
        }
    }

    public boolean isDone() {
        return state == State.DONE;
    }

    // ------------------------------------------------------------------ called by pool and connection

    void queued(ConnectionPool owner) {
        this.pool = owner;
        armTimer();
    }

    /** A slot is ours: send what has accumulated. */
    void attach(FastCgiConnection conn, int id) {
        this.connection = conn;
        this.requestId = id;
        this.state = State.ACTIVE;
        while (!pendingStdin.isEmpty()) {
            conn.writeStdin(id, pendingStdin.poll());
        }
        if (stdinEnded) {
            conn.endStdin(id);
        }
        armTimer();
    }

    void stdout(ByteBuf data) {
        if (state == State.DONE) {
            data.release();
            return;
        }
        armTimer();
        listener.onStdout(data);
    }

    void stderr(ByteBuf data) {
        if (state == State.DONE) {
            data.release();
            return;
        }
        armTimer();
        listener.onStderr(data);
    }

    void ended(EndRequestBody end) {
        if (state == State.DONE) {
            return;
        }
        finish();
        listener.onEnd(end);
    }

    void fail(FastCgiClientException error) {
        if (state == State.DONE) {
            return;
        }
        finish();
        listener.onError(error);
    }

    private void finish() {
        state = State.DONE;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        while (!pendingStdin.isEmpty()) {
            pendingStdin.poll().release();
        }
    }

    /** (Re)starts the silence clock: any record from the responder, or the start, resets it. */
    private void armTimer() {
        if (pool == null) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timer = pool.loop().schedule(this::timedOut, config.responseTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void timedOut() {
        timer = null;
        if (state == State.DONE) {
            return;
        }
        State was = state;
        fail(new FastCgiClientException(FastCgiClientException.Kind.TIMEOUT,
                "the app tier sent nothing for " + config.responseTimeout().toMillis() + " ms"));
        if (was == State.QUEUED) {
            pool.cancel(this);
        } else {
            connection.abort(this);
        }
    }
}
