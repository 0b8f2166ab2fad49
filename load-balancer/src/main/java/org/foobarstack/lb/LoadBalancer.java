package org.foobarstack.lb;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.CheckResult;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.check.HealthChecker;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.Mode;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.http.HttpFrontend;
import org.foobarstack.lb.stats.BalancerMetrics;
import org.foobarstack.lb.stats.FrontendCounters;
import org.foobarstack.lb.stats.StatsServer;
import org.foobarstack.lb.stats.StatsSnapshot;
import org.foobarstack.lb.tcp.TcpProxyHandler;
import org.foobarstack.lb.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The load balancer: a frontend that clients connect to, a backend of servers, health checks, and a stats page.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@code new LoadBalancer(config)}: the backend and its servers exist, all assumed UP (HAProxy's default
 *       initial state), nothing listens yet.</li>
 *   <li>{@link #start()}: binds the frontend (its HTTPS port too, with {@code tls}, and the stats port), then
 *       starts the health checks. A taken port fails with a message naming it; nothing is left running.</li>
 *   <li>While running: {@link #setState} takes a server out (DRAIN, MAINT) or puts it back (READY);
 *       {@link #addServer} and {@link #removeServer} change the list of servers, as HAProxy's runtime API's
 *       {@code add server} and {@code del server}; {@link #stats()} reads every counter; {@link #onTransition}
 *       hears servers go UP and DOWN.</li>
 *   <li>{@link #close()}: stops accepting, lets requests in flight finish (up to five seconds), then closes
 *       everything. {@link #kill()} instead closes every socket at once with a reset, as a power cut would look
 *       to the clients and the servers.</li>
 * </ol>
 * Nothing is static: several balancers run side by side in one JVM, each on its own address.
 */
public final class LoadBalancer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);
    private static final ResponseHeadEncoder RESPONSE_HEAD_ENCODER = new ResponseHeadEncoder();

    private final BalancerConfig config;
    private final Backend backend;
    private final FrontendCounters frontend = new FrontendCounters();
    private final BalancerMetrics metrics;
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
    private final List<Channel> listeners = new ArrayList<>();
    /** The listeners on virtual addresses this balancer holds now (a balancer pair's shared address). */
    private final java.util.Map<InetAddress, List<Channel>> virtualListeners = new java.util.concurrent.ConcurrentHashMap<>();
    /** What each frontend connection is set up with, kept to listen on a virtual address later. */
    private ChannelHandler frontendInitializer;
    private ChannelHandler httpsInitializer;
    private Class<? extends ServerChannel> listenerChannel;
    private final List<Consumer<Server.Transition>> transitionListeners = new CopyOnWriteArrayList<>();
    private final long startMillis = System.currentTimeMillis();
    /**
     * Operators' commands that change servers (setState, addServer, removeServer) run one at a time, as the
     * commands of HAProxy's runtime API do: a server cannot be set READY between removeServer's look at its state
     * and its removal. It is not the lifecycle's lock (this), which close holds for seconds while requests finish.
     */
    private final Object commands = new Object();
    private EventLoopGroup group;
    /** Set once the checks run, at the end of start: a balancer with a checker takes added servers. */
    private volatile HealthChecker checker;
    private HttpFrontend httpFrontend;
    private volatile InetSocketAddress address;
    private volatile InetSocketAddress httpsAddress;
    private InetSocketAddress statsAddress;
    private boolean started;
    private volatile boolean closed;

    public LoadBalancer(BalancerConfig config) {
        this.config = config;
        this.backend = new Backend("servers", config, System::currentTimeMillis);
        this.metrics = new BalancerMetrics(config.name(), config.metrics());
    }

    public BalancerConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    /**
     * Binds the frontend and the stats port, then starts the health checks. With {@code tls} the HTTPS listener
     * is bound first, so that a plain request redirected to it never names a port that is not listening yet.
     */
    public synchronized void start() throws IOException {
        if (started) {
            throw new IllegalStateException("load balancer " + config.name() + " already started");
        }
        started = true;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        group = new MultiThreadIoEventLoopGroup(config.ioThreads() > 0 ? config.ioThreads()
                : Runtime.getRuntime().availableProcessors(), io);
        InetAddress self = parseAddress(config.bindAddress());
        Consumer<Server.Transition> onTransition = this::announce;
        ServerTls serverTls = config.backendTls() == null ? null
                : new ServerTls(config.backendTls(), config.backendServerName(), config.timeouts().server(),
                        backend.name());
        try {
            ChannelHandler frontendInit;
            if (config.mode() == Mode.HTTP) {
                httpFrontend = new HttpFrontend(config, backend, frontend, metrics, self, clientChannel, onTransition,
                        serverTls, () -> httpsAddress.getPort());
                if (config.tls() != null) {
                    httpsInitializer = new ChannelInitializer<SocketChannel>() {
                                @Override
                                protected void initChannel(SocketChannel ch) {
                                    if (!config.acceptFilter().test(ch)) {
                                        return; // refused by the host's firewall: nothing reaches the balancer
                                    }
                                    track(ch);
                                    httpFrontend.initTlsClientChannel(ch);
                                }
                            };
                    httpsAddress = bind(serverChannel, config.httpsPort(), "HTTPS", httpsInitializer);
                }
                frontendInit = new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!config.acceptFilter().test(ch)) {
                            return; // refused by the host's firewall: nothing of it reaches the balancer
                        }
                        track(ch);
                        httpFrontend.initClientChannel(ch);
                    }
                };
            } else {
                frontendInit = new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!config.acceptFilter().test(ch)) {
                            return; // refused by the host's firewall: nothing of it reaches the balancer
                        }
                        track(ch);
                        ch.config().setAutoRead(false);
                        ch.pipeline().addLast(new TcpProxyHandler(config, backend, frontend, self, onTransition,
                                clientChannel));
                    }
                };
            }
            address = bind(serverChannel, config.port(), "frontend", frontendInit);
            frontendInitializer = frontendInit;
            listenerChannel = serverChannel;
            if (config.statsPort() != BalancerConfig.NO_STATS) {
                statsAddress = bind(serverChannel, config.statsPort(), "stats", new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!config.acceptFilter().test(ch)) {
                            return; // refused by the host's firewall: nothing of it reaches the balancer
                        }
                        track(ch);
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS),
                                new HttpRequestParser(ParserLimits.defaults()), RESPONSE_HEAD_ENCODER,
                                new StatsServer(LoadBalancer.this::stats, config.check().rise(),
                                        config.check().fall()));
                    }
                });
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        synchronized (commands) {
            metrics.watch(backend.servers());
            HealthChecker checks = new HealthChecker(backend, config.check(), group, clientChannel, self,
                    onTransition, System::currentTimeMillis, serverTls);
            checks.start();
            checker = checks;
        }
        log.info("load balancer {} listening on {}:{} (mode {}, balance {}, {} servers: {}){}", config.name(),
                address.getAddress().getHostAddress(), address.getPort(), config.mode().name().toLowerCase(),
                config.algorithm().keyword(), backend.servers().size(), backend.servers(),
                (httpsAddress == null ? "" : ", HTTPS on " + httpsAddress.getAddress().getHostAddress() + ":"
                        + httpsAddress.getPort() + (config.redirectToHttps() ? " (plain HTTP redirected)" : ""))
                + (serverTls != null ? ", TLS to the servers (certificates verified for " + serverTls.serverName()
                        + ")" : httpsAddress != null ? ", plain HTTP to the servers" : "")
                + (statsAddress == null ? "" : ", stats on http://" + statsAddress.getAddress().getHostAddress()
                        + ":" + statsAddress.getPort() + "/stats"));
    }

    private void track(Channel ch) {
        clients.add(ch);
        ch.closeFuture().addListener(f -> clients.remove(ch));
    }

    private InetSocketAddress bind(Class<? extends ServerChannel> channelType, int port, String what,
                                   ChannelHandler init) throws IOException {
        Channel channel = bindOn(channelType, parseAddress(config.bindAddress()), port, what, init);
        listeners.add(channel);
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Listens on {@code virtualAddress} too, on the frontend's ports (and the HTTPS port): what the active member of
     * a balancer pair does when it takes the pair's shared address (keepalived's {@code virtual_ipaddress}). The
     * same frontend, backend and counters serve it.
     *
     * @return the addresses bound
     * @throws IOException when the address or a port is taken (the other member still holds it)
     */
    public synchronized List<InetSocketAddress> listenOn(InetAddress virtualAddress) throws IOException {
        if (listenerChannel == null || closed) {
            throw new IllegalStateException("load balancer " + config.name() + " is not running");
        }
        if (virtualListeners.containsKey(virtualAddress)) {
            return virtualListeners.get(virtualAddress).stream()
                    .map(ch -> (InetSocketAddress) ch.localAddress()).toList();
        }
        List<Channel> bound = new ArrayList<>();
        try {
            bound.add(bindOn(listenerChannel, virtualAddress, address.getPort(), "frontend", frontendInitializer));
            if (httpsInitializer != null) {
                bound.add(bindOn(listenerChannel, virtualAddress, httpsAddress.getPort(), "HTTPS", httpsInitializer));
            }
        } catch (IOException e) {
            bound.forEach(Channel::close);
            throw e;
        }
        virtualListeners.put(virtualAddress, bound);
        log.info("load balancer {} now also listens on {}", config.name(),
                bound.stream().map(ch -> ch.localAddress().toString()).toList());
        return bound.stream().map(ch -> (InetSocketAddress) ch.localAddress()).toList();
    }

    /**
     * Stops listening on {@code virtualAddress}, and resets the connections clients made to it: the address is
     * gone from this host, as when a balancer hands the shared address to the other member of its pair.
     */
    public synchronized void stopListeningOn(InetAddress virtualAddress) {
        List<Channel> bound = virtualListeners.remove(virtualAddress);
        if (bound == null) {
            return;
        }
        for (Channel listener : bound) {
            listener.close().awaitUninterruptibly();
        }
        for (Channel client : List.copyOf(clients)) {
            if (client.localAddress() instanceof InetSocketAddress local && local.getAddress().equals(virtualAddress)) {
                try {
                    client.config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException closedMeanwhile) {
                    // nothing to reset
                }
                client.close();
            }
        }
        log.info("load balancer {} no longer listens on {}", config.name(), virtualAddress.getHostAddress());
    }

    /** The virtual addresses this balancer listens on now. */
    public java.util.Set<InetAddress> virtualAddresses() {
        return java.util.Set.copyOf(virtualListeners.keySet());
    }

    private Channel bindOn(Class<? extends ServerChannel> channelType, InetAddress host, int port, String what,
                           ChannelHandler init) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init);
        InetSocketAddress requested = new InetSocketAddress(host, port);
        try {
            return bootstrap.bind(requested).syncUninterruptibly().channel();
        } catch (Exception e) {
            boolean inUse = e instanceof BindException || e.getCause() instanceof BindException
                    || String.valueOf(e.getMessage()).contains("in use");
            throw new IOException("load balancer " + config.name() + ": cannot listen on " + what + " port "
                    + host.getHostAddress() + ":" + port + (inUse
                    ? " (address already in use); stop whatever holds it or choose another port"
                    : ": " + e.getMessage()), e);
        }
    }

    private void announce(Server.Transition transition) {
        for (Consumer<Server.Transition> listener : transitionListeners) {
            listener.accept(transition);
        }
    }

    /** Hears every UP and DOWN of every server, from checks and from traffic. */
    public void onTransition(Consumer<Server.Transition> listener) {
        transitionListeners.add(listener);
    }

    /** The frontend's bound address; null before start. */
    public InetSocketAddress address() {
        return address;
    }

    /** The HTTPS listener's bound address; null before start or without {@code tls}. */
    public InetSocketAddress httpsAddress() {
        return httpsAddress;
    }

    /** The stats page's bound address; null before start or without a stats port. */
    public InetSocketAddress statsAddress() {
        return statsAddress;
    }

    /**
     * Sets a server's administrative state, as HAProxy's {@code set server servers/web-1 state drain}: READY takes
     * traffic, DRAIN finishes what it has and takes nothing new, MAINT takes nothing and is not checked.
     *
     * @throws IllegalArgumentException for an unknown server
     */
    public Server.AdminState setState(String serverName, Server.AdminState state) {
        synchronized (commands) {
            Server server = existing(serverName);
            Server.AdminState before = server.setAdminState(state);
            if (before != state) {
                log.info("Server {}/{} is {} (was {}), set by an operator. {} sessions active.", backend.name(),
                        serverName, state, before, server.currentSessions());
            }
            return before;
        }
    }

    private Server existing(String serverName) {
        return backend.server(serverName).orElseThrow(() -> new IllegalArgumentException(
                "no server " + serverName + " in " + config.name() + " (servers: " + backend.servers() + ")"));
    }

    /** The servers' names now, in order: those of the configuration, then those added since, in their order. */
    public List<String> serverNames() {
        return backend.servers().stream().map(Server::name).toList();
    }

    /**
     * Adds a server to the running backend, as HAProxy's {@code add server servers/web-3 127.0.0.13:8080 check}.
     * Its administrative state is READY, but a checked server counts as DOWN until it has passed {@code rise}
     * health checks in a row, so no request reaches it before it has been seen to answer; its first check runs at
     * once, the next ones every {@code inter}. An unchecked server takes traffic at once. It appears on the stats
     * page, in the CSV and in the metrics like the others.
     *
     * <p>HAProxy starts a server added this way in maintenance and waits for {@code enable server} (and, for its
     * checks, {@code enable health}); here the checks are the gate instead, so the one call is enough and a server
     * still starting cannot be sent requests by an operator who enabled it too early.
     *
     * @throws IllegalArgumentException when a server of that name exists
     * @throws IllegalStateException    when the balancer is not running, or its backend is full
     *                                  ({@value BalancerConfig#MAX_SERVERS} servers)
     */
    public Server addServer(ServerConfig serverConfig) {
        synchronized (commands) {
            HealthChecker checks = checker;
            if (checks == null || closed) {
                throw new IllegalStateException("load balancer " + config.name() + " is not running: servers are"
                        + " added to a running balancer (start it first, or list the server in its configuration)");
            }
            Server server = backend.add(serverConfig);
            metrics.watch(List.of(server));
            checks.add(server);
            if (server.checked()) {
                log.info("Server {}/{} added ({}, weight {}{}, {}): DOWN until {} checks in a row pass;"
                                + " it takes traffic once its health check rises.", backend.name(), server.name(),
                        hostPort(server), server.weight(), server.backup() ? ", backup" : "",
                        config.check().describe(), config.check().rise());
            } else {
                log.info("Server {}/{} added ({}, weight {}{}, no check): it takes traffic at once.", backend.name(),
                        server.name(), hostPort(server), server.weight(), server.backup() ? ", backup" : "");
            }
            return server;
        }
    }

    /**
     * Removes a server from the running backend, as HAProxy's {@code del server servers/web-3}. As in HAProxy,
     * only a server in MAINT with no sessions in progress may be removed, so that no request is cut: set it to
     * DRAIN, wait until its sessions reach 0, set it to MAINT, then remove it. From then on no request chooses it,
     * its health checks stop, its idle kept-alive connections are closed and its metrics go away.
     *
     * @throws IllegalArgumentException for an unknown server
     * @throws IllegalStateException    when the server is not in MAINT or still has sessions, or the balancer is
     *                                  not running
     */
    public void removeServer(String serverName) {
        synchronized (commands) {
            HealthChecker checks = checker;
            if (checks == null || closed) {
                throw new IllegalStateException("load balancer " + config.name() + " is not running: servers are"
                        + " removed from a running balancer");
            }
            Server server = existing(serverName);
            String which = backend.name() + "/" + serverName;
            if (server.adminState() != Server.AdminState.MAINT) {
                throw new IllegalStateException("cannot remove server " + which + ": it is "
                        + server.adminState() + ", and only a server in MAINT can be removed (HAProxy: \"Only"
                        + " servers in maintenance mode can be deleted.\"). To take it out without failing a"
                        + " request: set it to DRAIN (no new requests), wait until its sessions reach 0 (scur on the"
                        + " stats page, " + server.currentSessions() + " now), set it to MAINT, then remove it.");
            }
            int sessions = server.currentSessions();
            if (sessions > 0) {
                throw new IllegalStateException("cannot remove server " + which + ": it is in MAINT but still has "
                        + sessions + (sessions == 1 ? " session" : " sessions") + " in progress (scur), and removing"
                        + " it would cut them (HAProxy refuses too while the server has connections). Wait until"
                        + " its sessions reach 0, then remove it; next time, set DRAIN first and wait for 0"
                        + " before MAINT.");
            }
            backend.remove(server);
            checks.remove(server);
            metrics.forget(server);
            if (httpFrontend != null) {
                httpFrontend.closeIdleConnections(server);
            }
            log.info("Server {}/{} removed ({}). Servers left: {}.", backend.name(), serverName, hostPort(server),
                    String.join(", ", serverNames()));
        }
    }

    private static String hostPort(Server server) {
        return server.address().getAddress().getHostAddress() + ":" + server.address().getPort();
    }

    /** Runs a health check of one server now, outside its schedule; completes with the result. */
    public CompletableFuture<CheckResult> checkNow(String serverName) {
        Server server = backend.server(serverName).orElseThrow(() -> new IllegalArgumentException(
                "no server " + serverName));
        return checker.checkNow(server);
    }

    /** Every counter, now. */
    public StatsSnapshot stats() {
        return new StatsSnapshot(config.name(), "http-in", backend.name(), config.mode(), config.algorithm(),
                config.check().describe(), frontend.snapshot(),
                backend.servers().stream().map(Server::stats).toList(), System.currentTimeMillis(), startMillis);
    }

    /** Whether the balancer is listening: started, and neither closed nor killed since. */
    public synchronized boolean running() {
        return address != null && !closed;
    }

    /** Client and stats connections open now. */
    public int openConnections() {
        return clients.size();
    }

    /**
     * Graceful stop: (1) stop accepting and checking; (2) wait up to five seconds for client connections to
     * finish; (3) close what is left and the connections to the servers; (4) stop the threads.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (checker != null) {
            checker.close();
        }
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        virtualListeners.values().forEach(bound -> bound.forEach(ch -> ch.close().awaitUninterruptibly()));
        virtualListeners.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Channel ch : List.copyOf(clients)) {
            if (ch.localAddress() instanceof InetSocketAddress local && statsAddress != null
                    && local.getPort() == statsAddress.getPort()) {
                ch.close();
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
        stopEverything(false);
    }

    /**
     * Abrupt stop, for {@code ctl kill}: every socket is closed at once with SO_LINGER 0, so the peers get a
     * reset rather than a goodbye, and requests in flight are lost.
     */
    public synchronized void kill() {
        if (closed) {
            return;
        }
        closed = true;
        if (checker != null) {
            checker.close();
        }
        for (Channel listener : listeners) {
            listener.close();
        }
        virtualListeners.values().forEach(bound -> bound.forEach(Channel::close));
        virtualListeners.clear();
        stopEverything(true);
    }

    private void stopEverything(boolean reset) {
        for (Channel ch : List.copyOf(clients)) {
            if (reset) {
                resetClose(ch);
            } else {
                ch.close();
            }
        }
        if (httpFrontend != null) {
            httpFrontend.closeServerConnections(reset);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        synchronized (commands) {
            // after any addServer under way: the server it adds is in this list, so its gauges go too
            metrics.unwatch(backend.servers());
        }
        if (address != null) {
            log.info("load balancer {} {}", config.name(), reset ? "killed" : "stopped");
        }
    }

    static void resetClose(Channel ch) {
        try {
            if (ch.isActive()) {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            }
        } catch (RuntimeException ignored) {
            // a channel that closed meanwhile
        }
        ch.close();
    }

    private static InetAddress parseAddress(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + text, e);
        }
    }
}
