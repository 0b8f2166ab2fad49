package org.foobarstack.firewall;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small TCP server as the tiers build theirs: the firewall installed first in {@code initChannel}, then the
 * server's own handler, which echoes and writes down every event it hears, so that a test can tell whether
 * anything of a blocked connection reached it.
 */
final class EchoServer implements AutoCloseable {

    /** What the server's own handler heard, one line per event: "active 127.0.0.10:40000", "read 5", "inactive". */
    final List<String> heard = new CopyOnWriteArrayList<>();
    /** Each connection the server accepted, in order, whatever the firewall did with it. */
    final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private final Channel listener;

    EchoServer(Transport transport, EventLoopGroup group, InetSocketAddress at, Firewall firewall,
               Duration dropHold) {
        listener = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                        FirewallHandler.install(ch, firewall, dropHold);
                        ch.pipeline().addLast(new Echo());
                    }
                })
                .bind(at).syncUninterruptibly().channel();
    }

    /** The next connection the server accepted; fails after 5 s. */
    Channel nextAccepted() throws InterruptedException {
        Channel ch = accepted.poll(5, TimeUnit.SECONDS);
        if (ch == null) {
            throw new AssertionError("the server accepted no connection within 5 s");
        }
        return ch;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** The server's own handler. */
    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
            heard.add("active " + client.getAddress().getHostAddress() + ":" + client.getPort());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            heard.add("read " + ((ByteBuf) msg).readableBytes());
            ctx.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            heard.add("inactive");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            heard.add("exception " + cause);
            ctx.close();
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }
}
