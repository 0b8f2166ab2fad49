package org.foobarstack.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.foobarstack.fastcgi.client.FastCgiClient;
import org.foobarstack.fastcgi.client.FastCgiClientConfig;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.http.server.ConnectionEvent;
import org.foobarstack.http.server.ConnectionLimiter;
import org.foobarstack.http.server.FastCgiProxyHandler;
import org.foobarstack.http.server.HealthHandler;
import org.foobarstack.http.server.HttpConnectionHandler;
import org.foobarstack.http.server.HttpMetrics;
import org.foobarstack.http.server.RequestHandler;
import org.foobarstack.http.server.RequestTimeouts;
import org.foobarstack.http.server.Router;
import org.foobarstack.http.server.ServerContext;
import org.foobarstack.http.server.ShippedSite;
import org.foobarstack.http.server.StaticFileHandler;
import org.foobarstack.http.server.VirtualHosts;
import org.foobarstack.http.tls.LocalCertificateAuthority;
import org.foobarstack.http.tls.TlsContexts;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The web tier: static files for foobar.com and {@code /api/*} passed to the app tier over FastCGI, on an HTTP
 * port and an HTTPS port.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@code new WebServer(config)}: nothing happens yet; {@link #addRoute} may add endpoints.</li>
 *   <li>{@link #start()}: prepares the document root (copying the shipped site on first start), creates or loads
 *       the local certificate authority, and binds both ports. A taken port fails with an exception naming the
 *       tier and the port; nothing is left running.</li>
 *   <li>{@link #httpAddress()}, {@link #httpsAddress()}: the bound addresses, real ports when 0 was asked.</li>
 *   <li>{@link #close()}: stops accepting, lets requests in flight finish (up to the shutdown timeout), closes
 *       idle connections, then everything else. Calling it again does nothing.</li>
 * </ol>
 * Each connection's pipeline, from the socket inwards:
 * <pre>
 *   [SslHandler] → ConnectionLimiter → RequestTimeouts → HttpRequestParser → ResponseHeadEncoder
 *       → [ChunkedWriteHandler] → HttpConnectionHandler → Router → StaticFileHandler | FastCgiProxyHandler
 * </pre>
 * Nothing here is static: several servers can run in one JVM on different addresses.
 */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);
    private static final String TIER = "web server";

    private final WebServerConfig config;
    private final ServerContext context;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final List<Channel> listeners = new ArrayList<>();
    private final List<Router.Route> extraRoutes = new ArrayList<>();

    private EventLoopGroup group;
    private FastCgiClient appClient;
    private StaticFileHandler staticFiles;
    private Path documentRoot;
    /** Written by the TLS builder's thread during {@link #start()}, read after it. */
    private volatile LocalCertificateAuthority certificateAuthority;
    private volatile TlsContexts.TlsEngine tlsEngine;
    private InetSocketAddress httpAddress;
    private InetSocketAddress httpsAddress;
    private boolean started;
    private boolean closed;

    public WebServer(WebServerConfig config) {
        this.config = config;
        this.context = new ServerContext(config);
    }

    public WebServerConfig config() {
        return config;
    }

    /**
     * The faults this server injects into its own connections, for tests: empty unless one adds some
     * ({@link FaultPlan}, docs/faults-inside-a-tier.md). A server without faults pays one volatile read per request.
     */
    public FaultPlan faults() {
        return context.faults();
    }

    /**
     * Adds a handler for every path under {@code prefix} (e.g. "/dns-query"), tried before {@code /api/} and the
     * static files. Call before {@link #start()}. A handler that is {@link AutoCloseable} is the server's from
     * then on: closed when the server is closed or killed.
     */
    public synchronized WebServer addRoute(String prefix, RequestHandler handler) {
        if (started) {
            throw new IllegalStateException("routes are added before start()");
        }
        extraRoutes.add(new Router.Route(prefix, handler));
        return this;
    }

    public synchronized void start() throws IOException {
        if (started) {
            throw new IllegalStateException(TIER + " " + config.serverName() + " already started");
        }
        started = true;
        documentRoot = config.documentRoot() != null
                ? config.documentRoot()
                : ShippedSite.install(config.dataDirectory().resolve("www"));
        // The TLS context is the slowest step of a start (the certificate authority read or made, the key and
        // chain parsed, the engine's first context: about 300 ms on the machine of bench/startup), and nothing
        // but the HTTPS listener needs it: it is built on a thread of its own while HTTP gets ready and binds.
        CompletableFuture<SslContext> tlsReady = config.httpsEnabled() ? buildTlsContextInBackground() : null;
        SslContext tls = null;

        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        group = new MultiThreadIoEventLoopGroup(config.effectiveIoThreads(), io);

        WebServerConfig.Limits limits = config.limits();
        // connections to the app tier leave from this server's own address, so the app tier (and a firewall in
        // front of it) sees which host called; a wildcard bind leaves the choice to the kernel
        InetAddress bound = InetAddress.getByName(config.bindAddress());
        appClient = new FastCgiClient(config.appServerAddress(), clientChannel, FastCgiClientConfig.defaults()
                .withConnectTimeout(limits.appConnectTimeout())
                .withResponseTimeout(limits.appTimeout())
                .withSourceAddress(bound.isAnyLocalAddress() ? null : bound));
        staticFiles = new StaticFileHandler(documentRoot, config.directoryListing());
        Router router = new Router(new VirtualHosts(config.siteDomain(), config.redirectApexToWww()), staticFiles);
        for (Router.Route route : extraRoutes) {
            router.route(route.prefix(), route.handler());
        }
        router.route("/api/", new FastCgiProxyHandler(appClient, "/api", documentRoot.toString(),
                config.appScriptFilename()));
        // GET /health, what a load balancer's check asks, before everything else (even the apex redirect)
        RequestHandler root = new HealthHandler(config.serverName(), router);

        try {
            httpAddress = bind(serverChannel, config.httpPort(), "HTTP", root, null);
            if (tlsReady != null) {
                tls = awaitTlsContext(tlsReady);
                tlsEngine = TlsContexts.engineOf(tls);
                httpsAddress = bind(serverChannel, config.httpsPort(), "HTTPS", root, tls);
            }
        } catch (IOException | RuntimeException e) {
            if (tlsReady != null) {
                // let the builder finish with the data directory before the caller, told of the failure, cleans up
                tlsReady.handle((context, failure) -> null).join();
            }
            close();
            throw e;
        }
        log.info("{} {} listening on http://{}{}, serving {}", TIER, config.serverName(), hostPort(httpAddress),
                httpsAddress == null ? ""
                        : " and https://" + hostPort(httpsAddress) + " (TLS by " + TlsContexts.engineOf(tls) + ")",
                documentRoot);
    }

    /** The certificate authority (read, or made the first time) and the TLS context, on a thread of their own. */
    private CompletableFuture<SslContext> buildTlsContextInBackground() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                certificateAuthority = LocalCertificateAuthority.openOrCreate(
                        config.dataDirectory().resolve("tls"),
                        List.of(config.siteDomain(), "www." + config.siteDomain()));
                return TlsContexts.forServer(certificateAuthority);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> {
            Thread builder = new Thread(task, TIER + "-" + config.serverName() + "-tls");
            builder.setDaemon(true);
            builder.start();
        });
    }

    private static SslContext awaitTlsContext(CompletableFuture<SslContext> tlsReady) throws IOException {
        try {
            return tlsReady.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private InetSocketAddress bind(Class<? extends ServerChannel> channelType, int port, String scheme,
                                   RequestHandler router, SslContext tls) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!config.acceptFilter().test(ch)) {
                            return; // refused by the host's firewall: nothing of it reaches the server
                        }
                        connections.add(ch);
                        ch.closeFuture().addListener(f -> connections.remove(ch));
                        if (context.shuttingDown()) {
                            ch.close();
                            return;
                        }
                        WebServerConfig.Limits limits = config.limits();
                        TraceRecorder tracer = context.traceRecorder();
                        RequestTimeouts timeouts = new RequestTimeouts(limits.headerTimeout(),
                                limits.keepAliveTimeout());
                        if (tls != null) {
                            ch.pipeline().addLast("tls", TlsContexts.newServerHandler(tls, ch.alloc()));
                        }
                        ch.pipeline().addLast("limiter", new ConnectionLimiter(context));
                        ch.pipeline().addLast("timeouts", timeouts);
                        ch.pipeline().addLast("parser", new HttpRequestParser(limits.parserLimits(),
                                tracer::enabled));
                        ch.pipeline().addLast("responseHead", RESPONSE_HEAD_ENCODER);
                        if (tls != null) {
                            ch.pipeline().addLast("chunkedFiles", new ChunkedWriteHandler());
                        }
                        ch.pipeline().addLast("connection",
                                new HttpConnectionHandler(context, router, timeouts, tls != null));
                    }
                });
        InetSocketAddress requested = new InetSocketAddress(config.bindAddress(), port);
        try {
            Channel channel = bootstrap.bind(requested).syncUninterruptibly().channel();
            listeners.add(channel);
            return (InetSocketAddress) channel.localAddress();
        } catch (Exception e) {
            if (e instanceof BindException || e.getCause() instanceof BindException
                    || String.valueOf(e.getMessage()).contains("in use")) {
                throw new IOException(TIER + " " + config.serverName() + ": cannot listen on " + scheme + " port "
                        + hostPort(requested) + " (address already in use); stop whatever holds it or choose "
                        + "another port", e);
            }
            throw new IOException(TIER + " " + config.serverName() + ": cannot listen on " + scheme + " port "
                    + hostPort(requested) + ": " + e.getMessage(), e);
        }
    }

    private static final ResponseHeadEncoder RESPONSE_HEAD_ENCODER = new ResponseHeadEncoder();

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** The bound HTTP address; null before {@link #start()}. */
    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    /** The bound HTTPS address; null before start or when HTTPS is disabled. */
    public InetSocketAddress httpsAddress() {
        return httpsAddress;
    }

    /** The local CA's certificate (PEM), for {@code curl --cacert}; null when HTTPS is disabled. */
    /** The TLS engine of the HTTPS port (BoringSSL where its native library loads), or null without HTTPS. */
    public TlsContexts.TlsEngine tlsEngine() {
        return tlsEngine;
    }

    public Path caCertificate() {
        return certificateAuthority == null ? null : certificateAuthority.caCertificate();
    }

    /** The directory being served. */
    public Path documentRoot() {
        return documentRoot;
    }

    /** Where this server records its hops (the one given in the config, or its own). */
    public TraceRecorder traceRecorder() {
        return context.traceRecorder();
    }

    /** The registry holding this server's {@code foobar_http_*} metrics. */
    public Metrics metrics() {
        return context.metrics();
    }

    /** Whether the server is listening: started, and neither closed nor killed since. */
    public synchronized boolean running() {
        return httpAddress != null && !closed;
    }

    /** Connections open right now. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Abrupt stop, as a power cut would look from outside: the listeners close and every connection is reset
     * (SO_LINGER 0), whatever it was doing; requests in flight are lost. Calling it again, or close() after it,
     * does nothing.
     */
    public synchronized void kill() {
        if (closed) {
            return;
        }
        closed = true;
        context.beginShutdown();
        for (Channel listener : listeners) {
            listener.close();
        }
        for (Channel ch : List.copyOf(connections)) {
            try {
                if (ch.isActive()) {
                    ch.config().setOption(ChannelOption.SO_LINGER, 0);
                }
            } catch (RuntimeException ignored) {
                // closed meanwhile
            }
            ch.close();
        }
        closeHandlers();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        context.metrics().removeGaugeSource(HttpMetrics.OPEN_CONNECTIONS, List.of(config.serverName()));
        log.warn("{} {} killed", TIER, config.serverName());
    }

    /**
     * Graceful stop: (1) stop accepting; (2) ask every connection to finish its request in flight and close,
     * idle ones at once; (3) wait up to the shutdown timeout; (4) close what is left; (5) stop the threads.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.beginShutdown();
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(ConnectionEvent.SHUTDOWN));
        }
        long deadline = System.nanoTime() + config.limits().shutdownTimeout().toNanos();
        for (Channel ch : List.copyOf(connections)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
        for (Channel ch : List.copyOf(connections)) {
            ch.close();
        }
        closeHandlers();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        context.metrics().removeGaugeSource(HttpMetrics.OPEN_CONNECTIONS, List.of(config.serverName()));
        if (httpAddress != null) {
            log.info("{} {} stopped", TIER, config.serverName());
        }
    }

    /** The handlers' own resources: the FastCGI client, open files, and each added route that is closeable. */
    private void closeHandlers() {
        if (appClient != null) {
            appClient.close();
        }
        if (staticFiles != null) {
            staticFiles.close();
        }
        for (Router.Route route : extraRoutes) {
            if (route.handler() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    log.warn("{} {}: closing the handler of {} failed: {}", TIER, config.serverName(),
                            route.prefix(), e.toString());
                }
            }
        }
    }
}
