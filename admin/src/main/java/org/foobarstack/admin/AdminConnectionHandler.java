package org.foobarstack.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestError;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.trace.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection, after the shared HTTP/1.1 parser. Admin answers are small and made in memory, so each
 * request is answered as soon as its head arrives, which also keeps pipelined requests in order.
 *
 * <ol>
 *   <li>{@link State#READY}: a request head is routed and its whole response written (head and body, or
 *       the head alone for HEAD, RFC 9110 §9.3.2). A request body, which no admin route reads, is discarded
 *       part by part as the parser hands it on.</li>
 *   <li>When the request did not ask to keep the connection (RFC 9112 §9.3), the connection closes once the
 *       response is written: {@link State#CLOSING}.</li>
 *   <li>A parse error is answered with its status and the RFC rule it broke, then the connection closes
 *       (RFC 9112 §9.6: after a framing error no later byte can be trusted).</li>
 *   <li>A connection silent for the idle timeout is closed.</li>
 * </ol>
 */
final class AdminConnectionHandler extends ChannelInboundHandlerAdapter {

    enum State {
        /** Waiting for, or answering, the next request. */
        READY,
        /** The last response is on its way; nothing more is read. */
        CLOSING
    }

    static final String SERVER = "foobar-stack-admin";

    private static final Logger log = LoggerFactory.getLogger(AdminConnectionHandler.class);

    private final AdminRoutes routes;
    private final DateHeader date;
    private final RateLimitedLog badRequests;
    private State state = State.READY;
    private final CompletableFuture<Void> removed = new CompletableFuture<>();

    AdminConnectionHandler(AdminRoutes routes, DateHeader date, RateLimitedLog badRequests) {
        this.routes = routes;
        this.date = date;
        this.badRequests = badRequests;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == State.CLOSING) {
                return;
            }
            if (msg instanceof HttpRequestHead head) {
                answer(ctx, head);
            } else if (msg instanceof HttpRequestError error) {
                reject(ctx, error);
            }
            // HttpBodyPart: no admin route reads a body; releasing it (below) is all there is to do
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequestHead head) {
        AdminResponse response;
        try {
            response = routes.handle(AdminRequest.of(head));
        } catch (RuntimeException e) {
            log.error("admin route failed on {}", head.requestLine(), e);
            response = AdminResponse.json(HttpStatus.INTERNAL_SERVER_ERROR, new AdminJson().error(500,
                    "the admin server failed while answering: " + e));
        }
        HttpResponseHead.Builder builder = HttpResponseHead.builder(response.status())
                .add("Date", date.now())
                .add("Server", SERVER)
                .add("Content-Type", response.contentType())
                // HEAD gets the Content-Length the GET would have had (RFC 9110 §9.3.2, §8.6)
                .add("Content-Length", Integer.toString(response.body().length))
                .add("Cache-Control", response.cacheControl())
                .add("X-Content-Type-Options", "nosniff");
        for (HttpResponseHead.Field field : response.extraFields()) {
            builder.add(field.name(), field.value());
        }
        if (!head.keepAlive()) {
            builder.add("Connection", "close");
        } else if (head.version().text().equals("HTTP/1.0")) {
            // an HTTP/1.0 client that asked for keep-alive is told it got it (RFC 9112 §C.2.2)
            builder.add("Connection", "keep-alive");
        }
        ctx.write(builder.build());
        ChannelFuture written = head.isHead() || response.body().length == 0
                ? ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                : ctx.writeAndFlush(Unpooled.wrappedBuffer(response.body()));
        if (!head.keepAlive()) {
            state = State.CLOSING;
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void reject(ChannelHandlerContext ctx, HttpRequestError error) {
        state = State.CLOSING;
        badRequests.info("{} {}: {}", ctx.channel().remoteAddress(), error.status(), error.message());
        HttpStatus status = HttpStatus.of(error.status());
        byte[] page = ErrorPage.html(status, error.violation().description()
                + (error.detail() == null ? "" : " (" + error.detail() + ")"), error.violation().rule())
                .getBytes(StandardCharsets.UTF_8);
        ctx.write(HttpResponseHead.builder(status)
                .add("Date", date.now())
                .add("Server", SERVER)
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Content-Length", Integer.toString(page.length))
                .add("Cache-Control", "no-store")
                .add("Connection", "close")
                .build());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(page)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Completes when the connection's pipeline has removed this handler (the server waits for it on close). */
    CompletableFuture<Void> removed() {
        return removed;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        removed.complete(null);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
