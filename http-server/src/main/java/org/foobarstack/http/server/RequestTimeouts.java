package org.foobarstack.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The clocks that keep slow clients from holding connections. It sits in front of the parser, so it sees bytes
 * arrive, and the {@link HttpConnectionHandler} tells it where the connection is in a request:
 *
 * <ol>
 *   <li>WAITING_FOR_REQUEST: between requests. The first request of a connection gets the header timeout from the
 *       moment of accept; later ones get the keep-alive timeout, after which the connection is closed silently
 *       (RFC 9112 §9.5 allows closing an idle connection at any time).</li>
 *   <li>READING_HEAD: bytes of a request arrived; the whole header section must be complete within the header
 *       timeout, or the client gets 408. A client sending one byte every few seconds (slowloris) gets no more time
 *       than one that sends nothing.</li>
 *   <li>READING_BODY: the body must keep flowing; a pause longer than the keep-alive timeout ends the
 *       connection.</li>
 *   <li>BUSY: the server is answering; the client owes nothing, and upstream timeouts apply instead.</li>
 * </ol>
 */
public final class RequestTimeouts extends ChannelInboundHandlerAdapter {

    private enum Phase { WAITING_FOR_REQUEST, READING_HEAD, READING_BODY, BUSY }

    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;

    private ChannelHandlerContext ctx;
    private Phase phase = Phase.WAITING_FOR_REQUEST;
    private ScheduledFuture<?> timer;
    private long lastReadNanos;

    public RequestTimeouts(Duration headerTimeout, Duration idleTimeout) {
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        // the first request: from accept, the client has the header timeout to send its head
        schedule(headerTimeoutNanos, ConnectionEvent.HEADER_TIMEOUT);
        super.channelActive(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            lastReadNanos = System.nanoTime();
            if (phase == Phase.WAITING_FOR_REQUEST) {
                phase = Phase.READING_HEAD;
                if (timer == null || isIdleTimer) {
                    schedule(headerTimeoutNanos, ConnectionEvent.HEADER_TIMEOUT);
                }
            }
        }
        super.channelRead(context, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        cancel();
        super.channelInactive(context);
    }

    /** A whole header section arrived. */
    public void headReceived(boolean bodyFollows) {
        cancel();
        if (bodyFollows) {
            phase = Phase.READING_BODY;
            scheduleBodyCheck(idleTimeoutNanos);
        } else {
            phase = Phase.BUSY;
        }
    }

    /** The last byte of the request body arrived. */
    public void bodyComplete() {
        if (phase == Phase.READING_BODY) {
            cancel();
            phase = Phase.BUSY;
        }
    }

    /** The response was sent and the connection stays open: wait for the next request. */
    public void awaitNextRequest() {
        cancel();
        phase = Phase.WAITING_FOR_REQUEST;
        schedule(idleTimeoutNanos, ConnectionEvent.IDLE_TIMEOUT);
        isIdleTimer = true;
    }

    private boolean isIdleTimer;

    private void schedule(long nanos, ConnectionEvent event) {
        cancel();
        isIdleTimer = false;
        timer = ctx.executor().schedule(() -> {
            timer = null;
            ctx.fireUserEventTriggered(event);
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void scheduleBodyCheck(long nanos) {
        timer = ctx.executor().schedule(() -> {
            timer = null;
            long quiet = System.nanoTime() - lastReadNanos;
            if (phase != Phase.READING_BODY) {
                return;
            }
            if (quiet >= idleTimeoutNanos) {
                ctx.fireUserEventTriggered(ConnectionEvent.BODY_TIMEOUT);
            } else {
                scheduleBodyCheck(idleTimeoutNanos - quiet);
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        isIdleTimer = false;
    }
}
