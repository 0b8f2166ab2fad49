package org.foobarstack.app.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import org.foobarstack.trace.TraceContext;

import java.util.Map;

/**
 * One request being assembled on one connection, from BEGIN_REQUEST until END_REQUEST is sent.
 *
 * <p>Lifecycle, one {@link State} per step:
 * <ol>
 *   <li>{@link State#PARAMS}: BEGIN_REQUEST arrived; PARAMS records are collected until the empty one
 *       (FastCGI §5.2), then the name-value pairs are decoded.</li>
 *   <li>{@link State#STDIN}: STDIN records are collected until the empty one (§5.3).</li>
 *   <li>{@link State#RUNNING}: the application runs on a worker thread; any further record for this id is
 *       a protocol error, except ABORT_REQUEST.</li>
 * </ol>
 * A request refused on the way (431, 413, 503 for the buffer budget) stays in PARAMS or STDIN, but
 * {@link #rejected()}: its remaining bytes are read and dropped, and the refusal is sent when STDIN ends.
 * When END_REQUEST is sent the request leaves its connection's table and its id becomes inactive: records that
 * still arrive for it are ignored (§3.3).
 *
 * <p>Touched only by its connection's event-loop thread, so it needs no locks.
 */
final class ResponderRequest {

    enum State { PARAMS, STDIN, RUNNING }

    private final int id;
    private final boolean keepConnection;
    private final CompositeByteBuf params;
    private final CompositeByteBuf stdin;
    private State state = State.PARAMS;
    private Map<String, String> decodedParams;
    private ScheduledFuture<?> timeout;
    /** Bytes of the server-wide budget this request holds (see {@link ResponderContext#reserveBuffer}). */
    private long reserved;
    private int rejectionStatus;
    private String rejectionMessage;
    /** System.nanoTime() when BEGIN_REQUEST arrived: the start of the request's duration. */
    private long begunNanos;
    /** The trace this request belongs to: known once PARAMS has ended (it travels in HTTP_TRACEPARENT). */
    private TraceContext trace;
    /**
     * The route name for metrics: set by the worker before the application runs (the event loop reads it after the
     * worker's answer is handed over), or when the request is answered without the application.
     */
    private volatile String route;
    /** What {@link ResponderTrace} gathers for this request's hops; null while tracing is off. */
    private ResponderTrace.RequestHops hops;
    /** The faults this request may meet; null (almost always) when the server's plan was empty at BEGIN_REQUEST. */
    private RequestFaults faults;

    ResponderRequest(int id, boolean keepConnection, CompositeByteBuf params, CompositeByteBuf stdin) {
        this.id = id;
        this.keepConnection = keepConnection;
        this.params = params;
        this.stdin = stdin;
    }

    /**
     * Marks the request as refused with an HTTP status (431, 413). Its streams are still read to their end, but
     * discarded: answering while the web server is still sending would make it see a reset connection
     * instead of the answer.
     */
    void reject(int status, String message) {
        rejectionStatus = status;
        rejectionMessage = message;
        params.release();
        stdin.release();
    }

    boolean rejected() {
        return rejectionStatus != 0;
    }

    int rejectionStatus() {
        return rejectionStatus;
    }

    String rejectionMessage() {
        return rejectionMessage;
    }

    int id() {
        return id;
    }

    long begunNanos() {
        return begunNanos;
    }

    void begunNanos(long nanos) {
        begunNanos = nanos;
    }

    TraceContext trace() {
        return trace;
    }

    /** The trace context, a fresh one if PARAMS never delivered one (aborted, refused, timed out). */
    TraceContext traceOrFresh() {
        if (trace == null) {
            trace = TraceContext.fresh();
        }
        return trace;
    }

    void trace(TraceContext context) {
        trace = context;
    }

    String route() {
        return route;
    }

    RequestFaults faults() {
        return faults;
    }

    void faults(RequestFaults planned) {
        faults = planned;
    }

    void route(String name) {
        route = name;
    }

    /** Non-null while this request's hops are being recorded. */
    ResponderTrace.RequestHops hops() {
        return hops;
    }

    void hops(ResponderTrace.RequestHops value) {
        hops = value;
    }

    boolean keepConnection() {
        return keepConnection;
    }

    State state() {
        return state;
    }

    void state(State next) {
        state = next;
    }

    /**
     * Appends one record's content (retained) and returns the stream's size so far, or -1 when the server-wide
     * buffer budget has no room for it (then nothing is appended).
     */
    int append(RequestStream stream, ResponderContext server, ByteBuf content) {
        if (!reserve(server, content)) {
            return -1;
        }
        CompositeByteBuf buffer = received(stream);
        buffer.addComponent(true, content.retain());
        return buffer.readableBytes();
    }

    private boolean reserve(ResponderContext server, ByteBuf content) {
        if (!server.reserveBuffer(content.readableBytes())) {
            return false;
        }
        reserved += content.readableBytes();
        return true;
    }

    /** Gives the request's share of the budget back. */
    void returnBuffer(ResponderContext server) {
        server.releaseBuffer(reserved);
        reserved = 0;
    }

    /** A stream received so far, records joined (not copied; reader index untouched). */
    CompositeByteBuf received(RequestStream stream) {
        return stream == RequestStream.PARAMS ? params : stdin;
    }

    Map<String, String> params() {
        return decodedParams;
    }

    void params(Map<String, String> decoded) {
        decodedParams = decoded;
    }

    byte[] stdinBytes() {
        byte[] body = new byte[stdin.readableBytes()];
        stdin.getBytes(stdin.readerIndex(), body);
        return body;
    }

    void timeout(ScheduledFuture<?> future) {
        timeout = future;
    }

    /** Frees the buffers and the timer; called exactly once, when the request leaves the connection's table. */
    void release() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (params.refCnt() > 0) {
            params.release();
        }
        if (stdin.refCnt() > 0) {
            stdin.release();
        }
    }

    /** Called when STDIN ends: the timer that guards against streams that never end has done its job. */
    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "request " + id + " (" + state + ")";
    }
}
