package org.foobarstack.monitoring;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestError;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.trace.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the monitoring server, after the shared HTTP/1.1 parser (the admin server's design, smaller):
 *
 * <ul>
 *   <li>A request whose route reads no body is answered as soon as its head arrives; a body it carries anyway
 *       is dropped part by part as the parser frames it.</li>
 *   <li>A push's body is collected until its last part, then routed. The parser refuses a body longer than
 *       {@link MonitoringConfig#maxPushBytes()} (413) before it is read. A client that sent
 *       {@code Expect: 100-continue} is told to go on first.</li>
 *   <li>A parse error is answered with its status and the RFC rule it broke, then the connection closes.</li>
 *   <li>The connection stays open for the next request unless the request asked to close it, or stayed silent
 *       for the idle timeout.</li>
 * </ul>
 */
final class MonitoringConnectionHandler extends ChannelInboundHandlerAdapter {

    static final String SERVER = "foobar-stack-monitoring";
    private static final Logger log = LoggerFactory.getLogger(MonitoringConnectionHandler.class);

    private final MonitoringRoutes routes;
    private final DateHeader date;
    private final RateLimitedLog badRequests;
    private final CompletableFuture<Void> removed = new CompletableFuture<>();

    /** The push whose body is being read, and the bytes so far; null between requests. */
    private HttpRequestHead bodyHead;
    private MonitoringRequest bodyRequest;
    private ByteArrayOutputStream body;
    private boolean closing;

    MonitoringConnectionHandler(MonitoringRoutes routes, DateHeader date, RateLimitedLog badRequests) {
        this.routes = routes;
        this.date = date;
        this.badRequests = badRequests;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            if (msg instanceof HttpRequestHead head) {
                onHead(ctx, head);
            } else if (msg instanceof HttpBodyPart part && body != null) {
                onBodyPart(ctx, part);
            } else if (msg instanceof HttpRequestError error) {
                reject(ctx, error);
            }
            // any other body part belongs to a request answered already: releasing it (below) drops it
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequestHead head) {
        InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        MonitoringRequest request = MonitoringRequest.of(head, client);
        if (!routes.readsBody(request) || !head.hasBody()) {
            respond(ctx, head, route(head, request));
            return;
        }
        if (head.expectContinue()) {
            ctx.writeAndFlush(HttpResponseHead.builder(HttpStatus.CONTINUE).build());
        }
        bodyHead = head;
        bodyRequest = request;
        long expected = head.contentLength() > 0 ? head.contentLength() : 8192;
        body = new ByteArrayOutputStream((int) Math.min(expected, 1 << 20));
    }

    private void onBodyPart(ChannelHandlerContext ctx, HttpBodyPart part) {
        ByteBuf content = part.content();
        byte[] bytes = new byte[content.readableBytes()];
        content.readBytes(bytes);
        body.write(bytes, 0, bytes.length);
        if (part.isLast()) {
            MonitoringRequest request = bodyRequest.withBody(body.toByteArray());
            HttpRequestHead head = bodyHead;
            bodyHead = null;
            bodyRequest = null;
            body = null;
            respond(ctx, head, route(head, request));
        }
    }

    private MonitoringResponse route(HttpRequestHead head, MonitoringRequest request) {
        try {
            return routes.handle(request);
        } catch (RuntimeException e) {
            log.error("monitoring route failed on {}", head.requestLine(), e);
            return MonitoringResponse.text(HttpStatus.INTERNAL_SERVER_ERROR,
                    "the monitoring server failed while answering: " + e);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpRequestHead head, MonitoringResponse response) {
        HttpResponseHead.Builder builder = HttpResponseHead.builder(response.status())
                .add("Date", date.now())
                .add("Server", SERVER);
        if (!response.status().forbidsBody()) {
            if (response.contentType() != null) {
                builder.add("Content-Type", response.contentType());
            }
            builder.add("Content-Length", Integer.toString(response.body().length));
        }
        // every answer is computed at the moment it is asked: a cached /metrics would be a stale scrape
        builder.add("Cache-Control", "no-store");
        for (HttpResponseHead.Field field : response.extraFields()) {
            builder.add(field.name(), field.value());
        }
        boolean keepAlive = head.keepAlive();
        if (!keepAlive) {
            builder.add("Connection", "close");
        } else if (head.version().text().equals("HTTP/1.0")) {
            builder.add("Connection", "keep-alive");
        }
        ctx.write(builder.build());
        boolean noBody = head.isHead() || response.body().length == 0 || response.status().forbidsBody();
        ChannelFuture written = ctx.writeAndFlush(noBody ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(response.body()));
        if (!keepAlive) {
            closing = true;
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A request the parser refused: its status and rule, then close (no later byte can be trusted). */
    private void reject(ChannelHandlerContext ctx, HttpRequestError error) {
        closing = true;
        body = null;
        badRequests.info("{} {}: {}", ctx.channel().remoteAddress(), error.status(), error.message());
        HttpStatus status = HttpStatus.of(error.status());
        byte[] text = (error.violation().description() + (error.detail() == null ? "" : " (" + error.detail() + ")")
                + " [" + error.violation().rule() + "]\n").getBytes(StandardCharsets.UTF_8);
        ctx.write(HttpResponseHead.builder(status)
                .add("Date", date.now())
                .add("Server", SERVER)
                .add("Content-Type", MonitoringResponse.TEXT)
                .add("Content-Length", Integer.toString(text.length))
                .add("Cache-Control", "no-store")
                .add("Connection", "close")
                .build());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(text)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Completes when the pipeline has removed this handler (the server waits for it on close). */
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
        log.debug("monitoring connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
