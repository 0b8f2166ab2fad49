package org.foobarstack.firewall;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A firewall in front of a server whose accepting we cannot reach into: Derby's Network Server opens its own
 * {@code ServerSocket}, so no Netty handler can sit first in its connections. The relay takes the server's public
 * address instead, judges every connection there exactly as {@link FirewallHandler} does (it installs one), and
 * copies the bytes of each accepted connection to the server, which listens on a private address.
 *
 * <p>On a real server the kernel's packet filter sits in front of every socket alike; here the relay is that
 * filter for one port. The server sees the relay's connection, not the client's, so the relay can make it leave
 * from a chosen address ({@code sourceForBackend}, the host's own), as the host's other connections do.
 *
 * <ol>
 *   <li>{@link #start} binds {@code listen}; an accepted connection is not read until the firewall has judged it
 *       and, if accepted, its twin to the backend is open;</li>
 *   <li>a rejected connection is reset, a dropped one held unanswered: neither ever reaches the backend;</li>
 *   <li>bytes are copied both ways unchanged; when one side's socket is full, reading from the other pauses
 *       until it drains (backpressure), so a fast sender cannot fill the relay's memory;</li>
 *   <li>when either side closes, the other is closed after what is pending is written.</li>
 * </ol>
 *
 * <p>It uses the transport of the event loop group it is given: epoll if the group runs epoll, NIO otherwise.
 */
public final class FilteringRelay implements AutoCloseable {

    private final InetSocketAddress listen;
    private final InetSocketAddress backend;
    private final InetAddress sourceForBackend;
    /** The firewall in force now: asked at each connection, so that a firewall replaced later applies at once. */
    private final java.util.function.Supplier<Firewall> firewall;
    private final EventLoopGroup group;
    private final Duration dropHold;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile Channel listener;

    /**
     * @param listen           the public address and port clients connect to (port 0: any free one)
     * @param backend          the server's private address and port
     * @param sourceForBackend the address the relay's connections to the backend leave from, or null to let the
     *                         kernel choose
     * @param firewall         judges each connection accepted on {@code listen}
     * @param group            the event loops the relay runs on
     */
    public FilteringRelay(InetSocketAddress listen, InetSocketAddress backend, InetAddress sourceForBackend,
                          Firewall firewall, EventLoopGroup group) {
        this(listen, backend, sourceForBackend, firewall, group, FirewallHandler.DEFAULT_DROP_HOLD);
    }

    /** As the other constructor, holding dropped connections at most {@code dropHold}. */
    public FilteringRelay(InetSocketAddress listen, InetSocketAddress backend, InetAddress sourceForBackend,
                          Firewall firewall, EventLoopGroup group, Duration dropHold) {
        this(listen, backend, sourceForBackend, constant(Objects.requireNonNull(firewall, "firewall")), group,
                dropHold);
    }

    /**
     * As the other constructors, with the firewall asked for at each accepted connection: for a host whose rules
     * are rebuilt while it runs (a role's hosts changed).
     */
    public FilteringRelay(InetSocketAddress listen, InetSocketAddress backend, InetAddress sourceForBackend,
                          java.util.function.Supplier<Firewall> firewall, EventLoopGroup group, Duration dropHold) {
        this.listen = Objects.requireNonNull(listen, "listen");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.sourceForBackend = sourceForBackend;
        this.firewall = Objects.requireNonNull(firewall, "firewall");
        this.group = Objects.requireNonNull(group, "group");
        this.dropHold = Objects.requireNonNull(dropHold, "dropHold");
    }

    /** Binds the public address; returns it with the port actually bound. */
    public InetSocketAddress start() {
        if (listener != null) {
            throw new IllegalStateException("relay " + listen + " already started");
        }
        boolean epoll = usesEpoll(group);
        Class<? extends ServerChannel> serverChannelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        listener = new ServerBootstrap()
                .group(group)
                .channel(serverChannelType)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        track(client);
                        FirewallHandler.install(client, firewall.get(), dropHold);
                        client.pipeline().addLast(new ConnectBackend(channelType));
                    }
                })
                .bind(listen).syncUninterruptibly().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    /** Whether the group runs epoll's event loops, whose channels must then be epoll's too. */
    private static boolean usesEpoll(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
    }

    private void track(Channel ch) {
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
    }

    /**
     * Behind the firewall handler, so it hears {@code channelActive} only of an accepted connection: then it opens
     * the twin connection to the backend, and once that is open, starts reading both.
     */
    private final class ConnectBackend extends ChannelInboundHandlerAdapter {
        private final Class<? extends SocketChannel> channelType;

        ConnectBackend(Class<? extends SocketChannel> channelType) {
            this.channelType = channelType;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            ctx.pipeline().remove(this);
            new Bootstrap()
                    .group(client.eventLoop())
                    .channel(channelType)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel server) {
                            track(server);
                            server.pipeline().addLast(new Copy(client));
                        }
                    })
                    .connect(backend, sourceForBackend == null ? null : new InetSocketAddress(sourceForBackend, 0))
                    .addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            // the backend is down: the client learns it as it would without the relay, at once
                            FirewallHandler.resetAndClose(client);
                            return;
                        }
                        Channel server = f.channel();
                        client.pipeline().addLast(new Copy(server));
                        client.config().setAutoRead(true);
                        server.config().setAutoRead(true);
                    });
            ctx.fireChannelActive();
        }
    }

    /** Copies what its channel reads to {@code other}, pausing while {@code other} cannot take more. */
    private static final class Copy extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Copy(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.writeAndFlush(msg);
            if (!other.isWritable()) {
                ctx.channel().config().setAutoRead(false); // resumed by other's Copy when other drains
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                other.config().setAutoRead(true); // this side drained: the other may read again
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (other.isActive()) {
                other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Stops listening and closes every relayed connection, held ones too. */
    @Override
    public void close() {
        Channel l = listener;
        if (l != null) {
            if (l.eventLoop().inEventLoop()) {
                l.close(); // an event loop must not wait for itself
            } else {
                l.close().syncUninterruptibly(); // the port is free when close() returns
            }
        }
        for (Channel ch : Set.copyOf(open)) {
            ch.close();
        }
    }

    private static java.util.function.Supplier<Firewall> constant(Firewall firewall) {
        return () -> firewall;
    }
}
