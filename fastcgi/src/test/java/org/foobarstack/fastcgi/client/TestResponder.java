package org.foobarstack.fastcgi.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.foobarstack.fastcgi.BeginRequestBody;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.NameValuePairs;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordType;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small FastCGI responder for tests, built on the shared codec. What it does is chosen per request by the
 * param TEST_MODE, or by "mode=..." in QUERY_STRING:
 * ECHO (default: params and body back as text/plain), SLOW (ECHO after 200 ms), HELD (ECHO once the test calls
 * {@link #releaseHeld()}; {@link #held} counts the requests waiting so), SILENT (never answers),
 * CLOSE (closes the connection), BIG (200,000 bytes of 'x'), GARBAGE (STDOUT that is no CGI response).
 */
public final class TestResponder implements AutoCloseable {

    public static final int BIG_SIZE = 200_000;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final boolean multiplex;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger probes = new AtomicInteger();
    final AtomicInteger maxConcurrentOnOneConnection = new AtomicInteger();
    /** Counted down at each BEGIN_REQUEST, so that a test can wait until a request has reached the responder. */
    public final java.util.concurrent.CountDownLatch requestArrived = new java.util.concurrent.CountDownLatch(1);
    /** One permit per HELD request that has arrived whole and waits for {@link #releaseHeld()}. */
    public final java.util.concurrent.Semaphore held = new java.util.concurrent.Semaphore(0);
    private final java.util.List<Runnable> heldAnswers = new java.util.ArrayList<>();
    private boolean released;

    public TestResponder(boolean multiplex) {
        this.multiplex = multiplex;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new FastCgiRecordDecoder(), new FastCgiRecordEncoder(), new Handler());
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    private static final class Request {
        boolean keepConn;
        final ByteBuf params = Unpooled.buffer();
        final ByteBuf stdin = Unpooled.buffer();
        Map<String, String> paramMap;
    }

    private final class Handler extends SimpleChannelInboundHandler<FastCgiRecord> {
        private final Map<Integer, Request> requests = new HashMap<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FastCgiRecord record) {
            int id = record.requestId();
            RecordType type = record.type();
            if (type == RecordType.GET_VALUES) {
                probes.incrementAndGet();
                Map<String, String> values = new LinkedHashMap<>();
                values.put(FastCgiRecords.FCGI_MAX_CONNS, "10");
                values.put(FastCgiRecords.FCGI_MAX_REQS, "50");
                values.put(FastCgiRecords.FCGI_MPXS_CONNS, multiplex ? "1" : "0");
                ctx.writeAndFlush(FastCgiRecords.values(ctx.alloc(), RecordType.GET_VALUES_RESULT, values));
                return;
            }
            if (type == RecordType.BEGIN_REQUEST) {
                Request r = new Request();
                r.keepConn = BeginRequestBody.read(record.content()).keepConnection();
                requests.put(id, r);
                requestArrived.countDown();
                maxConcurrentOnOneConnection.accumulateAndGet(requests.size(), Math::max);
                return;
            }
            Request r = requests.get(id);
            if (r == null) {
                return;
            }
            if (type == RecordType.PARAMS) {
                if (record.isEndOfStream()) {
                    r.paramMap = NameValuePairs.readMap(r.params);
                } else {
                    r.params.writeBytes(record.content());
                }
            } else if (type == RecordType.STDIN) {
                if (!record.isEndOfStream()) {
                    r.stdin.writeBytes(record.content());
                    return;
                }
                String mode = r.paramMap.getOrDefault("TEST_MODE", "");
                String query = r.paramMap.getOrDefault("QUERY_STRING", "");
                if (mode.isEmpty() && query.startsWith("mode=")) {
                    mode = query.substring(5);
                }
                switch (mode) {
                    case "SILENT" -> { }
                    case "CLOSE" -> ctx.close();
                    case "SLOW" -> ctx.executor().schedule(() -> respond(ctx, id, r, "ECHO"), 200,
                            TimeUnit.MILLISECONDS);
                    case "HELD" -> hold(() -> ctx.executor().execute(() -> respond(ctx, id, r, "ECHO")));
                    default -> respond(ctx, id, r, mode);
                }
            } else if (type == RecordType.ABORT_REQUEST) {
                requests.remove(id);
                ctx.writeAndFlush(FastCgiRecords.endRequest(ctx.alloc(), id, 1, ProtocolStatus.REQUEST_COMPLETE));
            }
        }

        private void respond(ChannelHandlerContext ctx, int id, Request r, String mode) {
            ByteBuf out = Unpooled.buffer();
            if (mode.equals("BIG")) {
                out.writeCharSequence("Content-Type: application/octet-stream\r\n\r\n", StandardCharsets.US_ASCII);
                out.writeBytes("x".repeat(BIG_SIZE).getBytes(StandardCharsets.US_ASCII));
            } else if (mode.equals("GARBAGE")) {
                out.writeCharSequence("this is not a header block\n\n", StandardCharsets.US_ASCII);
            } else {
                out.writeCharSequence("Status: 201 Created\r\nContent-Type: text/plain\r\nX-Echo: yes\r\n\r\n",
                        StandardCharsets.US_ASCII);
                r.paramMap.forEach((k, v) -> out.writeCharSequence(k + "=" + v + "\n", StandardCharsets.ISO_8859_1));
                out.writeCharSequence("--body--\n", StandardCharsets.US_ASCII);
                out.writeBytes(r.stdin);
            }
            for (FastCgiRecord record : FastCgiRecords.stream(RecordType.STDOUT, id, out)) {
                ctx.write(record);
            }
            ctx.write(FastCgiRecord.empty(RecordType.STDOUT, id));
            ctx.writeAndFlush(FastCgiRecords.endRequest(ctx.alloc(), id, 0, ProtocolStatus.REQUEST_COMPLETE));
            requests.remove(id);
            r.params.release();
            r.stdin.release();
            if (!r.keepConn) {
                ctx.close();
            }
        }
    }

    private void hold(Runnable answer) {
        synchronized (heldAnswers) {
            if (!released) {
                heldAnswers.add(answer);
                held.release();
                return;
            }
        }
        answer.run();
    }

    /** Answers every HELD request that has arrived, and from now on answers HELD requests at once. */
    public void releaseHeld() {
        java.util.List<Runnable> answers;
        synchronized (heldAnswers) {
            released = true;
            answers = java.util.List.copyOf(heldAnswers);
            heldAnswers.clear();
        }
        answers.forEach(Runnable::run);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
