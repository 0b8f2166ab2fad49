package org.foobarstack.app.net;

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
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes the database connections of a host leave from the host's own address.
 *
 * <p>Every connection a host opens should leave from its address (127.0.0.12 for server-2), so that the server
 * it calls, and a firewall in front of that server, sees which host called. The web server's and the balancer's
 * connections bind that address before connecting. Derby's client driver cannot: it opens its sockets with the
 * JVM's default socket factory, {@code new Socket(host, port)}, and has no setting for a local address. The
 * kernel then picks 127.0.0.1, the source address of the loopback route, for every host alike.
 *
 * <p>So the app tier gives the driver this relay's address instead of the database's: the relay listens on the
 * host's address (on a free port) and, for each connection the driver opens, opens one to the database from the
 * host's address and copies bytes both ways. On a real machine the kernel's routing does this; here a host is
 * only an address, so a relay does it. It is used only when the host's address is not 127.0.0.1, where the
 * kernel's choice is already right.
 *
 * <ol>
 *   <li>{@link #start} binds {@code (hostAddress, 0)} and returns the address to give the driver;</li>
 *   <li>each accepted connection is not read until its twin to the database is open (from
 *       {@code hostAddress}); if the database refuses, the driver's connection is closed, which the driver
 *       reports as the connection failure it is;</li>
 *   <li>bytes are copied both ways, a full socket pausing the other side's reading;</li>
 *   <li>when either side closes, the other is closed after what is pending is written.</li>
 * </ol>
 */
public final class SourceAddressRelay implements AutoCloseable {

    private final InetAddress hostAddress;
    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> serverChannelType;
    private final Class<? extends SocketChannel> channelType;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private Channel listener;

    public SourceAddressRelay(InetAddress hostAddress, InetSocketAddress target, EventLoopGroup group,
                              Class<? extends ServerChannel> serverChannelType,
                              Class<? extends SocketChannel> channelType) {
        this.hostAddress = hostAddress;
        this.target = target;
        this.group = group;
        this.serverChannelType = serverChannelType;
        this.channelType = channelType;
    }

    /** Whether a host on {@code address} needs a relay: any specific address but the kernel's own choice. */
    public static boolean needed(InetAddress address) {
        return !address.isAnyLocalAddress() && !address.getHostAddress().equals("127.0.0.1");
    }

    /** Binds the relay; returns the address the driver should connect to. */
    public InetSocketAddress start() {
        listener = new ServerBootstrap()
                .group(group)
                .channel(serverChannelType)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel driverSide) {
                        track(driverSide);
                        connectTwin(driverSide);
                    }
                })
                .bind(new InetSocketAddress(hostAddress, 0)).syncUninterruptibly().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    private void connectTwin(SocketChannel driverSide) {
        new Bootstrap()
                .group(driverSide.eventLoop())
                .channel(channelType)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel databaseSide) {
                        track(databaseSide);
                        databaseSide.pipeline().addLast(new Copy(driverSide));
                    }
                })
                .connect(target, new InetSocketAddress(hostAddress, 0))
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        driverSide.close();
                        return;
                    }
                    Channel databaseSide = f.channel();
                    driverSide.pipeline().addLast(new Copy(databaseSide));
                    driverSide.config().setAutoRead(true);
                    databaseSide.config().setAutoRead(true);
                });
    }

    private void track(Channel ch) {
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
    }

    /** Copies what its channel reads to {@code other}. */
    private static final class Copy extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Copy(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.writeAndFlush(msg);
            if (!other.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                other.config().setAutoRead(true);
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

    /** Closes the listener and every relayed connection; {@code reset} closes them with a reset. */
    public void close(boolean reset) {
        if (listener != null) {
            listener.close();
        }
        for (Channel ch : Set.copyOf(open)) {
            if (reset && ch.isActive()) {
                try {
                    ch.config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException ignored) {
                    // closed meanwhile
                }
            }
            ch.close();
        }
    }

    @Override
    public void close() {
        close(false);
    }
}
