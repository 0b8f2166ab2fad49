package org.foobarstack.http.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Caps the number of open connections of one server, and decides who goes when the cap is reached.
 *
 * <p>When a connection arrives at a full server:
 * <ol>
 *   <li>the connection that has been open longest <em>without sending a single byte</em> is closed to make room
 *       (shed), and the new one is served. A flood of connections that connect and say nothing (the cheapest
 *       attack there is) thus only ever pushes out its own older connections: a client that sends its request
 *       as soon as it is connected, as browsers and curl do, is never silent for longer than a round trip, and
 *       is served. nginx does the same and more: out of free connections, it closes "reusable" ones, those
 *       waiting for their first request and kept-alive idle ones ({@code ngx_drain_connections}). This server
 *       sheds only the never-spoke kind: a kept-alive connection belongs to a client that has shown it speaks
 *       HTTP, and it is closed by the keep-alive timeout anyway;</li>
 *   <li>if every connection has sent something (a request in progress, a kept-alive connection, or a slow
 *       client dribbling its header section), the new connection is refused: a short 503 with Retry-After
 *       (RFC 9110 §15.6.4, §10.2.3), then close, so that the client knows it was refused and why rather than
 *       seeing a reset. Dribbling connections do not last: the header section must be complete within the header
 *       timeout ({@link RequestTimeouts}), so the server has room again at most that long after.</li>
 * </ol>
 * A shed connection gets the same 503 and close (nothing, over TLS before its handshake is done: it would not be
 * readable). Over TLS a connection is silent until its first decrypted byte, so a client still in its handshake can
 * be shed; it costs such a client a retry, where the alternative, refusing newcomers, costs every client. Counted: refused ones in {@code foobar_http_rejected_requests_total{violation="TOO_MANY_CONNECTIONS"}},
 * shed ones in {@code foobar_http_connections_shed_total}.
 *
 * <p>Threads: the connection's phase is an atomic reference, because the decision to shed is taken on the event
 * loop of the newcomer while the silent connection may be reading its first byte on another: whichever of
 * "spoke" and "shed" comes first wins, so a connection that has begun a request is never shed.
 */
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    /** Where the connection stands, as far as the cap is concerned. */
    private enum Phase {
        /** Counted and served; not a byte received yet: may be shed. */
        SILENT,
        /** Counted and served; has sent something: never shed. */
        SPOKE,
        /** Claimed for shedding: it gets 503 and is closed, what it sends is dropped. */
        SHED,
        /** Over the cap at its arrival: 503 and close; the rest of the pipeline never saw it. */
        REFUSED
    }

    private static final long NOT_SILENT = -1;

    private final ServerContext server;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.SPOKE);
    private ChannelHandlerContext ctx;
    private boolean counted;
    /** The key in {@link SilentConnections} while the connection is silent. Event-loop only. */
    private long silentKey = NOT_SILENT;

    public ConnectionLimiter(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        counted = true;
        int open = server.openConnections().incrementAndGet();
        int max = server.config().limits().maxConnections();
        if (open > max) {
            ConnectionLimiter oldestSilent = server.silentConnections().claimOldest();
            if (oldestSilent == null) {
                phase.set(Phase.REFUSED);
                server.httpMetrics().rejected("TOO_MANY_CONNECTIONS");
                server.rateLimitedLog().warn("refusing a connection from {}: {} open, limit {}, none of them silent",
                        context.channel().remoteAddress(), open - 1, max);
                refuse(context, "this server already has " + max
                        + " open connections (its limit). Try again shortly.");
                return;
            }
            // the room it leaves is this connection's; the count drops when it has closed
            oldestSilent.ctx.executor().execute(oldestSilent::shed);
        }
        phase.set(Phase.SILENT);
        silentKey = server.silentConnections().add(this);
        super.channelActive(context);
    }

    /** Called by {@link SilentConnections} on the newcomer's thread: true when this connection is still silent. */
    boolean claimForShedding() {
        return phase.compareAndSet(Phase.SILENT, Phase.SHED);
    }

    /** On this connection's event loop, once it was claimed: 503 and close. */
    private void shed() {
        if (!ctx.channel().isActive()) {
            return;
        }
        server.httpMetrics().connectionShed();
        server.rateLimitedLog().info("closing {}: silent since it was accepted, and the server is at its limit of {} "
                + "connections", ctx.channel().remoteAddress(), server.config().limits().maxConnections());
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls != null && !tls.handshakeFuture().isSuccess()) {
            ctx.close();
            return;
        }
        refuse(ctx, "this server is at its limit of "
                + server.config().limits().maxConnections() + " open connections and closed this one, which had not "
                + "sent a request. Try again.");
    }

    private void refuse(ChannelHandlerContext context, String why) {
        String body = "503 Service Unavailable: " + why + "\n";
        String response = "HTTP/1.1 503 Service Unavailable\r\n"
                + "Date: " + server.date() + "\r\n"
                + "Server: " + server.serverHeader() + "\r\n"
                + "Retry-After: 1\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + "Connection: close\r\n\r\n" + body;
        context.writeAndFlush(Unpooled.copiedBuffer(response, StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) throws Exception {
        Phase now = phase.get();
        if (now == Phase.SILENT && phase.compareAndSet(Phase.SILENT, Phase.SPOKE)) {
            server.silentConnections().remove(silentKey);
            silentKey = NOT_SILENT;
            now = Phase.SPOKE;
        }
        if (now != Phase.SPOKE) {
            ReferenceCountUtil.release(msg); // refused or being shed: what it sends is not read
            return;
        }
        super.channelRead(context, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        if (silentKey != NOT_SILENT) {
            server.silentConnections().remove(silentKey);
            silentKey = NOT_SILENT;
        }
        if (counted) {
            counted = false;
            server.openConnections().decrementAndGet();
        }
        if (phase.get() != Phase.REFUSED) {
            super.channelInactive(context);
        }
    }
}
