package org.foobarstack.topology;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A load balancer in the manner of HAProxy: it listens where clients expect the web server and
 * spreads their connections over several web servers, leaving out those its health checks find down.
 *
 * <p>The fields mirror HAProxy's configuration keywords, so a learner who reads this file can read
 * an {@code haproxy.cfg} too. The same balancer in HAProxy's words:
 * <pre>
 * frontend www
 *     bind :8080
 *     mode http
 *     timeout client 30s
 *     default_backend servers
 * backend servers
 *     balance roundrobin
 *     option httpchk GET /health
 *     timeout check 1s
 *     retries 3
 *     option redispatch
 *     retry-on conn-failure
 *     timeout connect 1s
 *     timeout server 10s
 *     default-server inter 2s rise 2 fall 3
 *     server server-1 127.0.0.11:8080 weight 1 check
 *     server server-2 127.0.0.12:8080 weight 1 check
 * frontend stats
 *     mode http
 *     bind :8404
 *     stats enable
 * </pre>
 *
 * @param port where clients connect; 8080 by default, the web tier's port, since the balancer
 *     stands in for the web server
 * @param statsPort the statistics page's port, or {@link TierSpec#OFF}; 8404 by default, HAProxy's
 *     conventional stats port
 * @param mode {@code http} (the default) or {@code tcp}; HAProxy's {@code mode}
 * @param balance how a server is picked; HAProxy's {@code balance}, {@code roundrobin} by default
 * @param check how servers are health-checked
 * @param retries how many more times a request is tried after a failure that {@code retryOn} names;
 *     HAProxy's {@code retries}, 3 by default
 * @param redispatch whether the last retry may go to another server instead of the same one;
 *     HAProxy's {@code option redispatch}, on by default
 * @param retryOn which failures are retried, at least one, each at most once; HAProxy's
 *     {@code retry-on}, {@code conn-failure} alone by default (to never retry, set {@code retries} to 0)
 * @param timeouts HAProxy's {@code timeout connect}, {@code timeout server} and {@code timeout client}
 * @param servers the servers, at least one, each host at most once
 * @param tls HTTPS at the balancer ({@link LbTls#OFF} by default)
 * @param vrrp its place in an active-passive pair of balancers sharing a virtual address (keepalived's
 *     {@code vrrp_instance}); empty for a balancer on its own
 */
public record LbTier(int port, int statsPort, LbMode mode, Balance balance, HealthCheckSpec check, int retries,
                     boolean redispatch, List<RetryOn> retryOn, LbTimeouts timeouts, List<LbServer> servers,
                     LbTls tls, java.util.Optional<LbVrrp> vrrp)
        implements TierSpec {

    public static final int DEFAULT_STATS_PORT = 8404;
    public static final int DEFAULT_RETRIES = 3;
    /** HAProxy's default: retry only a connection that could not be opened, which is always safe. */
    public static final List<RetryOn> DEFAULT_RETRY_ON = List.of(RetryOn.CONN_FAILURE);

    public LbTier {
        Ports.requireValid(port, "lb port");
        Ports.requireValidOrOff(statsPort, "lb stats-port");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(vrrp, "vrrp");
        retryOn = List.copyOf(retryOn);
        servers = List.copyOf(servers);
        Objects.requireNonNull(tls, "tls");
        if (tls.enabled() && mode != LbMode.HTTP) {
            throw new IllegalArgumentException("https at the balancer needs mode http: a tcp balancer passes TLS "
                    + "through to the servers untouched");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
        }
        if (retryOn.isEmpty()) {
            throw new IllegalArgumentException("retry-on needs at least one condition; to never retry set retries: 0");
        }
        if (Set.copyOf(retryOn).size() != retryOn.size()) {
            throw new IllegalArgumentException("retry-on lists a condition twice: "
                    + retryOn.stream().map(RetryOn::key).toList());
        }
        if (balance == Balance.URI && mode != LbMode.HTTP) {
            throw new IllegalArgumentException("balance uri needs mode http");
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a load balancer needs at least one server");
        }
        Set<String> hosts = new HashSet<>();
        for (LbServer server : servers) {
            if (!hosts.add(server.host())) {
                throw new IllegalArgumentException(server.host() + " is listed twice as a server");
            }
        }
    }

    /** A balancer that is not one of a pair. */
    public LbTier(int port, int statsPort, LbMode mode, Balance balance, HealthCheckSpec check, int retries,
                  boolean redispatch, List<RetryOn> retryOn, LbTimeouts timeouts, List<LbServer> servers, LbTls tls) {
        this(port, statsPort, mode, balance, check, retries, redispatch, retryOn, timeouts, servers, tls,
                java.util.Optional.empty());
    }

    /** A balancer without HTTPS. */
    public LbTier(int port, int statsPort, LbMode mode, Balance balance, HealthCheckSpec check, int retries,
                  boolean redispatch, List<RetryOn> retryOn, LbTimeouts timeouts, List<LbServer> servers) {
        this(port, statsPort, mode, balance, check, retries, redispatch, retryOn, timeouts, servers, LbTls.OFF);
    }

    /** A balancer with every default (port 8080, stats on 8404, http, roundrobin, ...) over these servers. */
    public static LbTier withDefaults(List<LbServer> servers) {
        return new LbTier(Role.LB.defaultPort(), DEFAULT_STATS_PORT, LbMode.HTTP, Balance.ROUNDROBIN,
                HealthCheckSpec.DEFAULT, DEFAULT_RETRIES, true, DEFAULT_RETRY_ON, LbTimeouts.DEFAULT, servers);
    }

    /** Whether the statistics page is served. */
    public boolean hasStats() {
        return statsPort != OFF;
    }

    @Override
    public Role role() {
        return Role.LB;
    }

    @Override
    public List<Listener> listeners() {
        List<Listener> listeners = new ArrayList<>();
        listeners.add(new Listener(Role.LB, "port", port, Transport.TCP));
        if (tls.enabled()) {
            listeners.add(new Listener(Role.LB, "https port", tls.port(), Transport.TCP));
        }
        if (hasStats()) {
            listeners.add(new Listener(Role.LB, "stats-port", statsPort, Transport.TCP));
        }
        return List.copyOf(listeners);
    }

    /** One reference per server: the web tier of that host, in mode tcp as well as in mode http. */
    @Override
    public List<Reference> references() {
        return servers.stream().map(server -> new Reference(server.host(), Role.WEB)).toList();
    }

    @Override
    public LbTier withEphemeralPorts() {
        // the advertisements' port stays: the members of a pair must know it of each other before they start
        return new LbTier(0, Ports.ephemeral(statsPort), mode, balance, check, retries, redispatch, retryOn, timeouts,
                servers, tls.withEphemeralPort(), vrrp);
    }

    /** The same balancer with another list of servers (a server added or removed while the stack runs). */
    public LbTier withServers(List<LbServer> newServers) {
        return new LbTier(port, statsPort, mode, balance, check, retries, redispatch, retryOn, timeouts, newServers,
                tls, vrrp);
    }

    /** The same balancer with its pair's virtual address moved (a relocated topology). */
    public LbTier withVrrp(java.util.Optional<LbVrrp> moved) {
        return new LbTier(port, statsPort, mode, balance, check, retries, redispatch, retryOn, timeouts, servers,
                tls, moved);
    }
}
