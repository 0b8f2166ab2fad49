package org.foobarstack.http.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * Caps the number of open connections of one server. A connection over the cap is not silently dropped: it gets a
 * short 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3) and is closed, so that the client knows it was refused
 * and why.
 */
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private final ServerContext server;
    private boolean counted;
    private boolean refused;

    public ConnectionLimiter(ServerContext server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        counted = true;
        int open = server.openConnections().incrementAndGet();
        int max = server.config().limits().maxConnections();
        if (open > max) {
            refused = true;
            server.httpMetrics().rejected("TOO_MANY_CONNECTIONS");
            server.rateLimitedLog().warn("refusing a connection from {}: {} open, limit {}",
                    ctx.channel().remoteAddress(), open - 1, max);
            String body = "503 Service Unavailable: this server already has " + max
                    + " open connections (its limit). Try again shortly.\n";
            String response = "HTTP/1.1 503 Service Unavailable\r\n"
                    + "Date: " + server.date() + "\r\n"
                    + "Server: " + server.serverHeader() + "\r\n"
                    + "Retry-After: 1\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n"
                    + "Content-Length: " + body.length() + "\r\n"
                    + "Connection: close\r\n\r\n" + body;
            ctx.writeAndFlush(Unpooled.copiedBuffer(response, StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (counted) {
            counted = false;
            server.openConnections().decrementAndGet();
        }
        if (!refused) {
            super.channelInactive(ctx);
        }
    }
}
