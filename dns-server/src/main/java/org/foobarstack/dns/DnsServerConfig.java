package org.foobarstack.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import io.netty.channel.epoll.Epoll;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;

/**
 * Everything one DNS server instance needs to know, as an immutable value.
 *
 * <p>Build it with {@link #builder()}; every field has a default that gives the stack's usual
 * server: {@code 127.0.0.1:5300}, the shipped {@code foobar.com} zone with {@code www} as an A
 * record, zone transfers allowed from loopback only.
 *
 * @param bindAddress address both listeners bind to (UDP and TCP share it)
 * @param port port both listeners bind to; 0 picks a free one ({@link DnsServer#udpAddress()} tells which)
 * @param zonesDirectory directory holding one {@code <origin>.zone} file per zone; {@code null}
 *     means "the zones shipped inside the jar"
 * @param wwwAsCname only for the shipped zones: {@code false} serves the variant where
 *     {@code www.foobar.com} is an A record, {@code true} the variant where it is a CNAME to the apex
 * @param webAddress IPv4 address of the web tier, written into the zone wherever it says
 *     {@value ZoneLoader#WEB_ADDRESS_PLACEHOLDER}
 * @param axfrAllowFrom networks (CIDR) allowed to transfer zones (RFC 5936 §6)
 * @param tcpIdleTimeout a TCP connection with no query for this long is closed (RFC 7766 §6.2.3)
 * @param zoneCheckInterval how often the zones directory is checked for changed files; zero turns
 *     the check off (reload then happens only through {@link DnsServer#reload()})
 * @param ioThreads threads of the event loop group that serves UDP and TCP; with more than one,
 *     each thread gets its own UDP socket on the shared port (SO_REUSEPORT)
 * @param nativeTransport use Linux's epoll transport (recvmmsg(2) reads a batch of datagrams in one system
 *     call) instead of Java NIO. The default wherever Netty's epoll library loads ({@link #NATIVE_BY_DEFAULT}):
 *     measured against NSD, it answers UDP queries about a fifth faster than NIO on the same machine
 *     (bench/dns/RESULTS.md); NIO elsewhere, or when this is false ({@code --nio})
 * @param instanceName this instance's name in traces and in the {@code instance} label of its
 *     metrics ({@code dns-1} by default; several DNS servers in one stack need different names)
 * @param traceRecorder where the server records the two hops of every query (the query received,
 *     the answer sent); {@code null} means a recorder of its own, tier {@code dns}
 * @param metrics the registry its {@code foobar_dns_*} metrics go into; {@code null} means a
 *     registry of its own ({@link DnsServer#metrics()})
 * @param tracedQueriesPerSecond at most this many queries a second are recorded as hops; the
 *     others are answered and counted but not traced (decoding two messages into field trees
 *     costs tens of microseconds, several times the cost of answering). A learner's dig or a
 *     browser stays far below the default; a load test does not pay for tracing every query.
 *     {@link Integer#MAX_VALUE} traces every query.
 * @param acceptFilter decides, for each accepted connection, whether it goes on; false means the filter has
 *     already dealt with it (a host's firewall: reset at once, or held unanswered), and the server adds nothing to
 *     it and never reads from it. Every connection goes on by default.
 * @param datagramFilter decides, for each UDP datagram (sender, recipient), whether it is answered; a datagram
 *     it refuses is dropped unanswered, as a packet filter drops it. Every datagram is answered by default.
 * @param responseRateLimit Response Rate Limiting of UDP replies ({@code ResponseRateLimiter}): how many identical
 *     replies a client network gets a second before the rest are dropped or sent truncated; {@link
 *     ResponseRateLimit#OFF} by default, as in BIND and NSD
 * @param faults the faults this server injects into its own answers (see
 *     {@link org.foobarstack.trace.faults.FaultPlan}); {@code null} means an empty plan of its own
 *     ({@link DnsServer#faults()})
 */
public record DnsServerConfig(
        InetAddress bindAddress,
        int port,
        Path zonesDirectory,
        boolean wwwAsCname,
        InetAddress webAddress,
        List<Cidr> axfrAllowFrom,
        Duration tcpIdleTimeout,
        Duration zoneCheckInterval,
        int ioThreads,
        boolean nativeTransport,
        String instanceName,
        TraceRecorder traceRecorder,
        Metrics metrics,
        int tracedQueriesPerSecond,
        java.util.function.Predicate<io.netty.channel.Channel> acceptFilter,
        java.util.function.BiPredicate<java.net.InetSocketAddress, java.net.InetSocketAddress> datagramFilter,
        ResponseRateLimit responseRateLimit,
        FaultPlan faults) {

    public static final int DEFAULT_PORT = 5300;

    public DnsServerConfig {
        acceptFilter = acceptFilter == null ? ch -> true : acceptFilter;
        datagramFilter = datagramFilter == null ? (from, to) -> true : datagramFilter;
        responseRateLimit = responseRateLimit == null ? ResponseRateLimit.OFF : responseRateLimit;
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(webAddress, "webAddress");
        Objects.requireNonNull(tcpIdleTimeout, "tcpIdleTimeout");
        Objects.requireNonNull(zoneCheckInterval, "zoneCheckInterval");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (!(webAddress instanceof Inet4Address)) {
            throw new IllegalArgumentException(
                    "webAddress must be an IPv4 address (it is written into A records), got " + webAddress);
        }
        if (tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero()) {
            throw new IllegalArgumentException("tcpIdleTimeout must be positive, got " + tcpIdleTimeout);
        }
        if (zoneCheckInterval.isNegative()) {
            throw new IllegalArgumentException("zoneCheckInterval must not be negative");
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, got " + ioThreads);
        }
        Objects.requireNonNull(instanceName, "instanceName");
        if (instanceName.isBlank()) {
            throw new IllegalArgumentException("instanceName must not be blank");
        }
        if (tracedQueriesPerSecond < 0) {
            throw new IllegalArgumentException("tracedQueriesPerSecond must not be negative");
        }
        axfrAllowFrom = List.copyOf(axfrAllowFrom);
    }

    /** The default budget of traced queries per second. */
    public static final int DEFAULT_TRACED_QUERIES_PER_SECOND = 100;

    /** The instance name used when none is set. */
    public static final String DEFAULT_INSTANCE_NAME = "dns-1";

    /**
     * Whether the epoll transport is the default here: true on Linux when Netty's native library loads (it ships
     * for x86-64 and aarch64), false elsewhere, where NIO serves just the same, only with one system call per
     * datagram.
     */
    public static final boolean NATIVE_BY_DEFAULT = Epoll.isAvailable();

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding the same values, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder()
                .bindAddress(bindAddress)
                .port(port)
                .zonesDirectory(zonesDirectory)
                .wwwAsCname(wwwAsCname)
                .webAddress(webAddress)
                .axfrAllowFrom(axfrAllowFrom)
                .tcpIdleTimeout(tcpIdleTimeout)
                .zoneCheckInterval(zoneCheckInterval)
                .ioThreads(ioThreads)
                .nativeTransport(nativeTransport)
                .instanceName(instanceName)
                .traceRecorder(traceRecorder)
                .metrics(metrics)
                .tracedQueriesPerSecond(tracedQueriesPerSecond)
                .acceptFilter(acceptFilter)
                .datagramFilter(datagramFilter)
                .responseRateLimit(responseRateLimit)
                .faults(faults);
    }

    /** Mutable builder; {@link #build()} validates and freezes. */
    public static final class Builder {
        private java.util.function.Predicate<io.netty.channel.Channel> acceptFilter;
        private java.util.function.BiPredicate<java.net.InetSocketAddress, java.net.InetSocketAddress> datagramFilter;

        /** See {@link DnsServerConfig#datagramFilter()}. */
        public Builder datagramFilter(
                java.util.function.BiPredicate<java.net.InetSocketAddress, java.net.InetSocketAddress> v) {
            datagramFilter = v;
            return this;
        }

        /** See {@link DnsServerConfig#acceptFilter()}. */
        public Builder acceptFilter(java.util.function.Predicate<io.netty.channel.Channel> v) {
            acceptFilter = v;
            return this;
        }

        private InetAddress bindAddress = loopback();
        private int port = DEFAULT_PORT;
        private Path zonesDirectory;
        private boolean wwwAsCname;
        private InetAddress webAddress = loopback();
        private List<Cidr> axfrAllowFrom = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
        private Duration tcpIdleTimeout = Duration.ofSeconds(10);
        private Duration zoneCheckInterval = Duration.ofSeconds(2);
        private int ioThreads = 1;
        private boolean nativeTransport = NATIVE_BY_DEFAULT;
        private String instanceName = DEFAULT_INSTANCE_NAME;
        private TraceRecorder traceRecorder;
        private Metrics metrics;
        private int tracedQueriesPerSecond = DEFAULT_TRACED_QUERIES_PER_SECOND;
        private ResponseRateLimit responseRateLimit = ResponseRateLimit.OFF;
        private FaultPlan faults;

        private Builder() {
        }

        public Builder bindAddress(InetAddress value) {
            this.bindAddress = value;
            return this;
        }

        public Builder bindAddress(String value) {
            return bindAddress(parseAddress(value));
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder zonesDirectory(Path value) {
            this.zonesDirectory = value;
            return this;
        }

        public Builder wwwAsCname(boolean value) {
            this.wwwAsCname = value;
            return this;
        }

        public Builder webAddress(InetAddress value) {
            this.webAddress = value;
            return this;
        }

        public Builder webAddress(String value) {
            return webAddress(parseAddress(value));
        }

        public Builder axfrAllowFrom(List<Cidr> value) {
            this.axfrAllowFrom = List.copyOf(value);
            return this;
        }

        /** Convenience: CIDR strings such as {@code "127.0.0.0/8"} or a bare address. */
        public Builder axfrAllowFrom(String... cidrs) {
            return axfrAllowFrom(java.util.Arrays.stream(cidrs).map(Cidr::parse).toList());
        }

        public Builder tcpIdleTimeout(Duration value) {
            this.tcpIdleTimeout = value;
            return this;
        }

        public Builder zoneCheckInterval(Duration value) {
            this.zoneCheckInterval = value;
            return this;
        }

        public Builder ioThreads(int value) {
            this.ioThreads = value;
            return this;
        }

        public Builder nativeTransport(boolean value) {
            this.nativeTransport = value;
            return this;
        }

        /** The name in traces and in the metrics' {@code instance} label, e.g. {@code dns-2}. */
        public Builder instanceName(String value) {
            this.instanceName = value;
            return this;
        }

        /** A recorder from the stack's {@code TraceHub} ({@code hub.newRecorder("dns", "dns-1")}). */
        public Builder traceRecorder(TraceRecorder value) {
            this.traceRecorder = value;
            return this;
        }

        /** The stack's shared metrics registry. */
        public Builder metrics(Metrics value) {
            this.metrics = value;
            return this;
        }

        /** At most this many queries a second become hops ({@link Integer#MAX_VALUE}: all; 0: none). */
        public Builder tracedQueriesPerSecond(int value) {
            this.tracedQueriesPerSecond = value;
            return this;
        }

        /** Response Rate Limiting of UDP replies, e.g. {@code ResponseRateLimit.perSecond(5)}; off by default. */
        public Builder responseRateLimit(ResponseRateLimit value) {
            this.responseRateLimit = value;
            return this;
        }

        /** The faults this server injects into its own answers; an empty plan of its own by default. */
        public Builder faults(FaultPlan value) {
            this.faults = value;
            return this;
        }

        public DnsServerConfig build() {
            return new DnsServerConfig(bindAddress, port, zonesDirectory, wwwAsCname, webAddress,
                    axfrAllowFrom, tcpIdleTimeout, zoneCheckInterval, ioThreads, nativeTransport,
                    instanceName, traceRecorder, metrics, tracedQueriesPerSecond, acceptFilter, datagramFilter,
                    responseRateLimit, faults);
        }
    }

    static InetAddress loopback() {
        return parseAddress("127.0.0.1");
    }

    /** Parses a literal address only: never asks the machine's resolver. */
    static InetAddress parseAddress(String literal) {
        try {
            if (!literal.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new IllegalArgumentException("not an IP address literal: " + literal);
            }
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + literal, e);
        }
    }
}
