package org.foobarstack.toxics;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;

/**
 * One connection through a {@link LinkProxy}: the client's socket, its twin to the upstream server, and one
 * {@link StreamPipeline} per direction. Both sockets live on one event loop, so every step of both streams runs
 * on one thread.
 *
 * <ol>
 *   <li>the accepted socket is not read until its twin is connected (leaving from the proxy's source address); if
 *       the server refuses, the client's connection is reset: it was accepted, so it cannot be refused any more;</li>
 *   <li>the two pipelines are built with the toxics the proxy has now, each drawn for this connection with its
 *       toxicity; then both sockets are read;</li>
 *   <li>a socket that reads its end passes the end down its pipeline, whose sink closes the other socket after
 *       what is pending, which in turn ends the other stream: the connection closes through the toxics;</li>
 *   <li>a socket that fails (the peer reset it) resets the other at once, as the reset would have reached it
 *       without the proxy; {@code reset_peer} does the same on purpose;</li>
 *   <li>once both sockets are closed, the stages are discarded and the proxy forgets the connection.</li>
 * </ol>
 */
final class ProxyConnection {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final LinkProxy proxy;
    private final long number;
    private final Channel client;
    private Channel server;
    private StreamPipeline upstream;
    private StreamPipeline downstream;
    private boolean reset;

    ProxyConnection(LinkProxy proxy, long number, Channel client) {
        this.proxy = proxy;
        this.number = number;
        this.client = client;
    }

    long number() {
        return number;
    }

    EventLoop eventLoop() {
        return client.eventLoop();
    }

    void open(InetSocketAddress target, InetSocketAddress source) {
        Bootstrap bootstrap = new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInboundHandlerAdapter());
        (source == null ? bootstrap.connect(target) : bootstrap.connect(target, source))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        abort(client);
                        return;
                    }
                    connected(f.channel());
                });
    }

    private void connected(Channel twin) {
        server = twin;
        upstream = new StreamPipeline(Direction.UPSTREAM, this, client, server);
        downstream = new StreamPipeline(Direction.DOWNSTREAM, this, server, client);
        // registered and built in one step on this loop: a toxic added meanwhile is applied after, exactly once
        for (Toxic toxic : proxy.register(this)) {
            apply(toxic);
        }
        client.pipeline().addLast(new Reader(upstream, downstream));
        server.pipeline().addLast(new Reader(downstream, upstream));
        client.closeFuture().addListener(f -> closedOne());
        server.closeFuture().addListener(f -> closedOne());
        if (!client.isActive()) {
            abort(server);
            return;
        }
        client.config().setAutoRead(true);
        server.config().setAutoRead(true);
    }

    /** Adds a toxic to this connection, if its toxicity says this connection gets it. */
    void apply(Toxic toxic) {
        if (upstream == null || reset) {
            return;
        }
        java.util.Random random = proxy.randomFor(number, toxic);
        if (random.nextDouble() < toxic.toxicity()) {
            (toxic.stream() == Direction.UPSTREAM ? upstream : downstream).add(toxic, random);
        }
    }

    void remove(String name) {
        if (upstream != null && !reset) {
            upstream.remove(name);
            downstream.remove(name);
        }
    }

    /** Resets both sockets (TCP RST): what they hold is thrown away, and each peer reads "Connection reset". */
    void reset() {
        if (reset) {
            return;
        }
        reset = true;
        abort(client);
        if (server != null) {
            abort(server);
        }
        discard();
    }

    /** Closes both sockets at once (the proxy stops). */
    void close() {
        client.close();
        if (server != null) {
            server.close();
        }
    }

    private void closedOne() {
        if (!client.isOpen() && (server == null || !server.isOpen())) {
            discard();
            proxy.unregister(this);
        }
    }

    private void discard() {
        if (upstream != null) {
            upstream.discard();
            downstream.discard();
        }
    }

    private static void abort(Channel channel) {
        try {
            if (channel.isActive()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0); // close with RST, not FIN
            }
        } catch (RuntimeException closedMeanwhile) {
            // nothing to reset
        }
        channel.close();
    }

    /** Feeds what one socket reads into its stream, and tells the other stream when this socket has room again. */
    private final class Reader extends ChannelInboundHandlerAdapter {
        private final StreamPipeline from;
        private final StreamPipeline to;

        Reader(StreamPipeline from, StreamPipeline to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (reset) {
                ((ByteBuf) msg).release();
                return;
            }
            from.in((ByteBuf) msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent && !reset) {
                from.inEnd();
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!reset) {
                from.inEnd();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            to.updateFlow();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            reset();
        }
    }

    @Override
    public String toString() {
        return proxy.name() + " #" + number;
    }
}
