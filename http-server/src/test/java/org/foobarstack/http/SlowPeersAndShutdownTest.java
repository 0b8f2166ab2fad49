package org.foobarstack.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.client.TestResponder;
import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README claims of section 5 ("Slow, greedy and departing clients") and of the FastCGI proxy, over real sockets:
 * a request body that stops arriving ends the connection; a stop that outlasts {@code shutdownTimeout} closes what
 * is left; a client that does not read its answer makes the web tier stop reading the app tier's, and reading
 * resumes when the client reads.
 */
class SlowPeersAndShutdownTest {

    private static final String H = "Host: www.foobar.com\r\n";

    @TempDir
    Path dir;

    private WebServer server;
    private AutoCloseable app;

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private void start(InetSocketAddress appAddress, WebServerConfig.Limits limits) throws IOException {
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(appAddress).limits(limits).build());
        server.start();
    }

    // ------------------------------------------------------------------ a request body that stops

    /** "a request body that stops for 60 s ends the connection" (the keep-alive timeout, here 1 s). */
    @Test
    void aRequestBodyThatStopsArrivingIsAnswered408AndTheConnectionEnds() throws Exception {
        TestResponder responder = new TestResponder(false);
        app = responder;
        Duration stall = Duration.ofSeconds(1);
        start(responder.address(), WebServerConfig.Limits.builder().keepAliveTimeout(stall)
                .appTimeout(Duration.ofSeconds(30)).build());
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            long sent = System.nanoTime();
            c.send("POST /api/upload HTTP/1.1\r\n" + H + "Content-Length: 10\r\n\r\nabc");   // 7 bytes owed
            RawHttp.Response r = c.read();
            long waited = System.nanoTime() - sent;
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.text()).contains("the request body stopped arriving").contains("RFC 9110 §15.5.9");
            assertThat(Duration.ofNanos(waited)).as("not before the body had stalled for the timeout")
                    .isGreaterThanOrEqualTo(stall);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** The timeout is for a body that stops, not a slow one: each byte moves the deadline. */
    @Test
    void aBodyThatKeepsComingSlowlyIsNotCutOff() throws Exception {
        TestResponder responder = new TestResponder(false);
        app = responder;
        start(responder.address(), WebServerConfig.Limits.builder().keepAliveTimeout(Duration.ofSeconds(2))
                .appTimeout(Duration.ofSeconds(30)).build());
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            c.send("POST /api/upload HTTP/1.1\r\n" + H + "Content-Length: 6\r\n\r\n");
            // six bytes half a second apart: three seconds in all, longer than the timeout, never a 2 s pause
            for (char b : "abcdef".toCharArray()) {
                Thread.sleep(500);
                c.send(String.valueOf(b));
            }
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.text()).endsWith("--body--\nabcdef");
            assertThat(r.header("connection")).isNull();
        }
    }

    // ------------------------------------------------------------------ a stop that takes too long

    /** "Wait for those connections, at most shutdownTimeout (10 s); then close what is left." */
    @Test
    void aStopThatOutlastsTheShutdownTimeoutClosesTheConnectionStillWaiting() throws Exception {
        HeldResponder held = new HeldResponder(false);   // never released: the request waits at the app tier
        app = held;
        Duration shutdownTimeout = Duration.ofMillis(500);
        start(held.address(), WebServerConfig.Limits.builder().shutdownTimeout(shutdownTimeout)
                .appTimeout(Duration.ofSeconds(60)).build());
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            c.send("GET /api/messages HTTP/1.1\r\n" + H + "\r\n");
            assertThat(held.arrived.await(10, TimeUnit.SECONDS)).as("the request reached the app tier").isTrue();

            long before = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - before);
            assertThat(took).as("it waited for the request in flight").isGreaterThanOrEqualTo(shutdownTimeout);
            assertThat(took).as("then stopped waiting, long before the app timeout").isLessThan(Duration.ofSeconds(20));
            assertThat(c.closedByServer()).as("closed without an answer").isTrue();
        }
    }

    // ------------------------------------------------------------------ a client that does not read

    /**
     * "When the client's socket is full, reading from the app pauses": a 64 MiB answer, more than every socket
     * buffer between the app tier and the client can hold, cannot all leave the app tier while the client reads
     * nothing; the web tier does not take it into memory. Once the client reads, it arrives whole and in order.
     */
    @Test
    void aClientThatDoesNotReadStopsTheWebTierReadingFromTheAppTierUntilItReads() throws Exception {
        StreamingResponder streaming = new StreamingResponder(64 * 1024 * 1024);
        app = streaming;
        start(streaming.address(), WebServerConfig.Limits.builder().appTimeout(Duration.ofSeconds(30)).build());
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            c.socket().setReceiveBufferSize(64 * 1024);
            c.send("GET /api/download HTTP/1.1\r\n" + H + "\r\n");
            assertThat(streaming.blocked.await(10, TimeUnit.SECONDS)).as("the app tier's socket filled up").isTrue();
            // The client reads nothing. A web tier that kept reading would take all 64 MiB off the app tier's
            // hands in well under a second; this one must not (only a slow machine could hide that it did).
            assertThat(streaming.finished.await(2, TimeUnit.SECONDS)).as("whole answer handed over").isFalse();
            assertThat(streaming.handedOver()).isLessThan(streaming.size);

            RawHttp.Response head = c.readHeadOnly();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Long.toString(streaming.size));
            byte[] body = c.readBytes(streaming.size);
            assertThat(body).hasSize(streaming.size);
            for (int i = 0; i < body.length; i++) {
                if (body[i] != StreamingResponder.byteAt(i)) {
                    throw new AssertionError("byte " + i + " is " + body[i] + ", not " + StreamingResponder.byteAt(i));
                }
            }
            assertThat(streaming.finished.await(10, TimeUnit.SECONDS)).as("reading resumed").isTrue();
            assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
        }
    }

    /**
     * A FastCGI responder that answers every request with {@code size} bytes, written only while its socket
     * takes them (as a real app server under TCP back-pressure), and says when its socket first stopped taking
     * them and when the whole answer was handed over.
     */
    private static final class StreamingResponder implements AutoCloseable {
        private static final int RECORD = 32 * 1024;

        final int size;
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;
        private volatile long handedOver;

        StreamingResponder(int size) {
            this.size = size;
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new FastCgiRecordDecoder(), new FastCgiRecordEncoder(), new Handler());
                        }
                    }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        }

        static byte byteAt(long i) {
            return (byte) (i % 251);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.localAddress();
        }

        long handedOver() {
            return handedOver;
        }

        private final class Handler extends SimpleChannelInboundHandler<FastCgiRecord> {
            private int requestId = -1;
            private long written = -1;   // body bytes written so far; -1 before the head

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FastCgiRecord record) {
                if (record.type() == RecordType.GET_VALUES) {
                    ctx.writeAndFlush(FastCgiRecords.values(ctx.alloc(), RecordType.GET_VALUES_RESULT, Map.of(
                            FastCgiRecords.FCGI_MAX_CONNS, "10", FastCgiRecords.FCGI_MAX_REQS, "10",
                            FastCgiRecords.FCGI_MPXS_CONNS, "0")));
                } else if (record.type() == RecordType.STDIN && record.isEndOfStream() && requestId < 0) {
                    requestId = record.requestId();
                    ByteBuf head = ctx.alloc().buffer();
                    head.writeCharSequence("Status: 200 OK\r\nContent-Type: application/octet-stream\r\n"
                            + "Content-Length: " + size + "\r\n\r\n", StandardCharsets.US_ASCII);
                    ctx.write(new FastCgiRecord(RecordType.STDOUT, requestId, head));
                    written = 0;
                    writeWhileWritable(ctx);
                }
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (ctx.channel().isWritable()) {
                    writeWhileWritable(ctx);
                }
                ctx.fireChannelWritabilityChanged();
            }

            private void writeWhileWritable(ChannelHandlerContext ctx) {
                if (written < 0 || written >= size) {
                    return;
                }
                while (written < size && ctx.channel().isWritable()) {
                    int n = (int) Math.min(RECORD, size - written);
                    ByteBuf chunk = ctx.alloc().buffer(n);
                    for (int i = 0; i < n; i++) {
                        chunk.writeByte(byteAt(written + i));
                    }
                    long end = written + n;
                    ctx.write(new FastCgiRecord(RecordType.STDOUT, requestId, chunk))
                            .addListener(f -> handedOver = Math.max(handedOver, end));
                    written = end;
                    ctx.flush();
                }
                if (written < size) {
                    blocked.countDown();
                    return;
                }
                ctx.write(FastCgiRecord.empty(RecordType.STDOUT, requestId));
                ctx.writeAndFlush(FastCgiRecords.endRequest(ctx.alloc(), requestId, 0, ProtocolStatus.REQUEST_COMPLETE))
                        .addListener(f -> finished.countDown());
            }
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
