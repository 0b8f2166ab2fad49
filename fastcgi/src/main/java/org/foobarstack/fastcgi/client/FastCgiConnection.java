package org.foobarstack.fastcgi.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.fastcgi.EndRequestBody;
import org.foobarstack.fastcgi.FastCgiProtocolException;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordHeader;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One kept-alive connection to the responder, carrying one request at a time, or several with distinct request
 * ids when the responder multiplexes. Reads records and routes them to their call by request id.
 */
final class FastCgiConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(FastCgiConnection.class);
    private static final int MAX_REQUEST_ID = 0xFFFF;

    private final ConnectionPool pool;
    private final int slots;
    private final Map<Integer, FastCgiCall> active = new HashMap<>();
    /** Ids of calls that paused reading ({@link #pause}); the connection reads while this is empty. */
    private final java.util.Set<Integer> pausedBy = new java.util.HashSet<>();
    /** Ids of calls aborted with ABORT_REQUEST whose END_REQUEST has not come yet: not reusable until it does. */
    private final Set<Integer> aborting = new HashSet<>();
    private Channel channel;
    private int lastId;
    private boolean closed;

    FastCgiConnection(ConnectionPool pool, int slots) {
        this.pool = pool;
        this.slots = slots;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    boolean hasFreeSlot() {
        return !closed && channel.isActive() && active.size() + aborting.size() < slots;
    }

    /** Step 4 of {@link FastCgiClient}: BEGIN_REQUEST, PARAMS, then whatever body the call already holds. */
    void start(FastCgiCall call) {
        int id = nextId();
        active.put(id, call);
        FastCgiRecordObserver observer = call.observer();
        FastCgiRecord begin = FastCgiRecords.beginRequest(channel.alloc(), id, Role.RESPONDER, true);
        observer.sending(begin);
        channel.write(begin);
        for (FastCgiRecord record : FastCgiRecords.params(channel.alloc(), id, call.params())) {
            observer.sending(record);
            channel.write(record);
        }
        call.attach(this, id);
        channel.flush();
    }

    private int nextId() {
        // ids 1..65535, the lowest free one after the last used: with one slot, that is always id 1, as in nginx
        for (int i = 0; i < MAX_REQUEST_ID; i++) {
            int id = lastId % MAX_REQUEST_ID + 1;
            lastId = id;
            if (slots == 1) {
                lastId = 0;
            }
            if (!active.containsKey(id) && !aborting.contains(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free request id");
    }

    void writeStdin(int id, ByteBuf data) {
        FastCgiRecordObserver observer = observerOf(id);
        for (FastCgiRecord record : FastCgiRecords.stream(RecordType.STDIN, id, data)) {
            observer.sending(record);
            channel.write(record);
        }
        channel.flush();
    }

    void endStdin(int id) {
        FastCgiRecord end = FastCgiRecord.empty(RecordType.STDIN, id);
        observerOf(id).sending(end);
        channel.writeAndFlush(end);
    }

    private FastCgiRecordObserver observerOf(int id) {
        FastCgiCall call = active.get(id);
        return call == null ? FastCgiRecordObserver.NONE : call.observer();
    }

    /**
     * Stops a call. With one request per connection the surest stop is closing the connection (php-fpm, for
     * one, ignores ABORT_REQUEST mid-request); a multiplexed connection gets ABORT_REQUEST (§5.4) and the id stays
     * reserved until the responder's END_REQUEST for it.
     */
    void abort(FastCgiCall call) {
        int id = call.requestId();
        if (active.remove(id) == null) {
            return;
        }
        if (slots == 1) {
            close();
        } else {
            aborting.add(id);
            channel.writeAndFlush(FastCgiRecord.empty(RecordType.ABORT_REQUEST, id));
            // The aborted call may have paused reading for its slow HTTP client; that pause was its own, and
            // the connection carries other requests, and soon this one's END_REQUEST: read on.
            forgetPause(id);
        }
    }

    boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            for (FastCgiCall call : new java.util.ArrayList<>(active.values())) {
                call.stdinWritable();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * A call whose HTTP client reads slower than the responder answers stops the connection's reading (the
     * responder then feels TCP back-pressure). On a multiplexed connection several calls may ask; reading
     * resumes when none still does, and a call that ends or is aborted no longer asks: otherwise a connection
     * whose last paused call ended with its END_REQUEST already in the buffer would go back to the pool deaf.
     */
    void pause(FastCgiCall call) {
        pausedBy.add(call.requestId());
        channel.config().setAutoRead(false);
    }

    void resume(FastCgiCall call) {
        forgetPause(call.requestId());
    }

    private void forgetPause(int id) {
        if (pausedBy.remove(id) && pausedBy.isEmpty()) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FastCgiRecord record)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int id = record.requestId();
        if (id == RecordHeader.NULL_REQUEST_ID) {
            // a management record on a request connection: nothing we asked for; log and drop it
            log.debug("unexpected management record {} from the app tier", record);
            record.release();
            return;
        }
        FastCgiCall call = active.get(id);
        RecordType type = record.type();
        if (call == null) {
            if (type == RecordType.END_REQUEST && aborting.remove(id)) {
                pool.released();
            }
            record.release();
            return;
        }
        call.observer().received(record);
        if (type == RecordType.STDOUT) {
            if (record.isEndOfStream()) {
                record.release();
            } else {
                call.stdout(record.content());
            }
        } else if (type == RecordType.STDERR) {
            if (record.isEndOfStream()) {
                record.release();
            } else {
                call.stderr(record.content());
            }
        } else if (type == RecordType.END_REQUEST) {
            EndRequestBody end;
            try {
                end = EndRequestBody.read(record.content());
            } catch (FastCgiProtocolException e) {
                record.release();
                protocolError(e.getMessage());
                return;
            }
            record.release();
            active.remove(id);
            forgetPause(id);
            ProtocolStatus status = end.protocolStatus().orElse(null);
            if (status == ProtocolStatus.REQUEST_COMPLETE) {
                call.ended(end);
            } else {
                call.fail(new FastCgiClientException(FastCgiClientException.Kind.REJECTED,
                        "the app tier declined the request: " + (status == null
                                ? "protocolStatus " + end.protocolStatusCode() : status.name())));
            }
            pool.released();
        } else {
            record.release();
            protocolError("a " + RecordType.nameOf(record.typeCode())
                    + " record is not something a responder sends (FastCGI §6.2)");
        }
    }

    private void protocolError(String message) {
        log.warn("app tier at {} broke the protocol: {}", channel.remoteAddress(), message);
        failAll(new FastCgiClientException(FastCgiClientException.Kind.PROTOCOL_ERROR, message));
        close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        failAll(new FastCgiClientException(FastCgiClientException.Kind.CONNECTION_LOST,
                "the app tier closed the connection before the request ended"));
        pool.removed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        protocolError(cause.getMessage());
    }

    private void failAll(FastCgiClientException error) {
        Map<Integer, FastCgiCall> calls = new HashMap<>(active);
        active.clear();
        calls.values().forEach(c -> c.fail(error));
    }

    void close() {
        closed = true;
        channel.close();
    }
}
