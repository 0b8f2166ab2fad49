package org.foobarstack.monitoring;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the monitoring server listens, how long it keeps series, and when its alerts go off. Make one with
 * {@link #builder()}; every setting has a default, so {@code MonitoringConfig.builder().build()} is a server on
 * 127.0.0.1:9300 that expects a push every second.
 *
 * @param serverName                the server's own name, in its log lines ("monitoring-1")
 * @param bindAddress               the address it listens on: its host's own loopback address in a topology
 * @param port                      9300 by default; 0 picks a free port
 * @param pushInterval              how often the clients push; the server needs it to tell a silent host
 * @param missedPushesForDown       a host is down once it has been silent for this many intervals (3)
 * @param retention                 how long each series is kept (10 min): the ring buffers hold this much
 * @param rateWindow                the range of the rates in /api/summary and the request-rate alert (10 s), as
 *                                  in PromQL's {@code rate(foobar_http_requests_total[10s])}
 * @param evaluationInterval        how often the alert rules are evaluated (1 s; Prometheus's
 *                                  {@code evaluation_interval})
 * @param highRequestRate           requests per second of one web instance above which HighRequestRate is pending
 * @param highRequestRateFor        how long the rate must stay above it before the alert fires (the rule's
 *                                  {@code for})
 * @param replicationLagSeconds     replication lag above which ReplicationLag is pending
 * @param replicationLagFor         how long the lag must stay above it before the alert fires
 * @param expectedHosts             hosts that are down until they push. A push-based server only knows the hosts that
 *                                  have pushed: a host whose client never started would go unnoticed, where Prometheus,
 *                                  which is told its targets, would show it down. Naming them here closes that gap.
 * @param maxPushBytes              the largest push body accepted (413 beyond)
 * @param idleTimeout               an HTTP connection silent this long is closed
 * @param acceptFilter              decides, for each accepted connection, whether it goes on (the host's firewall);
 *                                  false means the filter has already dealt with it (closed, reset or held)
 */
public record MonitoringConfig(String serverName, String bindAddress, int port, Duration pushInterval,
                               int missedPushesForDown, Duration retention, Duration rateWindow,
                               Duration evaluationInterval, double highRequestRate, Duration highRequestRateFor,
                               double replicationLagSeconds, Duration replicationLagFor, Set<String> expectedHosts,
                               long maxPushBytes, Duration idleTimeout,
                               java.util.function.Predicate<io.netty.channel.Channel> acceptFilter) {

    public static final int DEFAULT_PORT = 9300;

    public MonitoringConfig {
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 0..65535");
        }
        requirePositive(pushInterval, "pushInterval");
        requirePositive(retention, "retention");
        requirePositive(rateWindow, "rateWindow");
        requirePositive(evaluationInterval, "evaluationInterval");
        requirePositive(idleTimeout, "idleTimeout");
        Objects.requireNonNull(highRequestRateFor, "highRequestRateFor");
        Objects.requireNonNull(replicationLagFor, "replicationLagFor");
        if (missedPushesForDown < 1) {
            throw new IllegalArgumentException("missedPushesForDown must be at least 1, not " + missedPushesForDown);
        }
        if (retention.compareTo(rateWindow) < 0) {
            throw new IllegalArgumentException("retention " + retention + " is shorter than rateWindow " + rateWindow
                    + ": rates would read points that are gone");
        }
        if (maxPushBytes < 1) {
            throw new IllegalArgumentException("maxPushBytes must be positive");
        }
        expectedHosts = Set.copyOf(expectedHosts);
        acceptFilter = acceptFilter == null ? channel -> true : acceptFilter;
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, not " + d);
        }
    }

    /** How long a host may stay silent before it counts as down: {@code missedPushesForDown × pushInterval}. */
    public Duration hostDownAfter() {
        return pushInterval.multipliedBy(missedPushesForDown);
    }

    /** The built-in alert rules with this config's thresholds, in the order /api/alerts lists them. */
    public List<AlertRule> rules() {
        return List.of(
                new AlertRule.HostDown(hostDownAfter()),
                new AlertRule.HighRequestRate(highRequestRate, highRequestRateFor),
                new AlertRule.ReplicationLag(replicationLagSeconds, replicationLagFor));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().serverName(serverName).bindAddress(bindAddress).port(port).pushInterval(pushInterval)
                .missedPushesForDown(missedPushesForDown).retention(retention).rateWindow(rateWindow)
                .evaluationInterval(evaluationInterval).highRequestRate(highRequestRate)
                .highRequestRateFor(highRequestRateFor).replicationLagSeconds(replicationLagSeconds)
                .replicationLagFor(replicationLagFor).expectedHosts(expectedHosts).maxPushBytes(maxPushBytes)
                .idleTimeout(idleTimeout).acceptFilter(acceptFilter);
    }

    public static final class Builder {
        private String serverName = "monitoring-1";
        private String bindAddress = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Duration pushInterval = Duration.ofSeconds(1);
        private int missedPushesForDown = 3;
        private Duration retention = Duration.ofMinutes(10);
        private Duration rateWindow = Duration.ofSeconds(10);
        private Duration evaluationInterval = Duration.ofSeconds(1);
        private double highRequestRate = 1000;
        private Duration highRequestRateFor = Duration.ofSeconds(30);
        private double replicationLagSeconds = 5;
        private Duration replicationLagFor = Duration.ofSeconds(30);
        private Set<String> expectedHosts = Set.of();
        private long maxPushBytes = 1024 * 1024;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private java.util.function.Predicate<io.netty.channel.Channel> acceptFilter = channel -> true;

        private Builder() {
        }

        public Builder serverName(String v) {
            serverName = v;
            return this;
        }

        public Builder bindAddress(String v) {
            bindAddress = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder pushInterval(Duration v) {
            pushInterval = v;
            return this;
        }

        public Builder missedPushesForDown(int v) {
            missedPushesForDown = v;
            return this;
        }

        public Builder retention(Duration v) {
            retention = v;
            return this;
        }

        public Builder rateWindow(Duration v) {
            rateWindow = v;
            return this;
        }

        public Builder evaluationInterval(Duration v) {
            evaluationInterval = v;
            return this;
        }

        public Builder highRequestRate(double requestsPerSecond) {
            highRequestRate = requestsPerSecond;
            return this;
        }

        public Builder highRequestRateFor(Duration v) {
            highRequestRateFor = v;
            return this;
        }

        public Builder replicationLagSeconds(double seconds) {
            replicationLagSeconds = seconds;
            return this;
        }

        public Builder replicationLagFor(Duration v) {
            replicationLagFor = v;
            return this;
        }

        public Builder expectedHosts(Set<String> hosts) {
            expectedHosts = hosts;
            return this;
        }

        public Builder maxPushBytes(long v) {
            maxPushBytes = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder acceptFilter(java.util.function.Predicate<io.netty.channel.Channel> v) {
            acceptFilter = v;
            return this;
        }

        public MonitoringConfig build() {
            return new MonitoringConfig(serverName, bindAddress, port, pushInterval, missedPushesForDown, retention,
                    rateWindow, evaluationInterval, highRequestRate, highRequestRateFor, replicationLagSeconds,
                    replicationLagFor, expectedHosts, maxPushBytes, idleTimeout, acceptFilter);
        }
    }
}
