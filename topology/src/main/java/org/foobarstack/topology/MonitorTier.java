package org.foobarstack.topology;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The monitoring server: every other host of the design runs a monitoring client that pushes its tiers' metrics
 * here once a second (as a Sumo Logic or Datadog collector ships to its service), and a real Prometheus can scrape
 * all of them again from its {@code /metrics} (pull). Its alert rules fire when a host falls silent, when one web
 * server takes more requests than {@code high-request-rate} per second, and when a replica falls more than
 * {@code replication-lag} behind its primary.
 *
 * @param port                  the HTTP port pushes, queries and scrapes arrive on; 9300 by default
 * @param highRequestRate       requests per second of one web server above which HighRequestRate fires
 * @param replicationLag        how far behind its primary a replica may fall before ReplicationLag fires
 */
public record MonitorTier(int port, double highRequestRate, Duration replicationLag) implements TierSpec {

    public static final double DEFAULT_HIGH_REQUEST_RATE = 200;
    public static final Duration DEFAULT_REPLICATION_LAG = Duration.ofSeconds(5);

    public MonitorTier {
        Ports.requireValid(port, "monitor port");
        if (!(highRequestRate > 0)) {
            throw new IllegalArgumentException("high-request-rate must be above 0, not " + highRequestRate);
        }
        Objects.requireNonNull(replicationLag, "replicationLag");
        if (replicationLag.isNegative() || replicationLag.isZero()) {
            throw new IllegalArgumentException("replication-lag must be positive, not " + replicationLag);
        }
    }

    /** A monitoring server on its default port and thresholds. */
    public MonitorTier() {
        this(Role.MONITOR.defaultPort(), DEFAULT_HIGH_REQUEST_RATE, DEFAULT_REPLICATION_LAG);
    }

    @Override
    public Role role() {
        return Role.MONITOR;
    }

    @Override
    public List<Listener> listeners() {
        return List.of(new Listener(Role.MONITOR, "port", port, Transport.TCP));
    }

    /** Nothing: the monitoring server calls no tier; the clients call it. */
    @Override
    public List<Reference> references() {
        return List.of();
    }

    @Override
    public MonitorTier withEphemeralPorts() {
        return new MonitorTier(0, highRequestRate, replicationLag);
    }
}
