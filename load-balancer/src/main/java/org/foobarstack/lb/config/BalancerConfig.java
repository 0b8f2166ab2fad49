package org.foobarstack.lb.config;

import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceRecorder;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one balancer needs, in the words of a HAProxy configuration. The same balancer as HAProxy would
 * write it:
 *
 * <pre>
 *   frontend http-in                        name, bindAddress, port, mode
 *       bind 127.0.0.10:8080
 *       mode http
 *       default_backend servers
 *   backend servers
 *       balance roundrobin                  algorithm
 *       option httpchk GET /health          check
 *       retries 3                           retries
 *       option redispatch                   redispatch
 *       retry-on conn-failure empty-response retryOn
 *       timeout connect 1s                  timeouts
 *       server web-1 127.0.0.11:8080 check  servers
 *       server web-2 127.0.0.12:8080 check
 *   listen stats
 *       bind 127.0.0.10:8404                statsPort
 *       stats uri /stats
 * </pre>
 *
 * @param name           the balancer's instance name, "lb-1": in traces, logs and the Via header
 * @param bindAddress    the address it listens on; also the source address of its connections to the servers
 * @param port           the frontend's port (0: any free port)
 * @param statsPort      the stats page's port (0: any free port; -1: no stats page)
 * @param mode           HTTP (layer 7) or TCP (layer 4)
 * @param algorithm      how a server is chosen
 * @param servers        the backend's servers, in configuration order
 * @param check          how servers are health-checked
 * @param retries        how many times a failed attempt is tried again (HAProxy's default is 3)
 * @param redispatch     whether the last retry goes to another server ({@code option redispatch})
 * @param retryOn        which failures are retried
 * @param timeouts       connect, server and client timeouts
 * @param limits         the request parser's limits, the web server's by default
 * @param ioThreads      event loop threads (0: one per core, like HAProxy's default nbthread)
 * @param traceRecorder  where the balancer's hops are recorded
 * @param metrics        the registry its counters go into
 * @param acceptFilter decides, for each accepted connection, whether it goes on; false means the filter has
 *     already dealt with it (a host's firewall: reset at once, or held unanswered), and the server adds nothing to
 *     it and never reads from it. Every connection goes on by default.
 */
public record BalancerConfig(String name, String bindAddress, int port, int statsPort, Mode mode, Algorithm algorithm,
                             List<ServerConfig> servers, HealthCheckConfig check, int retries, boolean redispatch,
                             Set<RetryOn> retryOn, Timeouts timeouts, ParserLimits limits, int ioThreads,
                             TraceRecorder traceRecorder, Metrics metrics,
        java.util.function.Predicate<io.netty.channel.Channel> acceptFilter) {

    public static final int NO_STATS = -1;
    /** Round robin keeps each set of usable servers as a 64-bit mask. */
    public static final int MAX_SERVERS = 64;

    public BalancerConfig {
        acceptFilter = acceptFilter == null ? ch -> true : acceptFilter;
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(traceRecorder, "traceRecorder");
        Objects.requireNonNull(metrics, "metrics");
        servers = List.copyOf(servers);
        retryOn = retryOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(retryOn));
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a backend needs at least one server");
        }
        if (servers.size() > MAX_SERVERS) {
            throw new IllegalArgumentException("a backend here has at most " + MAX_SERVERS + " servers, not "
                    + servers.size());
        }
        Set<String> names = new HashSet<>();
        for (ServerConfig server : servers) {
            if (!names.add(server.name())) {
                throw new IllegalArgumentException("two servers are named " + server.name());
            }
        }
        if (mode == Mode.TCP && algorithm == Algorithm.URI) {
            throw new IllegalArgumentException("balance uri needs mode http: in mode tcp no request is read");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        if (port < 0 || port > 65535 || statsPort < NO_STATS || statsPort > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.bindAddress = bindAddress;
        b.port = port;
        b.statsPort = statsPort;
        b.mode = mode;
        b.algorithm = algorithm;
        b.servers.addAll(servers);
        b.check = check;
        b.retries = retries;
        b.redispatch = redispatch;
        b.retryOn = retryOn.isEmpty() ? EnumSet.noneOf(RetryOn.class) : EnumSet.copyOf(retryOn);
        b.timeouts = timeouts;
        b.limits = limits;
        b.ioThreads = ioThreads;
        b.traceRecorder = traceRecorder;
        b.metrics = metrics;
        b.acceptFilter = acceptFilter;
        return b;
    }

    public static final class Builder {
        private java.util.function.Predicate<io.netty.channel.Channel> acceptFilter;

        /** See {@link BalancerConfig#acceptFilter()}. */
        public Builder acceptFilter(java.util.function.Predicate<io.netty.channel.Channel> v) {
            acceptFilter = v;
            return this;
        }

        private String name = "lb-1";
        private String bindAddress = "127.0.0.1";
        private int port = 8080;
        private int statsPort = 8404;
        private Mode mode = Mode.HTTP;
        private Algorithm algorithm = Algorithm.ROUNDROBIN;
        private final List<ServerConfig> servers = new ArrayList<>();
        private HealthCheckConfig check = HealthCheckConfig.defaults();
        private int retries = 3;
        private boolean redispatch = true;
        private Set<RetryOn> retryOn = EnumSet.of(RetryOn.CONN_FAILURE);
        private Timeouts timeouts = Timeouts.defaults();
        private ParserLimits limits = ParserLimits.defaults();
        private int ioThreads;
        private TraceRecorder traceRecorder;
        private Metrics metrics;

        public Builder name(String value) {
            name = value;
            return this;
        }

        public Builder bindAddress(String value) {
            bindAddress = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder statsPort(int value) {
            statsPort = value;
            return this;
        }

        public Builder mode(Mode value) {
            mode = value;
            return this;
        }

        public Builder algorithm(Algorithm value) {
            algorithm = value;
            return this;
        }

        public Builder server(ServerConfig value) {
            servers.add(value);
            return this;
        }

        public Builder servers(List<ServerConfig> values) {
            servers.clear();
            servers.addAll(values);
            return this;
        }

        public Builder check(HealthCheckConfig value) {
            check = value;
            return this;
        }

        public Builder retries(int value) {
            retries = value;
            return this;
        }

        public Builder redispatch(boolean value) {
            redispatch = value;
            return this;
        }

        public Builder retryOn(Set<RetryOn> value) {
            retryOn = value;
            return this;
        }

        public Builder timeouts(Timeouts value) {
            timeouts = value;
            return this;
        }

        public Builder limits(ParserLimits value) {
            limits = value;
            return this;
        }

        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        public Builder traceRecorder(TraceRecorder value) {
            traceRecorder = value;
            return this;
        }

        public Builder metrics(Metrics value) {
            metrics = value;
            return this;
        }

        public BalancerConfig build() {
            TraceRecorder recorder = traceRecorder != null ? traceRecorder : new TraceRecorder("lb", name);
            Metrics registry = metrics != null ? metrics : new Metrics();
            return new BalancerConfig(name, bindAddress, port, statsPort, mode, algorithm, servers, check, retries,
                    redispatch, retryOn, timeouts, limits, ioThreads, recorder, registry, acceptFilter);
        }
    }
}
