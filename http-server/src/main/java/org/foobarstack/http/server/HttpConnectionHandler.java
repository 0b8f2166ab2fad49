package org.foobarstack.http.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestError;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.trace.TraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The life of one connection, after the parser: requests in, responses out, in order.
 *
 * <ol>
 *   <li>The parser's messages (heads, body parts, errors) are queued in arrival order.</li>
 *   <li>A head starts an {@link HttpExchange} only when the previous one is finished, i.e. its response has ended
 *       and its body has been read: so pipelined requests are answered strictly in order (RFC 9112 §9.3.2). While
 *       requests wait, the socket is not read, which is the back-pressure a flooding client meets.</li>
 *   <li>Body parts go to the exchange whose request they belong to.</li>
 *   <li>When a response ends, the connection either closes (Connection: close, HTTP/1.0 without keep-alive,
 *       server shutting down) or waits for the next request under the keep-alive timeout.</li>
 *   <li>A parse error is answered with its status and rule, then the connection is closed gracefully: output is
 *       shut down first and input drained for a moment, so that the client reads the error instead of a reset
 *       (RFC 9112 §9.6).</li>
 * </ol>
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpConnectionHandler.class);
    /** How long input is drained after an error response before the connection is closed regardless. */
    private static final long LINGER_MILLIS = 2000;

    private final ServerContext server;
    private final RequestHandler handler;
    private final RequestTimeouts timeouts;
    private final boolean secure;

    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private ConnectionTrace trace;
    private HttpExchange current;
    /** No further request will be served; the connection closes once the current response is written. */
    private boolean closing;
    private boolean draining;
    private boolean readPaused;
    /** The last response's final write; closing before it completes would cut the response short. */
    private ChannelFuture lastWrite;

    public HttpConnectionHandler(ServerContext server, RequestHandler handler, RequestTimeouts timeouts,
                                 boolean secure) {
        this.server = server;
        this.handler = handler;
        this.timeouts = timeouts;
        this.secure = secure;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        // added when the connection is accepted: the TCP hop's time
        this.trace = new ConnectionTrace(server.traceRecorder(), context.channel());
    }

    ConnectionTrace trace() {
        return trace;
    }

    boolean closing() {
        return closing;
    }

    void closeAfterResponse() {
        closing = true;
    }

    // ------------------------------------------------------------------ inbound

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (closing && current == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        inbox.add(msg);
        drain();
    }

    /** Hands queued messages on for as long as the current exchange can take them. */
    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!inbox.isEmpty()) {
                Object msg = inbox.peek();
                if (msg instanceof HttpBodyPart part) {
                    inbox.poll();
                    if (current != null && !current.requestComplete()) {
                        current.deliverBodyPart(part);
                        if (part.isLast()) {
                            timeouts.bodyComplete();
                            finishIfDone();
                        }
                    } else {
                        part.release();
                    }
                } else if (msg instanceof HttpRequestError error) {
                    if (current != null && !current.requestComplete()) {
                        inbox.poll();
                        current.failRequest(error);
                        finishIfDone();
                    } else if (current != null || closing) {
                        break;
                    } else {
                        inbox.poll();
                        reject(error);
                    }
                } else if (msg instanceof HttpRequestHead head) {
                    if (current != null || closing) {
                        break;
                    }
                    inbox.poll();
                    start(head);
                } else {
                    inbox.poll();
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            draining = false;
        }
        updateAutoRead();
    }

    /**
     * Back-pressure: stop reading while a pipelined request waits for its turn, or while the current request's
     * body cannot be passed on as fast as it arrives (the app tier reads slowly).
     */
    private void updateAutoRead() {
        if (ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(inbox.isEmpty() && !readPaused);
        }
    }

    /** Called by the exchange: pause or resume reading the request body from the client. */
    void pauseReading(boolean pause) {
        readPaused = pause;
        updateAutoRead();
    }

    private void start(HttpRequestHead head) {
        timeouts.headReceived(head.hasBody());
        // the one read of the fault plan per request: null, the rule, means no fault can touch this exchange
        HttpExchange exchange = new HttpExchange(this, ctx, server, head, secure, server.faults().armed());
        current = exchange;
        trace.requestReceived(exchange.traceContext().traceId(), head);
        if (exchange.faults() != null) {
            exchange.faults().requestStart(() -> handle(exchange));
        } else {
            handle(exchange);
        }
    }

    /** The route's handler answers; one that fails gets a 500 if nothing was sent yet. */
    private void handle(HttpExchange exchange) {
        HttpRequestHead head = exchange.request();
        try {
            handler.handle(exchange);
        } catch (Exception | Error e) {
            log.error("{} failed on {}", handler.getClass().getSimpleName(), head.requestLine(), e);
            if (!exchange.ended()) {
                exchange.sendError(HttpStatus.INTERNAL_SERVER_ERROR, "the server failed while answering: "
                        + e.getClass().getSimpleName(), null);
            }
        }
    }

    /** Called by the exchange once its response is written to the channel. */
    void responseEnded(HttpExchange exchange, boolean keepAlive, ChannelFuture written) {
        lastWrite = written;
        if (!keepAlive || closing) {
            closing = true;
            written.addListener(ChannelFutureListener.CLOSE);
        }
        finishIfDone();
    }

    /** Body parts a DELAY held back have been delivered: the exchange may be done now. */
    void heldPartsDelivered() {
        finishIfDone();
    }

    void responseAborted(HttpExchange exchange) {
        closing = true;
        ctx.close();
    }

    /** An exchange is done when both its response has ended and its request body has been read. */
    private void finishIfDone() {
        if (current == null || !current.ended() || !current.requestComplete()) {
            return;
        }
        current = null;
        readPaused = false;
        if (closing) {
            releaseInbox();
            closeAfterLastWrite();
            return;
        }
        // the keep-alive clock starts once the response has left, not while a large file is still being sent
        if (lastWrite == null || lastWrite.isDone()) {
            timeouts.awaitNextRequest();
        } else {
            lastWrite.addListener(f -> {
                if (current == null && !closing) {
                    timeouts.awaitNextRequest();
                }
            });
        }
        if (!draining) {
            drain();
        }
    }

    /** The parser refused the request: answer with the violated rule, then close gracefully. */
    private void reject(HttpRequestError error) {
        closing = true;
        server.rateLimitedLog().info("{} {}: {}", ctx.channel().remoteAddress(), error.status(), error.message());
        server.httpMetrics().rejected(error.violation().name());
        HttpStatus status = HttpStatus.of(error.status());
        TraceContext refused = TraceContext.fresh();
        trace.requestRefused(refused.traceId(), error.violation().name(), error.violation().rule(),
                error.message());
        writeErrorAndClose(refused, status, error.violation().description()
                + (error.detail() == null ? "" : " (" + error.detail() + ")"), error.violation().rule(),
                error.isHead());
    }

    /**
     * Writes an error page, then closes gracefully. The answer to a HEAD request has the header fields the page
     * would have, Content-Length included, but no content (RFC 9110 §9.3.2): the parser says when a request it
     * refused was a HEAD, which it knows once the request line is read (a bad Host, a body too large, a version
     * it does not speak). Before that, no method has been seen and the page goes out whole.
     *
     * @param toHead whether the refused request is a HEAD: fields only, no page
     */
    private void writeErrorAndClose(TraceContext refused, HttpStatus status, String detail, String rule,
                                    boolean toHead) {
        closing = true;
        byte[] page = ErrorPage.html(status, detail, rule).getBytes(StandardCharsets.UTF_8);
        long startNanos = System.nanoTime();
        HttpResponseHead head = HttpResponseHead.builder(status)
                .add("Date", server.date())
                .add("Server", server.serverHeader())
                .add("X-Request-Id", refused.requestId())
                .add("X-Trace-Id", refused.traceId())
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Content-Length", Integer.toString(page.length))
                .add("Cache-Control", "no-store")
                .add("Connection", "close")
                .build();
        ctx.write(head);
        trace.responseSent(refused.traceId(), head, startNanos, System.nanoTime());
        ctx.writeAndFlush(toHead ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(page))
                .addListener(f -> closeGracefully());
        server.accessLog().log((java.net.InetSocketAddress) ctx.channel().remoteAddress(), "-", status.code(),
                toHead ? 0 : page.length, null, null, System.nanoTime());
    }

    /**
     * Shut down our sending side, keep reading (and discarding) what the client still sends, then close. Closing
     * at once could make the kernel answer the client's unread bytes with a reset, which may destroy the error
     * response before the client reads it.
     */
    private void closeGracefully() {
        if (!ctx.channel().isActive()) {
            return;
        }
        ctx.channel().config().setAutoRead(true);
        if (!secure && ctx.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
            ctx.executor().schedule(() -> {
                ctx.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            ctx.close();
        }
    }

    // ------------------------------------------------------------------ events

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
            SslHandler tls = context.pipeline().get(SslHandler.class);
            if (tls != null) {
                trace.tlsHandshakeDone(tls.engine().getSession());
            }
        }
        if (evt instanceof ConnectionEvent event) {
            switch (event) {
                case HEADER_TIMEOUT -> {
                    if (current == null && !closing) {
                        server.rateLimitedLog().info("{}: header section not received within {}",
                                ctx.channel().remoteAddress(), server.config().limits().headerTimeout());
                        releaseInbox();
                        server.httpMetrics().rejected("REQUEST_TIMEOUT");
                        TraceContext refused = TraceContext.fresh();
                        String reason = "the request's header section did not arrive within "
                                + server.config().limits().headerTimeout().toSeconds() + " s";
                        trace.requestRefused(refused.traceId(), "REQUEST_TIMEOUT", "RFC 9110 §15.5.9",
                                "RFC 9110 §15.5.9: " + reason);
                        // no request arrived whole, so there is no HEAD to answer: the page goes out
                        writeErrorAndClose(refused, HttpStatus.REQUEST_TIMEOUT, reason, "RFC 9110 §15.5.9", false);
                    }
                }
                case IDLE_TIMEOUT -> {
                    if (current == null) {
                        closeAfterLastWrite();
                    }
                }
                case BODY_TIMEOUT -> {
                    if (current != null && !current.requestComplete()) {
                        closing = true;
                        if (!current.headSent()) {
                            current.sendError(HttpStatus.REQUEST_TIMEOUT, "the request body stopped arriving",
                                    "RFC 9110 §15.5.9");
                        } else {
                            ctx.close();
                        }
                    }
                }
                case SHUTDOWN -> {
                    closing = true;
                    if (current == null) {
                        closeAfterLastWrite();
                    }
                }
            }
            return;
        }
        super.userEventTriggered(context, evt);
    }

    private void closeAfterLastWrite() {
        if (lastWrite != null && !lastWrite.isDone()) {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) throws Exception {
        if (current != null) {
            current.writabilityChanged();
        }
        super.channelWritabilityChanged(context);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        if (current != null) {
            HttpExchange gone = current;
            current = null;
            gone.clientGone();
        }
        releaseInbox();
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        log.debug("connection {} failed: {}", context.channel().remoteAddress(), cause.toString());
        context.close();
    }

    private void releaseInbox() {
        while (!inbox.isEmpty()) {
            ReferenceCountUtil.release(inbox.poll());
        }
    }
}
