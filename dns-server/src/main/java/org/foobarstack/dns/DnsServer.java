package org.foobarstack.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server for the zones of one {@link DnsServerConfig}, on UDP and TCP at the
 * same address and port.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@code new DnsServer(config)}: nothing is read or bound yet;</li>
 *   <li>{@link #start()}: load and validate every zone (a bad zone stops the start with file,
 *       line and reason), create this server's own event loop group, bind UDP, then TCP on the
 *       same port, and start watching the zones directory for changes;</li>
 *   <li>serve: each datagram or TCP message goes through {@link QueryProcessor};</li>
 *   <li>{@link #reload()} (the admin command, also run when a zone file changes): re-read every
 *       zone; a refused file keeps its previous version serving;</li>
 *   <li>{@link #close()}: unbind, stop the threads; calling it again does nothing.</li>
 * </ol>
 * No state is static: many servers can run in one JVM on different addresses.
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    /** Logger of bad input (malformed packets...), at most one line per kind per minute. */
    public static final String PROBLEM_LOGGER = "org.foobarstack.dns.problems";
    /** Bad packets are cheap to send: one line per kind of problem per minute, with a count of the rest. */
    static final RateLimitedLog.Policy PROBLEM_LOG_POLICY = RateLimitedLog.Policy.perMinute(1);
    /** Logger of the query log, one INFO line per query; format in the module README. */
    public static final String QUERY_LOGGER = QueryLog.LOGGER_NAME;
    /** The tier name in traces. */
    public static final String TRACE_TIER = "dns";
    /** With port 0, attempts at finding a port free on both UDP and TCP. */
    static final int PORT_ZERO_ATTEMPTS = 20;
    /** RFC 1035 §4.2.2: the two-byte length prefix caps a TCP message at 65535 bytes. */
    static final int MAX_TCP_MESSAGE = 65535;
    /**
     * Largest UDP query read whole. A query is a question and an OPT (a few hundred bytes at
     * most); a larger datagram is cut by the socket and answered FORMERR. Each datagram gets a
     * buffer of this size while it is processed, so it is kept far below the 65535-byte maximum.
     */
    static final int MAX_QUERY_DATAGRAM = 4096;
    /** Native transport: datagrams one recvmmsg(2) call can return (the buffer holds this many slots). */
    static final int RECVMMSG_BATCH = 16;
    /** Datagrams read (and replies flushed together) per wake-up of the event loop. */
    static final int DATAGRAMS_PER_READ = 64;

    private final DnsServerConfig config;
    private final ZoneLoader loader;
    private final StatsCounters stats;
    private final TraceRecorder traceRecorder;
    private final Metrics metrics;
    private final DnsMetrics dnsMetrics;
    private final RateLimitedLog problemLog;
    private final FaultPlan faults;
    private final List<Runnable> reloadListeners = new CopyOnWriteArrayList<>();
    private volatile ZoneCatalog catalog;

    private EventLoopGroup group;
    private Channel udpChannel;
    private final List<Channel> extraUdpChannels = new ArrayList<>();
    private Channel tcpChannel;
    private ScheduledExecutorService zoneWatcher;
    private Map<Path, String> zoneFingerprints = Map.of();
    private boolean started;
    private boolean nativeTransportInUse;
    private boolean closed;

    public DnsServer(DnsServerConfig config) {
        this.config = config;
        this.loader = new ZoneLoader(config.webAddress(), config.bindAddress());
        this.problemLog = new RateLimitedLog(LoggerFactory.getLogger(PROBLEM_LOGGER), PROBLEM_LOG_POLICY);
        this.traceRecorder = config.traceRecorder() != null ? config.traceRecorder()
                : new TraceRecorder(TRACE_TIER, config.instanceName());
        this.metrics = config.metrics() != null ? config.metrics() : new Metrics();
        this.dnsMetrics = new DnsMetrics(metrics, config.instanceName());
        this.stats = new StatsCounters(dnsMetrics);
        this.faults = config.faults() != null ? config.faults() : new FaultPlan();
    }

    /**
     * The faults this server injects into its own answers, for tests: empty unless one adds some
     * ({@link FaultPlan}, trigger {@code QUERY}, {@code QUERY_OVER_UDP} or {@code QUERY_OVER_TCP}). A server
     * without faults pays one volatile read per query.
     */
    public FaultPlan faults() {
        return faults;
    }

    /** Where this server records the hops of each query (the configured one, or its own). */
    public TraceRecorder traceRecorder() {
        return traceRecorder;
    }

    /** The registry holding this server's {@code foobar_dns_*} metrics (the configured one, or its own). */
    public Metrics metrics() {
        return metrics;
    }

    public DnsServerConfig config() {
        return config;
    }

    /** Step 2 of the lifecycle. Throws {@link ZoneLoadException} for a bad zone, {@link IllegalStateException} if the port is taken. */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("dns-server: start() may be called once, on a server not closed");
        }
        started = true;
        ZoneLoader.Outcome outcome = loader.loadAll(ZoneLoader.sources(config));
        if (!outcome.refused().isEmpty()) {
            throw withOthers(outcome.refused());
        }
        if (outcome.loaded().isEmpty()) {
            throw new ZoneLoadException(String.valueOf(config.zonesDirectory()), 0,
                    "no zone files (*" + ZoneLoader.ZONE_FILE_SUFFIX + ") to serve");
        }
        catalog = new ZoneCatalog(outcome.loaded());
        zoneFingerprints = fingerprints();
        warmUp();

        QueryProcessor processor = new QueryProcessor(() -> catalog, config.axfrAllowFrom(), stats, new QueryLog(),
                problemLog, new QueryTracer(traceRecorder, config.tracedQueriesPerSecond(), dnsMetrics::untraced));
        boolean epoll = config.nativeTransport() && Epoll.isAvailable();
        if (config.nativeTransport() && !epoll) {
            LOG.warn("dns-server: native transport asked for but unavailable here ({}), falling back to NIO",
                    Epoll.unavailabilityCause().toString());
        }
        group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("dns-io"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.nativeTransportInUse = epoll;
        try {
            bind(processor);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        startZoneWatcher();
        LOG.info("dns-server: udp {} tcp {} serving {}{}", udpAddress(), tcpAddress(), catalog.zones(),
                config.responseRateLimit().enabled() ? ", response rate limit " + config.responseRateLimit() : "");
    }

    private void bind(QueryProcessor processor) {
        ResponseRateLimit limit = config.responseRateLimit();
        UdpQueryHandler udpHandler = new UdpQueryHandler(processor, problemLog, config.datagramFilter(),
                limit.enabled() ? new ResponseRateLimiter(limit, problemLog) : null, stats, faults);
        boolean reusePort = config.ioThreads() > 1;
        Bootstrap udp = new Bootstrap()
                .group(group)
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                // Keep reading datagrams after one arrived: the allocator's default guess ("the
                // buffer was not filled, so nothing more is waiting") is right for TCP streams and
                // wrong for datagrams, where it meant one system call to epoll per query.
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(MAX_QUERY_DATAGRAM).respectMaybeMoreData(false))
                .option(ChannelOption.MAX_MESSAGES_PER_READ, DATAGRAMS_PER_READ)
                .handler(udpHandler);
        // With several threads: one UDP socket per thread, all on the same port (SO_REUSEPORT);
        // the kernel spreads datagrams over them by client address, so every thread answers.
        if (nativeTransportInUse) {
            udp.channel(EpollDatagramChannel.class)
                    .option(EpollChannelOption.SO_REUSEPORT, reusePort)
                    // recvmmsg(2): one system call reads a batch of datagrams, each at most this big.
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(MAX_QUERY_DATAGRAM * RECVMMSG_BATCH)
                                    .respectMaybeMoreData(false));
        } else {
            udp.channel(NioDatagramChannel.class)
                    .option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), reusePort);
        }
        long idleMillis = config.tcpIdleTimeout().toMillis();
        ServerBootstrap tcp = new ServerBootstrap()
                .group(group)
                .channel(nativeTransportInUse ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!config.acceptFilter().test(ch)) {
                            return; // refused by the host's firewall: nothing of it reaches the server
                        }
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                // RFC 1035 §4.2.2: a two-byte length, then the message; strip the prefix.
                                .addLast(new LengthFieldBasedFrameDecoder(MAX_TCP_MESSAGE, 0,
                                        TcpQueryHandler.LENGTH_PREFIX, 0, TcpQueryHandler.LENGTH_PREFIX))
                                .addLast(new TcpQueryHandler(processor, problemLog, faults));
                    }
                });

        String host = config.bindAddress().getHostAddress();
        for (int attempt = 1; ; attempt++) {
            ChannelFuture udpBound = udp.bind(config.bindAddress(), config.port()).awaitUninterruptibly();
            if (!udpBound.isSuccess()) {
                throw new IllegalStateException("dns-server: cannot bind UDP " + host + ":" + config.port()
                        + " (" + udpBound.cause().getMessage() + "); is another server using that port?",
                        udpBound.cause());
            }
            Channel udpBoundChannel = udpBound.channel();
            int port = ((InetSocketAddress) udpBoundChannel.localAddress()).getPort();
            ChannelFuture tcpBound = tcp.bind(config.bindAddress(), port).awaitUninterruptibly();
            if (tcpBound.isSuccess()) {
                // TCP is bound without SO_REUSEPORT, so a second server on this port fails here,
                // loudly, instead of silently sharing the UDP traffic.
                udpChannel = udpBoundChannel;
                tcpChannel = tcpBound.channel();
                for (int i = 1; i < config.ioThreads(); i++) {
                    ChannelFuture more = udp.bind(config.bindAddress(), port).awaitUninterruptibly();
                    if (!more.isSuccess()) {
                        throw new IllegalStateException("dns-server: cannot bind UDP socket " + (i + 1) + " on " + host
                                + ":" + port + " (" + more.cause().getMessage() + ")", more.cause());
                    }
                    extraUdpChannels.add(more.channel());
                }
                return;
            }
            udpBoundChannel.close().awaitUninterruptibly();
            // With port 0 the UDP port was free but its TCP twin was taken: try another pair.
            if (config.port() != 0 || attempt >= PORT_ZERO_ATTEMPTS) {
                throw new IllegalStateException("dns-server: cannot bind TCP " + host + ":" + port
                        + " (" + tcpBound.cause().getMessage() + "); is another server using that port?",
                        tcpBound.cause());
            }
        }
    }

    /**
     * Runs a few queries per zone through a scratch processor (no counters, no query log), so the
     * first learner's dig does not pay for class loading: on a busy machine that took a second.
     */
    private void warmUp() {
        QueryProcessor scratch = new QueryProcessor(() -> catalog, config.axfrAllowFrom(), new StatsCounters(),
                new QueryLog(NOPLogger.NOP_LOGGER), new RateLimitedLog(NOPLogger.NOP_LOGGER),
                new QueryTracer(null, 0, () -> { }));
        InetSocketAddress nobody = new InetSocketAddress(config.bindAddress(), 0);
        for (AuthoritativeZone zone : catalog.zones()) {
            for (int type : new int[] {Type.SOA, Type.A, Type.MX}) {
                Message query = Message.newQuery(Record.newRecord(zone.origin(), type, DClass.IN));
                query.addRecord(new OPTRecord(QueryProcessor.EDNS_UDP_PAYLOAD, 0, 0), Section.ADDITIONAL);
                scratch.process(query.toWire(), nobody, Transport.UDP);
            }
        }
    }

    /** The bound UDP address (with the real port when the config said 0). */
    public InetSocketAddress udpAddress() {
        requireStarted();
        return (InetSocketAddress) udpChannel.localAddress();
    }

    /** The bound TCP address: always the same port as UDP. */
    public InetSocketAddress tcpAddress() {
        requireStarted();
        return (InetSocketAddress) tcpChannel.localAddress();
    }

    /**
     * The admin command: re-read every zone file. Good zones replace their old version at once;
     * a refused file keeps the old version serving and is reported by the thrown
     * {@link ZoneLoadException} (the first problem; others are attached as suppressed).
     */
    public synchronized void reload() {
        requireStarted();
        try {
            ZoneCatalog old = catalog;
            List<AuthoritativeZone> next = new ArrayList<>();
            List<ZoneLoadException> refused = new ArrayList<>();
            for (ZoneLoader.ZoneSource source : ZoneLoader.sources(config)) {
                try {
                    next.add(loader.load(source));
                } catch (ZoneLoadException e) {
                    refused.add(e);
                    AuthoritativeZone previous = old.zoneAt(source.origin());
                    if (previous != null) {
                        next.add(previous);
                    }
                }
            }
            catalog = new ZoneCatalog(next);
            zoneFingerprints = fingerprints();
            if (!refused.isEmpty()) {
                ZoneLoadException first = withOthers(refused);
                LOG.warn("dns-server: reload refused {}; still serving {}", first.getMessage(), catalog.zones());
                throw first;
            }
            LOG.info("dns-server: reloaded, serving {}", catalog.zones());
        } finally {
            reloadListeners.forEach(Runnable::run);
        }
    }

    /** Called after each reload attempt (admin command or file change), successful or not. */
    public void addReloadListener(Runnable listener) {
        reloadListeners.add(listener);
    }

    /** The zones being served now, with their SOA serials. */
    public Map<String, Long> zoneSerials() {
        requireStarted();
        Map<String, Long> serials = new LinkedHashMap<>();
        for (AuthoritativeZone zone : catalog.zones()) {
            serials.put(zone.origin().toString(), zone.serial());
        }
        return serials;
    }

    /** The text of a zone as served (placeholders substituted): what NSD is given in the interop check. */
    public String zoneText(String origin) {
        for (ZoneLoader.ZoneSource source : ZoneLoader.sources(config)) {
            if (source.origin().toString().equals(origin) || source.origin().toString(true).equals(origin)) {
                return loader.substitute(source.text());
            }
        }
        throw new IllegalArgumentException("no zone " + origin);
    }

    /**
     * True if the server runs on Linux's native epoll transport rather than NIO, judged by the sockets actually
     * bound: every UDP socket and the TCP listener.
     */
    public synchronized boolean nativeTransportInUse() {
        requireStarted();
        boolean epoll = udpChannel instanceof EpollDatagramChannel && tcpChannel instanceof EpollServerSocketChannel;
        for (Channel extra : extraUdpChannels) {
            epoll &= extra instanceof EpollDatagramChannel;
        }
        return epoll;
    }

    public DnsStats stats() {
        return stats.snapshot();
    }

    private void startZoneWatcher() {
        long every = config.zoneCheckInterval().toMillis();
        if (config.zonesDirectory() == null || every == 0) {
            return;
        }
        zoneWatcher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("dns-zone-watch", true));
        zoneWatcher.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    }

    private void reloadIfChanged() {
        try {
            synchronized (this) {
                if (closed || fingerprints().equals(zoneFingerprints)) {
                    return;
                }
            }
            reload();
        } catch (RuntimeException e) {
            // Already logged by reload(); the watcher keeps running for the next change.
            LOG.debug("zone reload after file change failed", e);
        }
    }

    /** Name, size and modification time of every zone file: a change in any means "reload". */
    private Map<Path, String> fingerprints() {
        if (config.zonesDirectory() == null) {
            return Map.of();
        }
        Map<Path, String> prints = new LinkedHashMap<>();
        try {
            for (Path file : ZoneLoader.zoneFiles(config.zonesDirectory())) {
                prints.put(file, Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis());
            }
        } catch (IOException | RuntimeException e) {
            prints.put(config.zonesDirectory(), "unreadable: " + e.getMessage());
        }
        return prints;
    }

    private void requireStarted() {
        if (!started || udpChannel == null) {
            throw new IllegalStateException("dns-server: not started");
        }
    }

    private static ZoneLoadException withOthers(List<ZoneLoadException> problems) {
        ZoneLoadException first = problems.get(0);
        for (int i = 1; i < problems.size(); i++) {
            first.addSuppressed(problems.get(i));
        }
        return first;
    }

    /** Step 5 of the lifecycle: unbind both listeners, stop the threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (zoneWatcher != null) {
            zoneWatcher.shutdownNow();
        }
        if (udpChannel != null) {
            udpChannel.close().awaitUninterruptibly();
        }
        for (Channel extra : extraUdpChannels) {
            extra.close().awaitUninterruptibly();
        }
        if (tcpChannel != null) {
            tcpChannel.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** Whether the server is answering: started, and neither closed nor killed since. */
    public synchronized boolean running() {
        return udpChannel != null && !closed;
    }

    /**
     * Abrupt stop, as a power cut would look from outside: the sockets close at once, without waiting for
     * queries in progress or a graceful end of the event loops. close() after it does nothing.
     */
    public synchronized void kill() {
        if (closed) {
            return;
        }
        closed = true;
        if (zoneWatcher != null) {
            zoneWatcher.shutdownNow();
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "DnsServer[" + (udpChannel == null ? "not started" : udpAddress()) + "]";
    }
}
