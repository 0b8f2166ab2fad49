package org.foobarstack.http;

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
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordType;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A FastCGI responder for the web tier's tests that answers when the test says so, built on the shared codec.
 * Each request, once its STDIN has ended, either waits until {@link #release()} and is then answered 200 with a
 * body of {@link #BODY_SIZE} bytes, or, when the responder was made {@code overloaded}, is refused at once with
 * END_REQUEST OVERLOADED, as an app server whose workers and queue are all taken refuses it (FastCGI §5.5), or
 * with whichever refusal it was made with.
 */
final class HeldResponder implements AutoCloseable {

    static final int BODY_SIZE = 50_000;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    /** The protocolStatus every request is refused with, or null to hold requests. */
    private final ProtocolStatus refusal;
    /** Requests waiting for {@link #release()}: their connection and id. Event-loop only. */
    private final List<Held> held = new ArrayList<>();
    /** Counted down when a request has arrived in full, so that a test knows it is in flight. */
    final CountDownLatch arrived = new CountDownLatch(1);

    private record Held(ChannelHandlerContext ctx, int id) {
    }

    HeldResponder(boolean overloaded) {
        this(overloaded ? ProtocolStatus.OVERLOADED : null);
    }

    /** Refuses every request with END_REQUEST {@code refusal} (CANT_MPX_CONN, OVERLOADED, UNKNOWN_ROLE). */
    HeldResponder(ProtocolStatus refusal) {
        this.refusal = refusal;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FastCgiRecordDecoder(), new FastCgiRecordEncoder(), new Handler());
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Answers every request held so far. */
    void release() {
        group.next().submit(() -> {
            for (Held request : held) {
                answer(request.ctx(), request.id());
            }
            held.clear();
        }).syncUninterruptibly();
    }

    private static void answer(ChannelHandlerContext ctx, int id) {
        ByteBuf out = Unpooled.buffer();
        out.writeCharSequence("Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + BODY_SIZE
                + "\r\n\r\n", StandardCharsets.US_ASCII);
        out.writeBytes("a".repeat(BODY_SIZE).getBytes(StandardCharsets.US_ASCII));
        for (FastCgiRecord record : FastCgiRecords.stream(RecordType.STDOUT, id, out)) {
            ctx.write(record);
        }
        ctx.write(FastCgiRecord.empty(RecordType.STDOUT, id));
        ctx.writeAndFlush(FastCgiRecords.endRequest(ctx.alloc(), id, 0, ProtocolStatus.REQUEST_COMPLETE));
    }

    private final class Handler extends SimpleChannelInboundHandler<FastCgiRecord> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FastCgiRecord record) {
            if (record.type() == RecordType.GET_VALUES) {
                ctx.writeAndFlush(FastCgiRecords.values(ctx.alloc(), RecordType.GET_VALUES_RESULT, Map.of(
                        FastCgiRecords.FCGI_MAX_CONNS, "10", FastCgiRecords.FCGI_MAX_REQS, "50",
                        FastCgiRecords.FCGI_MPXS_CONNS, "1")));
            } else if (record.type() == RecordType.STDIN && record.isEndOfStream()) {
                if (refusal != null) {
                    ctx.writeAndFlush(FastCgiRecords.endRequest(ctx.alloc(), record.requestId(), 1, refusal));
                } else {
                    held.add(new Held(ctx, record.requestId()));
                    arrived.countDown();
                }
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
