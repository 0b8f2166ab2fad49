package org.foobarstack.lb;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpFields;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A web server for the balancer's tests whose every answer the test decides, by path:
 *
 * <pre>
 *   /health          healthStatus (200 unless the test sets another)
 *   /status/NNN      that status
 *   /hold            waits until the test completes {@link #release}, then 200; {@link #held} counts arrivals
 *   /garbage         bytes that are not HTTP, then a close
 *   /interim-close   an interim 100 Continue, then a close without a final response
 *   /broken-chunk    a chunked response head and a chunk-size line that is not hex, in one write
 *   /reset           a reset instead of any answer
 *   /silent          nothing, ever
 *   /chunked         a chunked body "hello, world"
 *   /until-close     a body without length, ended by closing
 *   /echo            the request head and body as text
 *   anything else    200 with the server's name as body
 * </pre>
 * It records every request head and the address it came from, and counts connections. Made with a TLS context,
 * it speaks HTTPS only, as a web server the balancer re-encrypts to, and records the server name (SNI) each
 * client asked for.
 */
final class TestBackend implements AutoCloseable {

    record Received(HttpRequestHead head, InetSocketAddress from, String body) {
    }

    final String name;
    final AtomicInteger healthStatus = new AtomicInteger(200);
    /** When set, every request but /health is answered with a reset, as by a server dying while holding it. */
    final java.util.concurrent.atomic.AtomicBoolean resetAll = new java.util.concurrent.atomic.AtomicBoolean();
    final AtomicInteger connections = new AtomicInteger();
    /** GET /health requests answered. */
    final AtomicInteger healthChecks = new AtomicInteger();
    private final Object healthMonitor = new Object();
    final AtomicInteger requests = new AtomicInteger();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<CountDownLatch> heldLatches = new ConcurrentLinkedQueue<>();
    volatile CompletableFuture<Void> release = new CompletableFuture<>();
    final CountDownLatch firstHeld = new CountDownLatch(1);
    /** The server name each finished TLS handshake asked for ("" when none); only with a TLS context. */
    final List<String> serverNamesAsked = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;

    TestBackend(String name) {
        this(name, new InetSocketAddress("127.0.0.1", 0));
    }

    TestBackend(String name, InetSocketAddress bind) {
        this(name, bind, null);
    }

    /** A backend that speaks HTTPS only, presenting the certificate of {@code tls}. */
    TestBackend(String name, SslContext tls) {
        this(name, new InetSocketAddress("127.0.0.1", 0), tls);
    }

    private TestBackend(String name, InetSocketAddress bind, SslContext tls) {
        this.name = name;
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        if (tls != null) {
                            SslHandler handler = tls.newHandler(ch.alloc());
                            handler.handshakeFuture().addListener(f -> {
                                if (f.isSuccess()) {
                                    serverNamesAsked.add(serverName(handler));
                                }
                            });
                            ch.pipeline().addLast(handler);
                        }
                        ch.pipeline().addLast(new HttpRequestParser(ParserLimits.defaults()), new ResponseHeadEncoder(),
                                new Handler());
                    }
                }).bind(bind).syncUninterruptibly().channel();
    }

    private static String serverName(SslHandler handler) {
        if (handler.engine().getSession() instanceof ExtendedSSLSession session) {
            return session.getRequestedServerNames().stream().filter(SNIHostName.class::isInstance)
                    .map(n -> ((SNIHostName) n).getAsciiName()).findFirst().orElse("");
        }
        return "";
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Waits until {@code count} health checks have been answered; false when the time runs out first. */
    boolean awaitHealthChecks(int count, long time, java.util.concurrent.TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(time);
        synchronized (healthMonitor) {
            while (healthChecks.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(healthMonitor, left);
            }
            return true;
        }
    }

    /** Lets every held request answer. */
    void release() {
        release.complete(null);
    }

    List<String> paths() {
        return received.stream().map(r -> r.head().target().originForm()).toList();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequestHead head;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequestHead h) {
                    head = h;
                    body.reset();
                } else if (msg instanceof HttpBodyPart part) {
                    ByteBuf content = part.content();
                    byte[] bytes = new byte[content.readableBytes()];
                    content.getBytes(content.readerIndex(), bytes);
                    body.writeBytes(bytes);
                    if (part.isLast()) {
                        answer(ctx, head, body.toString(StandardCharsets.ISO_8859_1));
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void answer(ChannelHandlerContext ctx, HttpRequestHead h, String requestBody) {
            String path = h.target().path();
            if (!path.equals("/health")) {
                requests.incrementAndGet();
                received.add(new Received(h, (InetSocketAddress) ctx.channel().remoteAddress(), requestBody));
            }
            if (resetAll.get() && !path.equals("/health")) {
                path = "/reset";
            }
            switch (path) {
                case "/health" -> {
                    send(ctx, h, HttpStatus.of(healthStatus.get()), "health of " + name);
                    synchronized (healthMonitor) {
                        healthChecks.incrementAndGet();
                        healthMonitor.notifyAll();
                    }
                }
                case "/hold" -> {
                    firstHeld.countDown();
                    release.thenRun(() -> ctx.channel().eventLoop().execute(() -> send(ctx, h, HttpStatus.OK, name)));
                }
                case "/garbage" -> ctx.writeAndFlush(Unpooled.copiedBuffer("NOT HTTP AT ALL\r\n\r\n",
                        StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
                case "/interim-close" -> ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 100 Continue\r\n\r\n",
                        StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
                case "/broken-chunk" -> ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", StandardCharsets.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
                case "/reset" -> {
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    ctx.close();
                }
                case "/silent" -> {
                    // never answers
                }
                case "/chunked" -> {
                    ctx.write(HttpResponseHead.builder(HttpStatus.OK).add("Transfer-Encoding", "chunked").build());
                    ctx.writeAndFlush(Unpooled.copiedBuffer("5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n",
                            StandardCharsets.US_ASCII));
                }
                case "/until-close" -> {
                    ctx.write(HttpResponseHead.builder(HttpStatus.OK).add("Content-Type", "text/plain").build());
                    ctx.writeAndFlush(Unpooled.copiedBuffer("all until the close", StandardCharsets.US_ASCII))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                case "/echo" -> {
                    StringBuilder sb = new StringBuilder(h.requestLine()).append('\n');
                    for (HttpFields.Field f : h.fields().asList()) {
                        sb.append(f.name()).append(": ").append(f.value()).append('\n');
                    }
                    sb.append('\n').append(requestBody);
                    send(ctx, h, HttpStatus.OK, sb.toString());
                }
                default -> {
                    if (path.startsWith("/status/")) {
                        send(ctx, h, HttpStatus.of(Integer.parseInt(path.substring(8))), name);
                    } else {
                        send(ctx, h, HttpStatus.OK, name);
                    }
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a reset, or a TLS client refusing this backend's certificate: the connection ends, nothing more
            ctx.close();
        }

        private void send(ChannelHandlerContext ctx, HttpRequestHead h, HttpStatus status, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            HttpResponseHead.Builder head = HttpResponseHead.builder(status)
                    .add("Content-Type", "text/plain; charset=utf-8")
                    .add("Content-Length", Integer.toString(bytes.length))
                    .add("X-Served-By", name);
            if (!h.keepAlive()) {
                head.add("Connection", "close");
            }
            ctx.write(head.build());
            var done = ctx.writeAndFlush(h.isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
            if (!h.keepAlive()) {
                done.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
