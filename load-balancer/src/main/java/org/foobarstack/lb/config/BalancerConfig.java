package org.foobarstack.lb.config;

import io.netty.handler.ssl.SslContext;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceRecorder;

import java.time.Duration;
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
 * With HTTPS, as HAProxy would write it (see the README's section on HTTPS for the trade-off):
 *
 * <pre>
 *   frontend http-in
 *       bind 127.0.0.10:8080
 *       bind 127.0.0.10:8443 ssl crt site.pem                          tls, httpsPort
 *       http-request redirect scheme https code 301 unless { ssl_fc }  redirectToHttps
 *       http-response set-header Strict-Transport-Security max-age=31536000 if { ssl_fc }
 *                                                                       hsts
 *   backend servers
 *       server web-1 127.0.0.11:8443 check check-ssl ssl verify required ca-file ca.pem
 *           sni str(www.foobar.com) verifyhost www.foobar.com           backendTls, backendServerName
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
 * @param tls            the site's certificate and key, as a server-side context ({@code bind :443 ssl crt ...}):
 *                       with it the balancer also listens for HTTPS and decrypts there; null: plain HTTP only
 * @param httpsPort      the HTTPS port when {@code tls} is set (0: any free port)
 * @param redirectToHttps whether a request that arrived in plain HTTP is answered {@code 301} to the same URL in
 *                       https instead of being forwarded ({@code http-request redirect scheme https}); needs tls
 * @param hsts           how long browsers must come back over HTTPS only: every response sent over TLS carries
 *                       {@code Strict-Transport-Security: max-age=<seconds>} (RFC 6797 §6.1), and none sent in
 *                       plain HTTP does (§7.2); null: no such header. Needs tls
 * @param backendTls     a client-side context holding the CA the servers' certificates must chain to
 *                       ({@code server ... ssl verify required ca-file ca.pem}): with it the balancer speaks TLS to
 *                       every server, health checks included ({@code check-ssl}), and refuses a server whose
 *                       certificate does not verify; null: plain HTTP to the servers
 * @param backendServerName the name the servers' certificates must carry, also sent as SNI ({@code sni
 *                       str(www.foobar.com)}, {@code verifyhost}); required with backendTls, unused without
 */
public record BalancerConfig(String name, String bindAddress, int port, int statsPort, Mode mode, Algorithm algorithm,
                             List<ServerConfig> servers, HealthCheckConfig check, int retries, boolean redispatch,
                             Set<RetryOn> retryOn, Timeouts timeouts, ParserLimits limits, int ioThreads,
                             TraceRecorder traceRecorder, Metrics metrics,
        java.util.function.Predicate<io.netty.channel.Channel> acceptFilter,
                             SslContext tls, int httpsPort, boolean redirectToHttps, Duration hsts,
                             SslContext backendTls, String backendServerName) {

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
        if (port < 0 || port > 65535 || statsPort < NO_STATS || statsPort > 65535 || httpsPort < 0
                || httpsPort > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        checkTls(mode, tls, redirectToHttps, hsts, backendTls, backendServerName);
    }

    /** The HTTPS settings make sense together, or the configuration says which one does not. */
    private static void checkTls(Mode mode, SslContext tls, boolean redirectToHttps, Duration hsts,
                                 SslContext backendTls, String backendServerName) {
        if (mode == Mode.TCP && (tls != null || backendTls != null)) {
            throw new IllegalArgumentException("TLS at the balancer is for mode http here: in mode tcp the bytes are"
                    + " relayed without being read, so they stay encrypted end to end if the client and the server"
                    + " speak TLS to each other; use mode http to terminate (tls) or re-encrypt (backendTls)");
        }
        if (tls != null && !tls.isServer()) {
            throw new IllegalArgumentException("tls must be a server-side context holding the site's certificate"
                    + " and key (SslContextBuilder.forServer)");
        }
        if (redirectToHttps && tls == null) {
            throw new IllegalArgumentException("redirectToHttps needs tls: the redirect would point to an HTTPS"
                    + " port nobody listens on");
        }
        if (hsts != null && tls == null) {
            throw new IllegalArgumentException("hsts needs tls: Strict-Transport-Security is sent over HTTPS only"
                    + " (RFC 6797 §7.2)");
        }
        if (hsts != null && hsts.isNegative()) {
            throw new IllegalArgumentException("hsts must not be negative (0 tells browsers to forget the rule)");
        }
        if (backendTls != null && !backendTls.isClient()) {
            throw new IllegalArgumentException("backendTls must be a client-side context holding the CA the servers'"
                    + " certificates chain to (SslContextBuilder.forClient().trustManager(ca))");
        }
        if (backendTls != null && (backendServerName == null || backendServerName.isBlank())) {
            throw new IllegalArgumentException("backendTls needs backendServerName, the name the servers'"
                    + " certificates must carry (e.g. www.foobar.com): without it any certificate the CA signed"
                    + " would pass, whoever it was made for");
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
        b.tls = tls;
        b.httpsPort = httpsPort;
        b.redirectToHttps = redirectToHttps;
        b.hsts = hsts;
        b.backendTls = backendTls;
        b.backendServerName = backendServerName;
        return b;
    }

    public static final class Builder {
        private java.util.function.Predicate<io.netty.channel.Channel> acceptFilter;

        /** See {@link BalancerConfig#acceptFilter()}. */
        public Builder acceptFilter(java.util.function.Predicate<io.netty.channel.Channel> v) {
            acceptFilter = v;
            return this;
        }

        private SslContext tls;
        private int httpsPort;
        private boolean redirectToHttps;
        private Duration hsts;
        private SslContext backendTls;
        private String backendServerName;

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

        /** See {@link BalancerConfig#tls()}. */
        public Builder tls(SslContext value) {
            tls = value;
            return this;
        }

        /** See {@link BalancerConfig#httpsPort()}. */
        public Builder httpsPort(int value) {
            httpsPort = value;
            return this;
        }

        /** See {@link BalancerConfig#redirectToHttps()}. */
        public Builder redirectToHttps(boolean value) {
            redirectToHttps = value;
            return this;
        }

        /** See {@link BalancerConfig#hsts()}. */
        public Builder hsts(Duration value) {
            hsts = value;
            return this;
        }

        /** See {@link BalancerConfig#backendTls()}. */
        public Builder backendTls(SslContext value) {
            backendTls = value;
            return this;
        }

        /** See {@link BalancerConfig#backendServerName()}. */
        public Builder backendServerName(String value) {
            backendServerName = value;
            return this;
        }

        public BalancerConfig build() {
            TraceRecorder recorder = traceRecorder != null ? traceRecorder : new TraceRecorder("lb", name);
            Metrics registry = metrics != null ? metrics : new Metrics();
            return new BalancerConfig(name, bindAddress, port, statsPort, mode, algorithm, servers, check, retries,
                    redispatch, retryOn, timeouts, limits, ioThreads, recorder, registry, acceptFilter, tls, httpsPort,
                    redirectToHttps, hsts, backendTls, backendServerName);
        }
    }
}
