package org.foobarstack.lb.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestError;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.parser.HttpVersion;
import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.lb.tls.TlsHandshake;
import org.foobarstack.trace.TraceContext;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * One client connection of the HTTP frontend, the last handler of its pipeline:
 *
 * <pre>
 *   [SslHandler] → IdleStateHandler (timeout client) → HttpRequestParser → ResponseHeadEncoder → FrontendHandler
 * </pre>
 *
 * The parser's messages (heads, body parts, errors) are handled in arrival order, one request at a time: a
 * {@link ProxyExchange} takes a head and its body parts; the next head waits until that exchange has finished,
 * so responses go back in the order the requests came (RFC 9112 §9.3.2), even to a client that pipelines.
 * While an exchange waits for its response, the socket is not read (back-pressure).
 *
 * <p>Bad requests are answered here with the same rules, statuses and pages as the web server's, since the
 * parser is the same: the rule is named, then the connection closes (RFC 9112 §9.6).
 *
 * <p>On the plain port of a balancer with {@code redirectToHttps}, a request is not forwarded: it is answered
 * here with {@code 301} to the same URL in https ({@link HttpsRedirect}), and the connection stays open for the
 * next one. On the HTTPS port, every response carries {@code Strict-Transport-Security} when {@code hsts} is set,
 * the balancer's own error pages included.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {

    /** How long a connection closing after an error keeps reading, so its response is not destroyed by a reset. */
    private static final long LINGER_MILLIS = 2000;

    private final ProxyContext context;
    private final Deque<Object> waiting = new ArrayDeque<>();
    private final long acceptNanos = System.nanoTime();
    private Channel channel;
    /** The TLS of an HTTPS connection, null on the plain port. */
    private SslHandler tls;
    private ExchangeTrace hops;
    private ProxyExchange current;
    private int requests;
    private boolean closing;

    FrontendHandler(ProxyContext context) {
        this.context = context;
    }

    Channel channel() {
        return channel;
    }

    /** Whether this connection came in by the HTTPS listener: the client speaks TLS to the balancer. */
    boolean overTls() {
        return tls != null;
    }

    /** True once this connection will close after the current response. */
    boolean closing() {
        return closing;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        tls = ctx.pipeline().get(SslHandler.class);
        hops = new ExchangeTrace(context.config().traceRecorder(), context.config().name(),
                hostPort(channel.remoteAddress()));
        context.frontend().connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing && current == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        waiting.addLast(msg);
        drain();
    }

    /** Hands waiting messages on, in order, stopping at a head while an exchange is in progress. */
    private void drain() {
        while (!waiting.isEmpty()) {
            Object next = waiting.peekFirst();
            if (next instanceof HttpRequestHead && current != null) {
                break;
            }
            waiting.pollFirst();
            if (next instanceof HttpRequestHead head) {
                startExchange(head);
            } else if (next instanceof HttpBodyPart part) {
                if (current != null && !current.requestComplete()) {
                    current.clientBodyPart(part);
                } else {
                    part.release();
                }
            } else if (next instanceof HttpRequestError error) {
                refuse(error);
            } else {
                ReferenceCountUtil.release(next);
            }
        }
        updateReading();
    }

    private void startExchange(HttpRequestHead head) {
        requests++;
        context.frontend().countRequest();
        if (tls == null && context.config().redirectToHttps()) {
            redirectToHttps(head);
            return;
        }
        ProxyExchange exchange = new ProxyExchange(context, this, head, hops);
        current = exchange;
        if (requests == 1) {
            hops.accepted(exchange.traceId(), acceptNanos, hostPort(channel.localAddress()));
        }
        hops.requestReceived(exchange.traceId(), head, requests);
        if (!head.keepAlive()) {
            closing = true;
        }
        exchange.start();
    }

    /**
     * HAProxy's {@code http-request redirect scheme https code 301}: the same URL in https, permanently (RFC 9110
     * §15.4.2), so that a browser remembers it. Nothing goes to a server. The connection stays open, except after
     * a request that announced a body with {@code Expect: 100-continue}: that body will not be asked for, and
     * whatever the client sends next could be either it or a new request.
     */
    private void redirectToHttps(HttpRequestHead head) {
        long startNanos = System.nanoTime();
        TraceContext trace = TraceContext.parseOrFresh(head.fields().get(TraceContext.HEADER));
        if (requests == 1) {
            hops.accepted(trace.traceId(), acceptNanos, hostPort(channel.localAddress()));
        }
        hops.requestReceived(trace.traceId(), head, requests);
        String location = HttpsRedirect.location(head, hostOf(channel.localAddress()),
                context.httpsPort().getAsInt());
        boolean keepAlive = head.keepAlive() && !closing
                && !(head.expectContinue() && ForwardedHeaders.hasBody(head));
        byte[] body = HttpsRedirect.page(location).getBytes(StandardCharsets.UTF_8);
        HttpResponseHead.Builder out = HttpResponseHead.builder(HttpStatus.MOVED_PERMANENTLY)
                .add("Date", context.dates().now())
                .add("Server", "foobar-stack-lb")
                .add("Location", location)
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Content-Length", Integer.toString(body.length))
                .add("X-Request-Id", trace.requestId())
                .add("X-Trace-Id", trace.traceId());
        if (!keepAlive) {
            out.add("Connection", "close");
            closing = true;
        } else if (head.version() == HttpVersion.HTTP_1_0) {
            out.add("Connection", "keep-alive");
        }
        HttpResponseHead written = out.build();
        // counted and recorded before the client can read it, so that whoever it tells finds it in the stats
        context.frontend().countResponse(written.status().code());
        context.metrics().response(null, written.status().code(), System.nanoTime() - startNanos);
        hops.responded(trace.traceId(), written, "redirected to HTTPS: http-request redirect scheme https",
                startNanos);
        channel.write(written);
        channel.writeAndFlush(head.isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        if (!keepAlive) {
            closeGracefully();
        }
    }

    /** The parser refused the bytes: answer with the rule, and close. */
    private void refuse(HttpRequestError error) {
        context.frontend().countRequestError();
        context.log().info("{} refused a request from {}: {}", context.config().name(),
                hostPort(channel.remoteAddress()), error.message());
        if (current != null) {
            // the body of the request in progress broke a rule: it cannot be completed
            ProxyExchange broken = current;
            current = null;
            boolean started = broken.responseStarted();
            broken.clientBroken(error.message());
            if (started) {
                abort();
                return;
            }
        }
        closing = true;
        TraceContext refused = TraceContext.fresh();
        HttpStatus status = HttpStatus.of(error.status());
        // the page says what happened and, on a line of its own, the rule: as the web server's page does
        writeError(status, error.violation().description()
                + (error.detail() == null ? "" : " (" + error.detail() + ")"), error.violation().rule(), refused, false,
                error.isHead());
        context.frontend().countResponse(status.code());
    }

    /**
     * Writes the balancer's own error response: the page names the status, what happened and the rule; the ids
     * let a learner find the request on the dashboard. Returns the head as written, for the trace. The answer to
     * a HEAD request has the page's header fields, Content-Length included, and no page (RFC 9110 §9.3.2).
     */
    HttpResponseHead writeError(HttpStatus status, String detail, String rule, TraceContext trace, boolean keepAlive,
                                boolean toHead) {
        byte[] body = ErrorPage.html(status, detail, rule, "foobar-stack load balancer " + context.config().name())
                .getBytes(StandardCharsets.UTF_8);
        HttpResponseHead.Builder head = HttpResponseHead.builder(status)
                .add("Date", context.dates().now())
                .add("Server", "foobar-stack-lb")
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Content-Length", Integer.toString(body.length))
                .add("Cache-Control", "no-store")
                .add("X-Request-Id", trace.requestId())
                .add("X-Trace-Id", trace.traceId());
        if (status.code() == 503) {
            // RFC 9110 §10.2.3: when to try again; one health-check interval is a fair guess
            head.add("Retry-After", Long.toString(Math.max(1, context.config().check().inter().toSeconds())));
        }
        if (tls != null && context.strictTransportSecurity() != null) {
            // RFC 6797 §6.1: on any response sent over TLS, the balancer's own pages included
            head.add("Strict-Transport-Security", context.strictTransportSecurity());
        }
        if (!keepAlive) {
            head.add("Connection", "close");
            closing = true;
        }
        HttpResponseHead built = head.build();
        if (toHead) {
            channel.writeAndFlush(built);
        } else {
            channel.write(built);
            channel.writeAndFlush(Unpooled.wrappedBuffer(body));
        }
        if (!keepAlive && current == null) {
            closeGracefully();
        }
        return built;
    }

    /** The exchange is over: read the next request, or close when this connection ends here. */
    void exchangeFinished(ProxyExchange exchange, boolean keepAlive) {
        if (current != exchange) {
            return;
        }
        current = null;
        if (!keepAlive || closing) {
            closing = true;
            closeGracefully();
            return;
        }
        drain();
    }

    /** A response was cut off half-way: the only signal left is closing the connection. */
    void abort() {
        closing = true;
        current = null;
        channel.close();
    }

    /**
     * Reads the client unless there is a reason not to: a pipelined request already waiting behind the one in
     * progress (the next ones stay in the socket until it is answered), or a body the exchange cannot pass on yet
     * (no server connected, or the server's socket is full). A client that sends one request at a time never
     * meets either, and its socket is never switched off and on again (each switch is a system call).
     */
    void updateReading() {
        boolean pipelined = false;
        for (Object waitingMessage : waiting) {
            if (waitingMessage instanceof HttpRequestHead) {
                pipelined = true;
                break;
            }
        }
        boolean read = current == null ? true
                : !pipelined && (current.requestComplete() || current.wantsClientBytes());
        if (read != channel.config().isAutoRead()) {
            channel.config().setAutoRead(read);
        }
    }

    /**
     * Flushes, then closes the sending side and keeps reading (and discarding) for a moment before closing: a
     * close with unread request bytes makes the kernel send a reset, which can destroy the response before the
     * client reads it (RFC 9112 §9.6). Over TLS the sending side ends with a close_notify alert first (RFC 8446
     * §6.1), so that the client can tell the end of the data from a cut.
     */
    private void closeGracefully() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (tls != null && channel.isActive()) {
                tls.closeOutbound().addListener((ChannelFutureListener) notified -> shutDownAndLinger());
            } else {
                shutDownAndLinger();
            }
        });
    }

    private void shutDownAndLinger() {
        if (channel instanceof SocketChannel socket && socket.isActive()) {
            socket.shutdownOutput();
            channel.config().setAutoRead(true);
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            tlsHandshakeDone(handshake);
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (current != null && current.requestComplete()) {
            // waiting for a server: that is timeout server's business
            return;
        }
        HttpRequestParser parser = ctx.pipeline().get(HttpRequestParser.class);
        boolean midRequest = current != null || (parser != null && parser.state() != HttpRequestParser.State.REQUEST_LINE);
        if (midRequest && !closing) {
            context.frontend().countRequestError();
            if (current != null) {
                current.clientBroken("timeout client");
                current = null;
            }
            writeError(HttpStatus.REQUEST_TIMEOUT, "The request did not arrive within "
                    + context.config().timeouts().client().toMillis() + " ms (timeout client)", "RFC 9110 §15.5.9",
                    TraceContext.fresh(), false, false); // no request arrived whole: no HEAD to answer
        } else {
            ctx.close();
        }
    }

    /**
     * The client's TLS handshake ended. Passed: what was agreed goes into the trace. Failed (a client that does
     * not trust the certificate, or speaks plain HTTP to the HTTPS port): the SslHandler closes the connection;
     * the log says why, a few lines per second at most.
     */
    private void tlsHandshakeDone(SslHandshakeCompletionEvent handshake) {
        if (handshake.isSuccess()) {
            hops.clientHandshakeDone(TlsHandshake.of(tls.engine().getSession(), acceptNanos, System.nanoTime()));
        } else {
            Throwable cause = handshake.cause();
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            context.log().info("{} TLS handshake with {} failed: {}", context.config().name(),
                    hostPort(channel.remoteAddress()), root.getMessage() == null
                            ? root.getClass().getSimpleName() : root.getMessage());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        context.frontend().connectionClosed();
        if (current != null) {
            current.clientClosed();
            current = null;
        }
        Object msg;
        while ((msg = waiting.pollFirst()) != null) {
            ReferenceCountUtil.release(msg);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by the client, typically; the close that follows cleans up
        ctx.close();
    }

    /** Closes at once with a reset, as a power cut would look to the client: for killing the balancer. */
    static void reset(Channel channel) {
        if (channel.isActive()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        channel.close();
    }

    private static String hostOf(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    private static String hostPort(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
