package org.foobarstack.monitoring;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.trace.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring server host (default port 9300): receives each host's pushes, keeps {@code retention} (10 min)
 * of every series, evaluates the alert rules every second, and serves it all, both ways:
 *
 * <ul>
 *   <li>push in: {@code POST /api/push} from each host's {@link MonitoringClient};</li>
 *   <li>pull out: {@code GET /metrics}, every host's latest samples with a {@code host} label, for a real
 *       Prometheus to scrape (as it would scrape a Pushgateway);</li>
 *   <li>its own answers: {@code /api/hosts}, {@code /api/series}, {@code /api/summary}, {@code /api/alerts}
 *       (see {@link MonitoringRoutes}).</li>
 * </ul>
 *
 * <p>Lifecycle: {@code new MonitoringServer(config, clock)} binds nothing; {@link #start()} listens and starts the
 * evaluations; {@link #address()} is the bound address; {@link #close()} stops both, safe to call twice.
 *
 * <p>Threads: one event loop does the socket work; routes run on a small worker group, so that a large push
 * being parsed never stalls the sockets; the alert evaluation runs on the clock's thread.
 */
public final class MonitoringServer implements AutoCloseable {

    public static final String TIER = "monitoring";

    private static final Logger log = LoggerFactory.getLogger(MonitoringServer.class);
    private static final ResponseHeadEncoder RESPONSE_HEAD_ENCODER = new ResponseHeadEncoder();
    private static final int WORKER_THREADS = 2;
    private static final long STOP_TIMEOUT_MILLIS = 2000;

    private final MonitoringConfig config;
    private final MonitoringClock clock;
    private final SeriesStore store;
    private final MonitoringQueries queries;
    private final AlertEvaluator evaluator;
    private final MonitoringRoutes routes;
    private final DateHeader date = new DateHeader();
    private final RateLimitedLog badRequests = new RateLimitedLog(log);
    private final Set<MonitoringConnectionHandler> handlers = ConcurrentHashMap.newKeySet();

    private EventLoopGroup loop;
    private EventExecutorGroup workers;
    private ChannelGroup channels;
    private MonitoringClock.Repeating evaluations;
    private volatile InetSocketAddress address;
    private boolean started;
    private boolean closed;

    /** A server on the system clock. */
    public MonitoringServer(MonitoringConfig config) {
        this(config, MonitoringClock.system());
    }

    public MonitoringServer(MonitoringConfig config, MonitoringClock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.store = new SeriesStore(config.retention(), config.pushInterval());
        this.queries = new MonitoringQueries(store, config, clock.now());
        this.evaluator = new AlertEvaluator(config.rules());
        this.routes = new MonitoringRoutes(config, clock, store, queries, evaluator);
    }

    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException(TIER + " " + config.serverName() + " already "
                    + (closed ? "closed" : "started") + "; make a new MonitoringServer");
        }
        started = true;
        loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new DefaultEventExecutorGroup(WORKER_THREADS);
        channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ParserLimits limits = new ParserLimits(ParserLimits.defaults().maxRequestLineBytes(),
                ParserLimits.defaults().maxHeaderBytes(), ParserLimits.defaults().maxHeaderFields(),
                config.maxPushBytes());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!config.acceptFilter().test(ch)) {
                            return; // refused by the host's firewall: nothing of it reaches the server
                        }
                        channels.add(ch);
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(),
                                        TimeUnit.MILLISECONDS))
                                .addLast("parser", new HttpRequestParser(limits))
                                .addLast("responseHead", RESPONSE_HEAD_ENCODER)
                                .addLast(workers, "monitoring", newHandler());
                    }
                });
        InetSocketAddress requested;
        try {
            requested = new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port());
        } catch (IOException e) {
            close();
            throw new IOException(TIER + " " + config.serverName() + ": bind address " + config.bindAddress()
                    + " is not an IP address", e);
        }
        try {
            Channel listener = bootstrap.bind(requested).syncUninterruptibly().channel();
            channels.add(listener);
            address = (InetSocketAddress) listener.localAddress();
        } catch (Exception e) {
            close();
            String where = requested.getHostString() + ":" + requested.getPort();
            if (e instanceof BindException || e.getCause() instanceof BindException
                    || String.valueOf(e.getMessage()).contains("in use")) {
                throw new IOException(TIER + " " + config.serverName() + ": cannot listen on " + where
                        + " (address already in use); stop whatever holds it or choose another port "
                        + "(0 picks a free one)", e);
            }
            throw new IOException(TIER + " " + config.serverName() + ": cannot listen on " + where + ": "
                    + e.getMessage(), e);
        }
        evaluations = clock.every(config.evaluationInterval(), "monitoring-alerts " + config.serverName(),
                this::evaluateAlerts);
        log.info("{} {} listening on http://{} (push POST /api/push, scrape /metrics, alerts /api/alerts)", TIER,
                config.serverName(), endpoint());
    }

    private MonitoringConnectionHandler newHandler() {
        MonitoringConnectionHandler handler = new MonitoringConnectionHandler(routes, date, badRequests);
        handlers.add(handler);
        handler.removed().thenRun(() -> handlers.remove(handler));
        return handler;
    }

    /** One evaluation of the alert rules, now; the server runs it every evaluation interval. */
    public List<AlertEvent> evaluateAlerts() {
        return evaluator.evaluate(queries.snapshot(clock.now()));
    }

    /** Calls {@code listener} with every alert transition, on the evaluating thread. */
    public void onAlert(Consumer<AlertEvent> listener) {
        evaluator.onAlert(listener);
    }

    public List<Alert> alerts() {
        return evaluator.alerts();
    }

    public List<HostStatus> hosts() {
        return queries.hosts(clock.now());
    }

    public List<InstanceSummary> summary() {
        return queries.summary(clock.now());
    }

    /** Started and not closed. */
    public synchronized boolean running() {
        return started && !closed;
    }

    /**
     * Forgets a host that was taken out of the design on purpose (scaled in): its series go, it is no longer
     * expected, and its silence is therefore not an outage (a HostDown alert for it resolves at the next
     * evaluation). A host of that name that pushes again is simply new.
     */
    public void forget(String host) {
        queries.forget(host);
        store.forget(host);
        log.info("monitoring {}: forgot host {} (taken out of the design)", config.serverName(), host);
    }

    /** The bound address; null before {@link #start()}. */
    public InetSocketAddress address() {
        return address;
    }

    public MonitoringConfig config() {
        return config;
    }

    private String endpoint() {
        InetSocketAddress bound = address;
        return bound != null ? bound.getHostString() + ":" + bound.getPort()
                : config.bindAddress() + ":" + config.port();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (evaluations != null) {
            evaluations.close();
        }
        if (channels != null) {
            channels.close().awaitUninterruptibly();
        }
        // as in the admin server: every connection's pipeline is torn down by tasks passing between the loop and
        // the workers; once each handler is removed, the workers and then the loop can stop
        CompletableFuture<?>[] removals = handlers.stream().map(MonitoringConnectionHandler::removed)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(removals).get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("{} {}: connections still closing after {} ms; stopping anyway", TIER, config.serverName(),
                    STOP_TIMEOUT_MILLIS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        if (loop != null) {
            loop.shutdownGracefully(0, STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        if (address != null) {
            log.info("{} {} stopped", TIER, config.serverName());
        }
    }
}
