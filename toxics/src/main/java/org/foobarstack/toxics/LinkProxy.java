package org.foobarstack.toxics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A TCP proxy on one link between two hosts, carrying Toxiproxy's toxics: it listens on an address, forwards every
 * connection to the upstream address, and passes each stream through the toxics it has now.
 *
 * <pre>
 *   LinkProxy proxy = LinkProxy.builder().name("app-1 -> db-1")
 *           .listen(new InetSocketAddress("127.0.0.1", 0)).upstream(database).seed(7).build();
 *   InetSocketAddress address = proxy.start();             // give this address to the client instead
 *   proxy.add(Toxic.latency(Duration.ofMillis(200)));       // every open and future connection
 *   proxy.remove("latency_downstream");
 * </pre>
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@link #start()} binds the listen address (port 0: a free one, kept for later starts) on an event loop of
 *       its own;</li>
 *   <li>each accepted connection becomes a {@link ProxyConnection}: a twin socket to the upstream (leaving from the
 *       source address, if one was given) and one pipeline of stages per stream, built from the toxics of that
 *       moment, each kept or left out by a draw on its toxicity;</li>
 *   <li>{@link #add} and {@link #remove} change the toxics while traffic flows: new connections get the new set,
 *       and every open connection adds or removes the stage on its own event loop before the call returns. A
 *       removed stage first passes on what it holds; {@link #update} swaps a toxic for one of the same name;</li>
 *   <li>{@link #close()} closes the listener and every connection; {@link #start()} may follow again, on the same
 *       port ({@link #listening()} tells which it is now: Toxiproxy's API disables and enables a proxy so).</li>
 * </ol>
 * No state is static: any number of proxies run in one JVM. The draws (toxicity, jitter, slice sizes) come from a
 * {@link Random} seeded with the proxy's seed, the connection's number and the toxic's name, so a test that opens
 * its connections in the same order sees the same draws.
 */
public final class LinkProxy implements AutoCloseable {

    /** How long {@link #add} and {@link #remove} wait for the open connections to apply the change. */
    private static final long APPLY_TIMEOUT_SECONDS = 5;

    private final String name;
    private final InetSocketAddress listen;
    private final InetSocketAddress upstream;
    private final InetAddress sourceAddress;
    private final long seed;
    /** The toxics by name, in the order they were added: the order of the stages. Guarded by {@code this}. */
    private final Map<String, Toxic> toxics = new LinkedHashMap<>();
    private final Set<ProxyConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private EventLoopGroup group;
    private Channel listener;
    private int boundPort;

    private LinkProxy(Builder builder) {
        this.name = Objects.requireNonNull(builder.name, "name");
        this.listen = Objects.requireNonNull(builder.listen, "listen");
        this.upstream = Objects.requireNonNull(builder.upstream, "upstream");
        this.sourceAddress = builder.sourceAddress;
        this.seed = builder.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the listen address and returns the bound one; the same port as before when started again. */
    public synchronized InetSocketAddress start() {
        if (listener != null) {
            return address();
        }
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel client) {
                            new ProxyConnection(LinkProxy.this, connections.incrementAndGet(), client)
                                    .open(upstream, sourceAddress == null ? null
                                            : new InetSocketAddress(sourceAddress, 0));
                        }
                    })
                    .bind(new InetSocketAddress(listen.getAddress(), boundPort > 0 ? boundPort : listen.getPort()))
                    .syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            group = null;
            throw e;
        }
        boundPort = ((InetSocketAddress) listener.localAddress()).getPort();
        return address();
    }

    /** Where clients connect: the listen address with the bound port (the configured one before the first start). */
    public synchronized InetSocketAddress address() {
        return new InetSocketAddress(listen.getAddress(), boundPort > 0 ? boundPort : listen.getPort());
    }

    public InetSocketAddress upstream() {
        return upstream;
    }

    public String name() {
        return name;
    }

    /**
     * Adds a toxic: to every connection opened from now on, and to every open one, each with its toxicity.
     *
     * @throws IllegalArgumentException when a toxic of that name is there already (remove it first)
     */
    public void add(Toxic toxic) {
        List<ProxyConnection> now;
        synchronized (this) {
            if (toxics.containsKey(toxic.name())) {
                throw new IllegalArgumentException("the link " + name + " has a toxic named " + toxic.name()
                        + " already; remove it first, or give this one another name");
            }
            toxics.put(toxic.name(), toxic);
            now = List.copyOf(open);
        }
        applyToOpen(now, connection -> connection.apply(toxic));
    }

    /**
     * Removes the toxic of that name from every connection; what its stages hold goes on at once.
     *
     * @throws IllegalArgumentException when there is none
     */
    public void remove(String toxicName) {
        List<ProxyConnection> now;
        synchronized (this) {
            if (toxics.remove(toxicName) == null) {
                throw new IllegalArgumentException("the link " + name + " has no toxic named " + toxicName
                        + " (toxics: " + String.join(", ", toxics.keySet()) + ")");
            }
            now = List.copyOf(open);
        }
        applyToOpen(now, connection -> connection.remove(toxicName));
    }

    /**
     * Replaces the toxic of the same name with {@code toxic} (Toxiproxy's toxic update: new attributes or a new
     * toxicity). Connections opened from now on have it in the old one's place in the chain; an open connection
     * passes on what the old stage holds, then runs the new one last in its chain, after a fresh draw on its
     * toxicity.
     *
     * @throws IllegalArgumentException when there is no toxic of that name
     */
    public void update(Toxic toxic) {
        List<ProxyConnection> now;
        synchronized (this) {
            if (!toxics.containsKey(toxic.name())) {
                throw new IllegalArgumentException("the link " + name + " has no toxic named " + toxic.name()
                        + " (toxics: " + String.join(", ", toxics.keySet()) + ")");
            }
            toxics.put(toxic.name(), toxic); // an existing key keeps its place in a LinkedHashMap
            now = List.copyOf(open);
        }
        applyToOpen(now, connection -> {
            connection.remove(toxic.name());
            connection.apply(toxic);
        });
    }

    /** Removes every toxic: the link is clean again (Toxiproxy's reset). */
    public void removeAll() {
        for (Toxic toxic : toxics()) {
            remove(toxic.name());
        }
    }

    /** The toxics now, in the order their stages run. */
    public synchronized List<Toxic> toxics() {
        return List.copyOf(toxics.values());
    }

    /** Whether it listens now: started, and not closed since. */
    public synchronized boolean listening() {
        return listener != null;
    }

    /** How many connections are open through the proxy now. */
    public int openConnections() {
        return open.size();
    }

    /** Closes the listener and every connection through it. */
    @Override
    public void close() {
        Channel closing;
        EventLoopGroup stopping;
        synchronized (this) {
            closing = listener;
            stopping = group;
            listener = null;
            group = null;
        }
        if (closing == null) {
            return;
        }
        closing.close().syncUninterruptibly();
        for (ProxyConnection connection : List.copyOf(open)) {
            connection.eventLoop().execute(connection::close);
        }
        stopping.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        open.clear();
    }

    // ---------------------------------------------------------------- for the connections

    /** A new connection joins; it gets the toxics of this moment, and every later change through {@link #add}. */
    synchronized List<Toxic> register(ProxyConnection connection) {
        open.add(connection);
        return List.copyOf(toxics.values());
    }

    void unregister(ProxyConnection connection) {
        open.remove(connection);
    }

    /** The draws of one toxic on one connection: repeatable for a given seed, connection number and name. */
    Random randomFor(long connection, Toxic toxic) {
        long mixed = seed * 0x9E3779B97F4A7C15L + connection * 0xC2B2AE3D27D4EB4FL + toxic.name().hashCode();
        return new Random(mixed);
    }

    /** Runs a change on each connection's own loop, and waits for all of them (unless called from a loop). */
    private void applyToOpen(List<ProxyConnection> connections, Consumer<ProxyConnection> change) {
        List<Future<?>> done = new ArrayList<>();
        for (ProxyConnection connection : connections) {
            if (connection.eventLoop().inEventLoop()) {
                change.accept(connection);
            } else {
                done.add(connection.eventLoop().submit(() -> change.accept(connection)));
            }
        }
        for (Future<?> f : done) {
            f.awaitUninterruptibly(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        InetSocketAddress at = address();
        return name + " (" + at.getAddress().getHostAddress() + ":" + at.getPort() + " -> "
                + upstream.getAddress().getHostAddress() + ":" + upstream.getPort() + ")";
    }

    /** What a proxy needs: a name for messages, where it listens, where it forwards, and optionally more. */
    public static final class Builder {
        private String name = "link";
        private InetSocketAddress listen;
        private InetSocketAddress upstream;
        private InetAddress sourceAddress;
        private long seed = 1;

        /** How messages name the link: {@code web-1 -> app-1}. */
        public Builder name(String value) {
            name = value;
            return this;
        }

        /** Where the proxy listens; port 0 for a free one. */
        public Builder listen(InetSocketAddress value) {
            listen = value;
            return this;
        }

        /** Where it forwards each connection. */
        public Builder upstream(InetSocketAddress value) {
            upstream = value;
            return this;
        }

        /**
         * The address its connections to the upstream leave from: the calling host's, so that the server (and its
         * firewall) sees the same caller as without the proxy. Unset: the kernel's choice.
         */
        public Builder sourceAddress(InetAddress value) {
            sourceAddress = value;
            return this;
        }

        /** The seed of every draw; 1 unless set. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public LinkProxy build() {
            return new LinkProxy(this);
        }
    }
}
