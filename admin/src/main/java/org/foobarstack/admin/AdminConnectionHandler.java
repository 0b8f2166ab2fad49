package org.foobarstack.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * One admin connection, after the shared HTTP/1.1 parser. Admin answers are small and made in memory, so a
 * request is answered as soon as it is whole: for every route but one, as soon as its head arrives, which also
 * keeps pipelined requests in order.
 *
 * <ol>
 *   <li>{@link State#READY}: a request head is routed and its whole response written (head and body, or
 *       the head alone for HEAD, RFC 9110 §9.3.2). The body of a request whose route reads none is discarded
 *       part by part as the parser hands it on.</li>
 *   <li>The one route that reads a body, {@code PUT /api/demo} ({@link AdminRoutes#bodyLimit}): the routes first
 *       say whether the head alone settles the answer (no token, a Content-Length over the limit). If not, a
 *       client that sent {@code Expect: 100-continue} is told to go on (RFC 9110 §10.1.1), and the body parts
 *       are collected, {@link State#READING_BODY}, up to the route's limit (a chunked body has no length up
 *       front, so it is counted as it comes); at the last part the request is routed with its body.</li>
 *   <li>A request refused before its body was read: the body is discarded as it arrives and the connection
 *       kept, unless reading it is pointless (413: megabytes to throw away) or its end cannot be known (the
 *       client waits for 100 Continue and may or may not send it). Then the connection closes in stages
 *       (RFC 9112 §9.6): the response, the server's half closed, and whatever the client still sends taken in
 *       and dropped until it closes, or for {@link #LINGER_MILLIS} at most. Closing at once, with unread bytes
 *       in its buffer, would make the server's TCP stack reset the connection, which can destroy the response
 *       before the client reads it.</li>
 *   <li>When the request did not ask to keep the connection (RFC 9112 §9.3), the connection closes once the
 *       response is written: {@link State#CLOSING}.</li>
 *   <li>A request the routes refuse on sight, from its head's fields ({@link HttpRoutes#screen}: Toxiproxy's API
 *       takes nothing from a browser) gets that refusal, and its body, if any, is not read.</li>
 *   <li>A parse error is answered with its status and the RFC rule it broke, then the connection closes
 *       (RFC 9112 §9.6: after a framing error no later byte can be trusted).</li>
 *   <li>A connection silent for the idle timeout is closed.</li>
 * </ol>
 */
final class AdminConnectionHandler extends ChannelInboundHandlerAdapter {

    enum State {
        /** Waiting for, or answering, the next request; body parts of a request already answered are dropped. */
        READY,
        /** Collecting the body of a request whose route reads it; it is answered when its last part arrives. */
        READING_BODY,
        /** The last response is on its way; nothing more is read. */
        CLOSING
    }

    static final String SERVER = "foobar-stack-admin";

    /** How long a connection closed in stages goes on taking in (and dropping) what the client still sends. */
    static final long LINGER_MILLIS = 2000;

    private static final Logger log = LoggerFactory.getLogger(AdminConnectionHandler.class);

    private final HttpRoutes routes;
    private final DateHeader date;
    private final RateLimitedLog badRequests;
    private State state = State.READY;
    private final CompletableFuture<Void> removed = new CompletableFuture<>();

    // the request whose body is being collected (READING_BODY), its route's limit, and the bytes so far
    private HttpRequestHead bodyHead;
    private AdminRequest bodyRequest;
    private long bodyLimit;
    private ByteArrayOutputStream body;

    AdminConnectionHandler(HttpRoutes routes, DateHeader date, RateLimitedLog badRequests) {
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
                onHead(ctx, head);
            } else if (msg instanceof HttpBodyPart part && state == State.READING_BODY) {
                onBodyPart(ctx, part);
            } else if (msg instanceof HttpRequestError error) {
                forgetBody();
                reject(ctx, error);
            }
            // any other HttpBodyPart belongs to a request answered already: releasing it (below) drops it
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequestHead head) {
        AdminResponse refused = routes.screen(head);
        if (refused != null) {
            respond(ctx, head, refused, head.hasBody());
            return;
        }
        AdminRequest request = AdminRequest.of(head);
        long limit = routes.bodyLimit(request);
        if (limit == 0 || !head.hasBody()) {
            respond(ctx, head, route(head, request), false);
            return;
        }
        AdminResponse early = routes.answerBeforeBody(request, head.contentLength());
        if (early != null) {
            // the body is dropped as the parser frames it, and the connection goes on, unless reading it is
            // pointless (413: megabytes to throw away) or the client waits for 100 Continue and may never send it
            boolean pointlessToRead = early.status().code() == HttpStatus.CONTENT_TOO_LARGE.code();
            respond(ctx, head, early, pointlessToRead || head.expectContinue());
            return;
        }
        if (head.expectContinue()) {
            // only now, the head having passed every check, is the client invited to send the body
            ctx.writeAndFlush(HttpResponseHead.builder(HttpStatus.CONTINUE).build());
        }
        state = State.READING_BODY;
        bodyHead = head;
        bodyRequest = request;
        bodyLimit = limit;
        // sized for the announced body when there is one; a chunked body grows the buffer as it comes
        long expected = head.contentLength() > 0 ? head.contentLength() : 8192;
        body = new ByteArrayOutputStream((int) Math.min(limit, expected));
    }

    private void onBodyPart(ChannelHandlerContext ctx, HttpBodyPart part) {
        ByteBuf content = part.content();
        HttpRequestHead head = bodyHead;
        if (body.size() + (long) content.readableBytes() > bodyLimit) {
            AdminResponse tooLarge = routes.bodyTooLarge(bodyRequest, "longer: more than " + bodyLimit
                    + " bytes arrived");
            forgetBody();
            respond(ctx, head, tooLarge, true);
            return;
        }
        byte[] bytes = new byte[content.readableBytes()];
        content.readBytes(bytes);
        body.write(bytes, 0, bytes.length);
        if (part.isLast()) {
            AdminRequest request = bodyRequest.withBody(body.toByteArray());
            forgetBody();
            respond(ctx, head, route(head, request), false);
        }
    }

    private void forgetBody() {
        if (state == State.READING_BODY) {
            state = State.READY;
        }
        bodyHead = null;
        bodyRequest = null;
        body = null;
    }

    private AdminResponse route(HttpRequestHead head, AdminRequest request) {
        try {
            return routes.handle(request);
        } catch (RuntimeException e) {
            log.error("admin route failed on {}", head.requestLine(), e);
            return AdminResponse.json(HttpStatus.INTERNAL_SERVER_ERROR, new AdminJson().error(500,
                    "the admin server failed while answering: " + e));
        }
    }

    /**
     * Writes a response to {@code head}.
     *
     * @param refusedBeforeBody the request's body was not read and will not be: say {@code Connection: close},
     *                          and close the connection in stages
     */
    private void respond(ChannelHandlerContext ctx, HttpRequestHead head, AdminResponse response,
                         boolean refusedBeforeBody) {
        HttpResponseHead.Builder builder = HttpResponseHead.builder(response.status())
                .add("Date", date.now())
                .add("Server", SERVER);
        if (!response.status().forbidsBody()) {
            if (response.contentType() != null) {
                builder.add("Content-Type", response.contentType());
            }
            // HEAD gets the Content-Length the GET would have had (RFC 9110 §9.3.2, §8.6); a 204 none at all (§8.6)
            builder.add("Content-Length", Integer.toString(response.body().length));
        }
        builder.add("Cache-Control", response.cacheControl())
                .add("X-Content-Type-Options", "nosniff");
        for (HttpResponseHead.Field field : response.extraFields()) {
            builder.add(field.name(), field.value());
        }
        boolean keepAlive = head.keepAlive() && !refusedBeforeBody;
        if (!keepAlive) {
            builder.add("Connection", "close");
        } else if (head.version().text().equals("HTTP/1.0")) {
            // an HTTP/1.0 client that asked for keep-alive is told it got it (RFC 9112 §C.2.2)
            builder.add("Connection", "keep-alive");
        }
        ctx.write(builder.build());
        boolean noBody = head.isHead() || response.body().length == 0 || response.status().forbidsBody();
        ChannelFuture written = noBody
                ? ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                : ctx.writeAndFlush(Unpooled.wrappedBuffer(response.body()));
        if (refusedBeforeBody) {
            state = State.CLOSING;
            written.addListener(done -> closeInStages(ctx, done.isSuccess()));
        } else if (!keepAlive) {
            state = State.CLOSING;
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * RFC 9112 §9.6's staged close: shut the server's side, so that the client reads the response to its end and
     * then sees the end of the stream; go on reading (the parser frames, this handler drops) until the client
     * closes its side, which closes the channel, or {@link #LINGER_MILLIS} have passed.
     */
    private void closeInStages(ChannelHandlerContext ctx, boolean responseWritten) {
        if (!responseWritten || !(ctx.channel() instanceof SocketChannel socket)) {
            ctx.close();
            return;
        }
        socket.shutdownOutput();
        ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
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
