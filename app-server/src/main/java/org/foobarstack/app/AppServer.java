package org.foobarstack.app;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.foobarstack.app.api.Application;
import org.foobarstack.app.fastcgi.FastCgiResponderHandler;
import org.foobarstack.app.fastcgi.ResponderContext;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.app.guestbook.ClusterConfig;
import org.foobarstack.app.guestbook.Database;
import org.foobarstack.app.guestbook.DatabaseCluster;
import org.foobarstack.app.guestbook.DnsDatabaseLocator;
import org.foobarstack.app.guestbook.GuestbookApplication;
import org.foobarstack.app.net.SourceAddressRelay;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The app tier: a FastCGI responder on its own address and port, running an {@link Application}.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@code new AppServer(config)} builds nothing yet; with no application given, the foobar.com guestbook is
 *       used, reaching the database through a HikariCP pool over the Derby client driver. The trace recorder and
 *       the metrics registry are the config's, or the server's own when the config names none.</li>
 *   <li>{@link #start()} opens the pool (without waiting for the database: a database that is down gives 503s,
 *       not a failed start), starts the worker pool and the Netty event loops, and binds the port.</li>
 *   <li>{@link #address()} reports the bound address (the real port when port 0 was asked for).</li>
 *   <li>{@link #close()} refuses new requests with OVERLOADED, stops accepting connections, lets every request it accepted
 *       finish (still arriving, waiting for a worker, or running) for up to
 *       {@link AppServerConfig#shutdownTimeout()}, then closes connections and the pool. Calling it again does
 *       nothing.</li>
 * </ol>
 * With a {@link Capacity} in the config, the worker pool has the capacity's workers and queue, and each request
 * holds its worker for at least the service time ({@link EmulatedCapacity}).
 * Nothing is static: several servers can run in one JVM on different addresses.
 */
public final class AppServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AppServer.class);
    /** Bad input is logged at most 20 lines a second per server; the rest is counted. */
    private static final RateLimitedLog.Policy BAD_INPUT_LOG_POLICY = RateLimitedLog.Policy.perSecond(20);
    /** Connections the kernel may queue before they are accepted (a burst of web-server connections). */
    private static final int ACCEPT_BACKLOG = 1024;
    /** How long the event loops get to finish their queued writes when the server closes. */
    private static final long EVENT_LOOP_SHUTDOWN_SECONDS = 2;

    private final AppServerConfig config;
    private final Application givenApplication;
    private final TraceRecorder recorder;
    private final Metrics metricsRegistry;
    private final AppMetrics metrics;
    private final Object lifecycle = new Object();
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private ThreadPoolExecutor workers;
    private ResponderContext context;
    private final FaultPlan faults;
    /** The capacity this server emulates; null when the config declares none. */
    private final EmulatedCapacity capacity;
    private DatabaseCluster databases;
    private Channel serverChannel;
    private final List<SourceAddressRelay> relays = new ArrayList<>();
    /** Every open FastCGI connection, for {@link #kill()}. */
    private final Set<Channel> children = ConcurrentHashMap.newKeySet();
    private InetSocketAddress address;
    private boolean started;
    private boolean closed;

    /** An app server running the foobar.com guestbook. */
    public AppServer(AppServerConfig config) {
        this(config, null);
    }

    /** An app server running {@code application}; the server opens no database of its own. */
    public AppServer(AppServerConfig config, Application application) {
        this.config = config;
        this.givenApplication = application;
        this.recorder = config.traceRecorder() != null ? config.traceRecorder()
                : new TraceRecorder("app", config.instanceName());
        this.metricsRegistry = config.metrics() != null ? config.metrics() : new Metrics();
        this.metrics = new AppMetrics(metricsRegistry, config.instanceName());
        this.capacity = config.capacity() == null ? null : new EmulatedCapacity(config.capacity());
        this.faults = config.faults() != null ? config.faults() : new FaultPlan();
    }

    /**
     * The faults this server injects into its own connections, for tests: empty unless one adds some
     * ({@link FaultPlan}, docs/faults-inside-a-tier.md). A server without faults pays one volatile read per request.
     */
    public FaultPlan faults() {
        return faults;
    }

    /** Where this server records its hops: the config's recorder, or its own. */
    public TraceRecorder traceRecorder() {
        return recorder;
    }

    /** The registry holding this server's {@code foobar_app_*} metrics: the config's, or its own. */
    public Metrics metrics() {
        return metricsRegistry;
    }

    public AppServerConfig config() {
        return config;
    }

    /** Which version of the guestbook this server runs (the config's {@link AppServerConfig#appVersion()}). */
    public AppVersion version() {
        return config.appVersion();
    }

    public void start() {
        synchronized (lifecycle) {
            if (started) {
                throw new IllegalStateException("app-server " + config.instanceName() + " already started");
            }
            started = true;
            String name = config.instanceName();
            Application application = givenApplication;
            // epoll where Netty's native transport loads (Linux): it writes from buffers' memory addresses
            // directly, where NIO builds a ByteBuffer view per buffer written
            boolean epoll = Epoll.isAvailable();
            acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true),
                    epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            ioGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory(name + "-io", true),
                    epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            if (application == null) {
                databases = openDatabases(epoll);
                application = new GuestbookApplication(config, databases, recorder, metrics, capacity);
                DatabaseCluster dbs = databases;
                metrics.gauge(AppMetrics.DB_POOL_ACTIVE, "Pooled database connections lent out now",
                        () -> dbs.all().stream().mapToInt(db -> db.poolStats().getActiveConnections()).sum());
                metrics.gauge(AppMetrics.DB_POOL_IDLE, "Pooled database connections waiting to be lent",
                        () -> dbs.all().stream().mapToInt(db -> db.poolStats().getIdleConnections()).sum());
                metrics.gauge(AppMetrics.DB_POOL_WAITING, "Requests waiting for a pooled database connection",
                        () -> dbs.all().stream().mapToInt(db -> db.poolStats().getThreadsAwaitingConnection()).sum());
            }
            // A full queue makes execute() throw, and the request is refused with OVERLOADED. A queue of 0 (an
            // emulated capacity may ask for it) is a hand-off: a request starts only if a worker is free now.
            int queue = config.effectiveQueue();
            BlockingQueue<Runnable> waiting = queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
            workers = new ThreadPoolExecutor(config.effectiveWorkers(), config.effectiveWorkers(), 0,
                    TimeUnit.SECONDS, waiting, new DefaultThreadFactory(name + "-worker", true));
            context = new ResponderContext(config, application, workers, capacity,
                    new RateLimitedLog(config.badInputLog() != null ? config.badInputLog()
                            : LoggerFactory.getLogger(FastCgiResponderHandler.class),
                            BAD_INPUT_LOG_POLICY), recorder, metrics, faults);
            ResponderContext open = context;
            metrics.gauge(AppMetrics.CONNECTIONS_OPEN, "FastCGI connections open now", open::openConnections);
            FastCgiRecordEncoder encoder = new FastCgiRecordEncoder();
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptGroup, ioGroup)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (!config.acceptFilter().test(ch)) {
                                return; // refused by the host's firewall: nothing of it reaches the server
                            }
                            children.add(ch);
                            ch.closeFuture().addListener(f -> children.remove(ch));
                            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0,
                                    config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
                            ch.pipeline().addLast("records-in", new FastCgiRecordDecoder());
                            ch.pipeline().addLast("records-out", encoder);
                            ch.pipeline().addLast("responder", new FastCgiResponderHandler(context));
                        }
                    });
            try {
                serverChannel = bootstrap.bind(config.bindAddress(), config.port()).sync().channel();
            } catch (Exception e) {
                shutDownQuietly();
                String why = e instanceof BindException ? "address already in use or not available" : e.toString();
                throw new AppServerException("app-server " + name + " cannot listen on " + config.bindAddress()
                        + ":" + config.port() + ": " + why, e);
            }
            address = (InetSocketAddress) serverChannel.localAddress();
            LOG.info("app-server {} listening on {} (FastCGI responder, {}, database {}, capacity {})", name,
                    describe(address), givenApplication == null ? "guestbook " + version().word() : "application "
                            + givenApplication.getClass().getSimpleName(),
                    givenApplication == null ? (config.cluster() == null ? config.jdbcUrl()
                            : config.cluster().primaryName() + " (primary) and " + config.cluster().replicasName()
                            + " (replicas), asked of DNS at " + config.cluster().dnsServer()) : "none",
                    capacity == null ? "not emulated" : capacity.capacity().describe());
        }
    }

    /**
     * One pool per database: the one at {@code jdbcUrl}, or each of the cluster's, with the locator that says which
     * is the primary (DNS).
     */
    private DatabaseCluster openDatabases(boolean epoll) {
        InetAddress host = hostAddress();
        ClusterConfig cluster = config.cluster();
        if (cluster == null) {
            return DatabaseCluster.single(Database.open(config, config.dbName(), config.jdbcUrl(),
                    startRelayIfNeeded(host, config.jdbcUrl(), epoll)));
        }
        // With several databases a read waits for a connection only briefly before it tries another one: a replica
        // that died must not hold every read for the whole connection timeout.
        AppServerConfig pooled = config.toBuilder().dbConnectionTimeout(
                config.dbConnectionTimeout().compareTo(CLUSTER_CONNECTION_TIMEOUT) < 0 ? config.dbConnectionTimeout()
                        : CLUSTER_CONNECTION_TIMEOUT).build();
        Map<String, Database> pools = new LinkedHashMap<>();
        for (ClusterConfig.DatabaseTarget target : cluster.databases()) {
            pools.put(target.jdbcUrl(), Database.open(pooled, target.name(), target.jdbcUrl(),
                    startRelayIfNeeded(host, target.jdbcUrl(), epoll)));
        }
        return new DatabaseCluster(pools, new DnsDatabaseLocator(cluster, host), host.getHostAddress());
    }

    /** How long a request waits for a pooled connection when the app has several databases to choose from. */
    static final java.time.Duration CLUSTER_CONNECTION_TIMEOUT = java.time.Duration.ofMillis(500);

    private InetAddress hostAddress() {
        try {
            return InetAddress.getByName(config.bindAddress());
        } catch (java.net.UnknownHostException e) {
            throw new AppServerException("app-server " + config.instanceName() + ": not an address: "
                    + config.bindAddress(), e);
        }
    }

    /**
     * When this server's host has an address of its own, its database connections go through a relay that makes
     * them leave from that address ({@link SourceAddressRelay}); returns the relay's address, or null.
     */
    private InetSocketAddress startRelayIfNeeded(InetAddress host, String jdbcUrl, boolean epoll) {
        if (!SourceAddressRelay.needed(host)) {
            return null;
        }
        java.util.regex.Matcher url = java.util.regex.Pattern.compile("jdbc:derby://([^:/]+)(?::(\\d+))?/.*")
                .matcher(jdbcUrl);
        if (!url.matches()) {
            return null;
        }
        InetSocketAddress databaseAddress = new InetSocketAddress(url.group(1),
                url.group(2) == null ? 1527 : Integer.parseInt(url.group(2)));
        SourceAddressRelay relay = new SourceAddressRelay(host, databaseAddress, ioGroup,
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
                epoll ? io.netty.channel.epoll.EpollSocketChannel.class
                        : io.netty.channel.socket.nio.NioSocketChannel.class);
        relays.add(relay);
        return relay.start();
    }

    /**
     * Abrupt stop, as a power cut would look from outside: the listener closes, every FastCGI connection is
     * reset (SO_LINGER 0) with its requests, the workers are interrupted and the pool's database connections
     * dropped. Calling it again, or close() after it, does nothing.
     */
    public void kill() {
        synchronized (lifecycle) {
            if (closed || address == null) {
                closed = true;
                return;
            }
            closed = true;
            if (serverChannel != null) {
                serverChannel.close();
            }
            for (Channel ch : Set.copyOf(children)) {
                try {
                    if (ch.isActive()) {
                        ch.config().setOption(ChannelOption.SO_LINGER, 0);
                    }
                } catch (RuntimeException ignored) {
                    // closed meanwhile
                }
                ch.close();
            }
            for (SourceAddressRelay relay : relays) {
                relay.close(true);
            }
            shutDownQuietly();
            LOG.warn("app-server {} killed", config.instanceName());
        }
    }

    /** The bound address; after {@link #start()} only. */
    public InetSocketAddress address() {
        synchronized (lifecycle) {
            if (address == null) {
                throw new IllegalStateException("app-server " + config.instanceName() + " is not started");
            }
            return address;
        }
    }

    /** Whether the server is listening: started, and neither closed nor killed since. */
    public boolean running() {
        synchronized (lifecycle) {
            return address != null && !closed;
        }
    }

    /** How many FastCGI connections are open now. */
    public int openConnections() {
        return context == null ? 0 : context.openConnections();
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed || address == null) {
                // never started, or a failed start already released everything
                closed = true;
                return;
            }
            closed = true;
            long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
            // Step 1: no new requests on open connections. Step 2: no new connections. In this order, a client
            // that finds the port closed knows that a request it sends on a connection still open is refused
            // (OVERLOADED), not queued behind the ones being finished.
            context.startDraining();
            if (serverChannel != null) {
                serverChannel.close().awaitUninterruptibly();
            }
            // Step 3: let every accepted request end with its END_REQUEST: those whose body is still arriving
            // (they need the workers, so the pool stays open meanwhile), those waiting for a worker, those running.
            try {
                if (!context.awaitRequestsEnded(deadline)) {
                    LOG.warn("app-server {}: {} requests still in progress after {}, stopping them",
                            config.instanceName(), context.requestsInProgress(), config.shutdownTimeout());
                }
                workers.shutdown();
                if (!workers.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
                    workers.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                workers.shutdownNow();
            }
            // Step 4: each finished worker posted its answer to its connection's event loop. An event loop that
            // shuts down closes its channels before running queued tasks, so first let every loop run what is
            // queued (a task submitted now runs after them), and only then shut the loops down.
            for (io.netty.util.concurrent.EventExecutor loop : ioGroup) {
                loop.submit(() -> { }).awaitUninterruptibly(remaining(deadline) / 1_000_000 + 1);
            }
            shutDownQuietly();
            LOG.info("app-server {} stopped", config.instanceName());
        }
    }

    private void shutDownQuietly() {
        metrics.removeGauges();
        for (SourceAddressRelay relay : relays) {
            relay.close(false);
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, EVENT_LOOP_SHUTDOWN_SECONDS, TimeUnit.SECONDS)
                    .awaitUninterruptibly(EVENT_LOOP_SHUTDOWN_SECONDS + 1, TimeUnit.SECONDS);
        }
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, EVENT_LOOP_SHUTDOWN_SECONDS, TimeUnit.SECONDS)
                    .awaitUninterruptibly(EVENT_LOOP_SHUTDOWN_SECONDS + 1, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        if (databases != null) {
            databases.close();
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return "app-server " + config.instanceName() + (address == null ? "" : " on " + describe(address));
    }
}
