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
 * A phase change only moves a deadline; one timer per connection checks the deadline when it fires and re-arms
 * itself for whatever time is left. Scheduling and cancelling a timer for every request would cost more than the
 * request itself on a busy keep-alive connection.
 */
public final class RequestTimeouts extends ChannelInboundHandlerAdapter {

    private enum Phase { WAITING_FOR_REQUEST, READING_HEAD, READING_BODY, BUSY }

    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;

    private ChannelHandlerContext ctx;
    private Phase phase = Phase.WAITING_FOR_REQUEST;
    /** What fires at the deadline, and when (System.nanoTime()); NO_DEADLINE while BUSY. */
    private ConnectionEvent event = ConnectionEvent.HEADER_TIMEOUT;
    private long deadline = NO_DEADLINE;
    private ScheduledFuture<?> timer;
    private long timerDue;

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
        setDeadline(ConnectionEvent.HEADER_TIMEOUT, headerTimeoutNanos);
        super.channelActive(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) throws Exception {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            if (phase == Phase.WAITING_FOR_REQUEST) {
                phase = Phase.READING_HEAD;
                if (event == ConnectionEvent.IDLE_TIMEOUT) {
                    setDeadline(ConnectionEvent.HEADER_TIMEOUT, headerTimeoutNanos);
                }
            } else if (phase == Phase.READING_BODY) {
                setDeadline(ConnectionEvent.BODY_TIMEOUT, idleTimeoutNanos);
            }
        }
        super.channelRead(context, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        super.channelInactive(context);
    }

    /** A whole header section arrived. */
    public void headReceived(boolean bodyFollows) {
        if (bodyFollows) {
            phase = Phase.READING_BODY;
            setDeadline(ConnectionEvent.BODY_TIMEOUT, idleTimeoutNanos);
        } else {
            phase = Phase.BUSY;
            deadline = NO_DEADLINE;
        }
    }

    /** The last byte of the request body arrived. */
    public void bodyComplete() {
        if (phase == Phase.READING_BODY) {
            phase = Phase.BUSY;
            deadline = NO_DEADLINE;
        }
    }

    /** The response was sent and the connection stays open: wait for the next request. */
    public void awaitNextRequest() {
        phase = Phase.WAITING_FOR_REQUEST;
        setDeadline(ConnectionEvent.IDLE_TIMEOUT, idleTimeoutNanos);
    }

    private void setDeadline(ConnectionEvent what, long inNanos) {
        event = what;
        deadline = System.nanoTime() + inNanos;
        // only an earlier deadline needs the timer moved; a later one is handled when the timer fires
        if (timer == null || deadline < timerDue) {
            arm(inNanos);
        }
    }

    private void arm(long inNanos) {
        if (timer != null) {
            timer.cancel(false);
        }
        timerDue = System.nanoTime() + inNanos;
        timer = ctx.executor().schedule(this::fire, inNanos, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        if (!ctx.channel().isActive() || deadline == NO_DEADLINE) {
            if (ctx.channel().isActive()) {
                arm(idleTimeoutNanos);
            }
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            arm(left);
            return;
        }
        deadline = NO_DEADLINE;
        ctx.fireUserEventTriggered(event);
    }
}
