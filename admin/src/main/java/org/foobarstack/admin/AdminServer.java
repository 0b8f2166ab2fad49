package org.foobarstack.admin;

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
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's admin server (default 127.0.0.1:9090): {@code /metrics}, {@code /health}, the topology and
 * trace JSON APIs, and the dashboard page. It speaks HTTP/1.1 with the web tier's own hand-written parser and
 * response-head encoder; {@link AdminRoutes} lists the routes.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@code new AdminServer(config, hub, metrics, topology)}: nothing is bound yet. The topology supplier
 *       is called on every {@code /health} and {@code /api/topology} request and should probe the tiers for
 *       real; it runs on the admin server's worker threads, never on a tier's.</li>
 *   <li>{@link #start()}: binds the port. A taken port fails with an {@link IOException} naming the admin
 *       tier, the address and what to do.</li>
 *   <li>{@link #address()}: the bound address (the real port when the config asked for 0).</li>
 *   <li>{@link #close()}: stops listening, closes open connections, stops the threads. Safe to call twice,
 *       and after a failed start.</li>
 * </ol>
 *
 * <p>Threads: one event loop does the socket work; routes run on a small worker group, so that a slow topology
 * probe never stalls the sockets. Each connection stays on one worker, which keeps its responses in order.
 */
public final class AdminServer implements AutoCloseable {

    public static final String TIER = "admin";

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final ResponseHeadEncoder RESPONSE_HEAD_ENCODER = new ResponseHeadEncoder();
    private static final int WORKER_THREADS = 2;
    private static final long STOP_TIMEOUT_MILLIS = 2000;

    private final AdminConfig config;
    private final HttpRoutes routes;
    /** How messages name this server: "admin", or "toxiproxy" for {@link ToxiproxyServer}'s. */
    private final String tier;
    /** What the start-up log line lists after the address. */
    private final String contents;
    private final DateHeader date = new DateHeader();
    private final RateLimitedLog badRequests = new RateLimitedLog(log, RateLimitedLog.Policy.FIVE_PER_SECOND);

    private EventLoopGroup loop;
    private EventExecutorGroup workers;
    private ChannelGroup channels;
    /** The handlers of open connections, so that close() can wait for their pipelines to be torn down. */
    private final Set<AdminConnectionHandler> handlers = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress address;
    private boolean started;
    private boolean closed;

    /** An admin server that reports a list of tiers and controls nothing. */
    public AdminServer(AdminConfig config, TraceHub hub, Metrics metrics, Supplier<List<TierStatus>> topology) {
        this(config, hub, metrics, StackControl.readOnly(topology), null);
    }

    /**
     * An admin server for a running topology.
     *
     * @param stack the topology's state and its host actions
     * @param token what {@code POST /api/hosts/...} must present as {@code Authorization: Bearer <token>}; null
     *              refuses every action
     */
    public AdminServer(AdminConfig config, TraceHub hub, Metrics metrics, StackControl stack, String token) {
        this.config = Objects.requireNonNull(config, "config");
        this.routes = new AdminRoutes(hub, metrics, stack, token, this::endpoint);
        this.tier = TIER;
        this.contents = "dashboard /, metrics /metrics, health /health";
    }

    /**
     * A server with the admin server's plumbing (parser, connection handler, threads) and other routes: what
     * {@link ToxiproxyServer} runs on.
     *
     * @param tier     how its messages name it
     * @param contents what its start-up log line lists after the address
     */
    AdminServer(AdminConfig config, HttpRoutes routes, String tier, String contents) {
        this.config = Objects.requireNonNull(config, "config");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.tier = Objects.requireNonNull(tier, "tier");
        this.contents = Objects.requireNonNull(contents, "contents");
    }

    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException(tier + " " + config.serverName() + " already "
                    + (closed ? "closed" : "started") + "; make a new AdminServer");
        }
        started = true;
        loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new DefaultEventExecutorGroup(WORKER_THREADS);
        channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        long idle = config.idleTimeout().toMillis();
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                                .addLast("parser", new HttpRequestParser(config.limits()))
                                .addLast("responseHead", RESPONSE_HEAD_ENCODER)
                                .addLast(workers, "admin", newHandler());
                    }
                });
        InetSocketAddress requested;
        try {
            requested = new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port());
        } catch (IOException e) {
            close();
            throw new IOException(tier + " " + config.serverName() + ": bind address " + config.bindAddress()
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
                throw new IOException(tier + " " + config.serverName() + ": cannot listen on HTTP port " + where
                        + " (address already in use); stop whatever holds it or choose another " + tier + " port "
                        + "(0 picks a free one)", e);
            }
            throw new IOException(tier + " " + config.serverName() + ": cannot listen on HTTP port " + where
                    + ": " + e.getMessage(), e);
        }
        log.info("{} {} listening on http://{} ({})", tier,
                config.serverName(), endpoint(), contents);
    }

    private AdminConnectionHandler newHandler() {
        AdminConnectionHandler handler = new AdminConnectionHandler(routes, date, badRequests);
        handlers.add(handler);
        handler.removed().thenRun(() -> handlers.remove(handler));
        return handler;
    }

    /** The bound address; null before {@link #start()}. */
    public InetSocketAddress address() {
        return address;
    }

    public AdminConfig config() {
        return config;
    }

    /** "127.0.0.1:9090", or the configured one before start. */
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
        if (channels != null) {
            channels.close().awaitUninterruptibly();
        }
        // A closed connection's pipeline is torn down by tasks that pass between the event loop and the
        // workers; the last worker task of each is the admin handler's removal. Once every one has run, the
        // workers can stop, and after them the loop (which still runs the tasks the workers handed it).
        CompletableFuture<?>[] removals = handlers.stream().map(AdminConnectionHandler::removed)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(removals).get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("{} {}: connections still closing after {} ms; stopping anyway", tier, config.serverName(),
                    STOP_TIMEOUT_MILLIS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        if (loop != null) {
            loop.shutdownGracefully(0, STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        if (address != null) {
            log.info("{} {} stopped", tier, config.serverName());
        }
    }
}
