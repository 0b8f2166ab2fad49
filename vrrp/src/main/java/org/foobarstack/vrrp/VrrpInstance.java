package org.foobarstack.vrrp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * One keepalived {@code vrrp_instance}: a {@link VrrpStateMachine} on a UDP socket bound to {@code local}
 * (keepalived's {@code unicast_src_ip}), sending its advertisements to each of {@code peers}
 * ({@code unicast_peer}). Real VRRP sends to the multicast group 224.0.0.18 as IP protocol 112; multicast does not
 * work on the loopback interface, and keepalived's unicast mode is the model here.
 *
 * <p>Whoever holds the virtual address gives two hooks: {@code onAcquire} is called when the instance enters
 * MASTER, {@code onRelease} when it leaves MASTER (once for each successful {@code onAcquire}). On loopback
 * "holding the address" means listening on it: a balancer binds its listener to the virtual address in
 * {@code onAcquire} and closes it in {@code onRelease}. A hook that throws is logged; see
 * {@link VrrpStateMachine} for when that puts the instance in FAULT.
 *
 * <p>Everything happens on the instance's own thread, one Netty event loop: the datagrams, the timers, the hooks
 * and the {@link #onStateChange} listeners. Keep hooks and listeners short, and do not {@link #close()} the
 * instance from one of them and wait for it.
 *
 * <pre>
 * try (VrrpInstance vrrp = new VrrpInstance(config, address -&gt; listener.bind(address), address -&gt; listener.close())) {
 *     vrrp.onStateChange(t -&gt; log.info(t.describe()));
 *     vrrp.start();
 *     ...
 * }
 * </pre>
 */
public final class VrrpInstance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VrrpInstance.class);

    private final VrrpConfig config;
    private final VrrpStateMachine machine;
    private EventLoopGroup group;
    private volatile Channel channel;
    private boolean started;
    private boolean stopped;

    /** The packet filter in front of the socket; everything passes unless {@link #admitting} says otherwise. */
    private volatile BiPredicate<InetSocketAddress, InetSocketAddress> admit = (from, to) -> true;

    /** An instance with no hooks: it takes part in the election, and nothing is bound anywhere. */
    public VrrpInstance(VrrpConfig config) {
        this(config, address -> { }, address -> { });
    }

    /**
     * @param onAcquire called with the virtual address when this instance enters MASTER
     * @param onRelease called with it when this instance leaves MASTER
     */
    public VrrpInstance(VrrpConfig config, Consumer<InetAddress> onAcquire, Consumer<InetAddress> onRelease) {
        this.config = Objects.requireNonNull(config, "config");
        this.machine = new VrrpStateMachine(config, new EventLoopScheduler(), this::sendToPeers,
                Objects.requireNonNull(onAcquire, "onAcquire"), Objects.requireNonNull(onRelease, "onRelease"));
    }

    public VrrpConfig config() {
        return config;
    }

    /** Adds a listener for changes of state; it runs on the instance's thread. */
    public void onStateChange(Consumer<Transition> listener) {
        machine.onStateChange(listener);
    }

    /**
     * Binds the socket and enters BACKUP (or MASTER, for the address owner). When it returns, the instance is in
     * that state and listening.
     *
     * @throws UncheckedIOException when {@code local} cannot be bound
     * @throws IllegalStateException when it was started before: an instance runs once, like a keepalived process,
     *                               and coming back means a new instance
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("VRRP_Instance(" + config.name() + ") was started before");
        }
        if (stopped) {
            throw new IllegalStateException("VRRP_Instance(" + config.name() + ") was closed");
        }
        started = true;
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vrrp-" + config.name() + "@" + config.local().getAddress().getHostAddress()),
                NioIoHandler.newFactory());
        try {
            channel = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .handler(new AdvertisementReceiver())
                    .bind(config.local())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            stopped = true;
            IOException cause = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            throw new UncheckedIOException("VRRP_Instance(" + config.name() + ") cannot listen on "
                    + config.local() + ": " + e.getMessage(), cause);
        }
        channel.eventLoop().submit(machine::start).syncUninterruptibly();
    }

    /**
     * Puts a packet filter in front of the socket, as a host's firewall sits in front of keepalived: each
     * advertisement whose sender {@code admit} refuses is dropped before the state machine hears it. A firewall
     * that drops the other member's advertisements therefore makes this instance believe it is alone, and take
     * the address while the other still holds it (split brain). Call before {@link #start()}.
     *
     * @param admit takes the sender and this instance's own address; true lets the datagram in
     */
    public synchronized VrrpInstance admitting(BiPredicate<InetSocketAddress, InetSocketAddress> admit) {
        if (started) {
            throw new IllegalStateException("VRRP_Instance(" + config.name() + ") is started: filter it before");
        }
        this.admit = Objects.requireNonNull(admit, "admit");
        return this;
    }

    /** The current state; readable from any thread. */
    public State state() {
        return machine.state();
    }

    /** The counters so far; readable from any thread. */
    public Counters counters() {
        return machine.counters();
    }

    /** The address the socket is bound to, once started. */
    public InetSocketAddress localAddress() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    /**
     * Stops gracefully (RFC 9568's Shutdown event): a MASTER sends an advertisement with priority 0, so that a
     * backup takes over after its Skew_Time instead of the whole Master_Down_Interval (RFC 9568 §6.4.3), and lets
     * go of the address. Then the socket closes. Calling it again does nothing.
     */
    @Override
    public void close() {
        stop(machine::shutdown);
    }

    /**
     * Stops as a crash would: no priority 0 advertisement, nothing more sent at all. The peers notice only when
     * Master_Down_Interval has passed in silence. {@code onRelease} is still called, since a crashed host's
     * listener on the address goes down with it.
     */
    public void kill() {
        stop(machine::kill);
    }

    private void stop(Runnable event) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (!started) {
                return;
            }
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            event.run();
            channel.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            return;
        }
        loop.submit(event).syncUninterruptibly();
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Sends one advertisement to every unicast_peer; called on the event loop. */
    private void sendToPeers(byte[] datagram) {
        if (channel == null || !channel.isActive()) {
            return;
        }
        for (InetSocketAddress peer : config.peers()) {
            channel.write(new DatagramPacket(Unpooled.wrappedBuffer(datagram), peer))
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            LOG.debug("VRRP_Instance({}) could not send to {}: {}", config.name(), peer,
                                    f.cause().toString());
                        }
                    });
        }
        channel.flush();
    }

    /** Hands each datagram that arrives to the state machine. */
    private final class AdvertisementReceiver extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (!admit.test(packet.sender(), config.local())) {
                return; // dropped by the host's packet filter: never heard
            }
            machine.receive(ByteBufUtil.getBytes(packet.content()), packet.sender().getAddress());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("VRRP_Instance({}) socket error: {}", config.name(), cause.toString());
        }
    }

    /** The state machine's timers on the channel's event loop, and the system clock. */
    private final class EventLoopScheduler implements Scheduler {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public Timer schedule(Duration delay, Runnable task) {
            ScheduledFuture<?> future = channel.eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        }
    }
}
