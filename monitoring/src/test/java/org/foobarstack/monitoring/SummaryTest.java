package org.foobarstack.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.foobarstack.trace.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /api/summary from pushed series, on a clock the test moves: every second the web instance answers 95 requests
 * with 200 and 5 with 503, 90 of them in 3 ms and 10 in 20 ms; the replica lags 2.5 s.
 */
class SummaryTest {

    private final ManualClock clock = new ManualClock();
    private final Metrics metrics = new Metrics();
    private final AtomicReference<Double> lag = new AtomicReference<>(2.5);
    private MonitoringServer server;
    private MonitoringClient web;
    private MonitoringClient db;
    private Counter requests;
    private Histogram duration;

    @BeforeEach
    void start() throws Exception {
        server = new MonitoringServer(MonitoringConfig.builder().port(0).build(), clock);
        server.start();
        // the names and labels the web tier (HttpMetrics) and the database tier (DbTierRuntime) register
        requests = metrics.counter("foobar_http_requests_total", "HTTP responses", "instance", "method", "code");
        duration = metrics.latency("foobar_http_request_duration_seconds", "latency", "instance");
        metrics.gauge("foobar_db_replication_lag_seconds", "lag", List.of("instance"), List.of("db-2"), lag::get);
        web = new MonitoringClient("web-server-1", InetAddress.getByName("127.0.0.31"), Set.of("web-1"), metrics,
                server.address(), clock);
        db = new MonitoringClient("db-server-2", InetAddress.getByName("127.0.0.32"), Set.of("db-2"), metrics,
                server.address(), clock);
        web.start();
        db.start();
    }

    @AfterEach
    void stop() {
        web.close();
        db.close();
        server.close();
    }

    private void oneSecondOfTraffic() {
        requests.labelValues("web-1", "GET", "200").inc(95);
        requests.labelValues("web-1", "GET", "503").inc(5);
        for (int i = 0; i < 90; i++) {
            duration.labelValues("web-1").observe(0.003);
        }
        for (int i = 0; i < 10; i++) {
            duration.labelValues("web-1").observe(0.020);
        }
        clock.advanceSeconds(1);
    }

    @Test
    void requestRateErrorRateAndP99ComeFromTheLastTenSeconds() throws Exception {
        for (int i = 0; i < 12; i++) {
            oneSecondOfTraffic();
        }

        JsonNode summary = Http.json(server.address(), "/api/summary");
        JsonNode webRow = row(summary, "web-1");

        assertThat(summary.get("windowSeconds").asDouble()).isEqualTo(10.0);
        assertThat(webRow.get("host").asText()).isEqualTo("web-server-1");
        assertThat(webRow.get("hostUp").asBoolean()).isTrue();
        // pushes at 3..12 s are in the window (2 s, 12 s]: 900 requests over the 9 s they cover
        assertThat(webRow.get("requestsPerSecond").asDouble()).isEqualTo(100.0);
        assertThat(webRow.get("errorRate").asDouble()).isEqualTo(0.05);
        // rank 0.99 × 100 = 99 falls in (0.01, 0.025], 9th of its 10: 0.01 + 0.015 × 9/10
        assertThat(webRow.get("p99LatencySeconds").asDouble()).isCloseTo(0.0235, within(1e-12));
        assertThat(webRow.get("replicationLagSeconds").isNull()).isTrue();
    }

    @Test
    void theRateHistoryIsComputedFromTheStoredSeriesAtEachStep() throws Exception {
        for (int i = 0; i < 30; i++) {
            oneSecondOfTraffic();
        }
        for (int i = 0; i < 30; i++) {
            clock.advanceSeconds(1); // pushes go on, the counter stays
        }

        JsonNode rates = Http.json(server.address(), "/api/rates?span=60&step=10");
        JsonNode web = null;
        for (JsonNode instance : rates.get("instances")) {
            if (instance.get("instance").asText().equals("web-1")) {
                web = instance;
            }
        }

        assertThat(rates.get("stepSeconds").asDouble()).isEqualTo(10.0);
        assertThat(web).isNotNull();
        JsonNode points = web.get("points");
        assertThat(points).hasSize(7); // 0, 10, ... 60 s ago
        // each point is the rate over the 10 s window ending at it: 60 s ago (the start) no two pushes yet; 50, 40
        // and 30 s ago inside the busy half, 100 a second; 20 s ago and later inside the idle half, 0
        assertThat(points.get(4).get(1).asDouble()).isZero();
        assertThat(points.get(0).get(1).isNull()).isTrue();
        assertThat(points.get(1).get(1).asDouble()).isEqualTo(100.0);
        assertThat(points.get(3).get(1).asDouble()).isEqualTo(100.0);
        assertThat(points.get(5).get(1).asDouble()).isZero();
        assertThat(points.get(6).get(1).asDouble()).isZero();
        assertThat(points.get(6).get(0).asDouble()).isGreaterThan(points.get(5).get(0).asDouble());
    }

    @Test
    void aRateHistoryBeyondTheRetentionIsRefused() throws Exception {
        assertThat(Http.get(server.address(), "/api/rates?span=86400&step=10").statusCode()).isEqualTo(400);
        assertThat(Http.get(server.address(), "/api/rates?span=60&step=0").statusCode()).isEqualTo(400);
    }

    @Test
    void theReplicationLagIsTheLastPushedValue() throws Exception {
        oneSecondOfTraffic();
        lag.set(7.25);
        oneSecondOfTraffic();

        JsonNode dbRow = row(Http.json(server.address(), "/api/summary"), "db-2");

        assertThat(dbRow.get("host").asText()).isEqualTo("db-server-2");
        assertThat(dbRow.get("replicationLagSeconds").asDouble()).isEqualTo(7.25);
        assertThat(dbRow.get("requestsPerSecond").isNull()).isTrue();
    }

    @Test
    void aLagTheDatabaseCannotKnowIsNoNumber() throws Exception {
        lag.set(Double.NaN); // DbTierRuntime's gauge while the database is down
        oneSecondOfTraffic();

        assertThat(row(Http.json(server.address(), "/api/summary"), "db-2").get("replicationLagSeconds").isNull())
                .isTrue();
    }

    @Test
    void oneSecondOfDataIsNotYetARate() throws Exception {
        oneSecondOfTraffic();

        JsonNode webRow = row(Http.json(server.address(), "/api/summary"), "web-1");

        assertThat(webRow.get("requestsPerSecond").isNull()).isTrue();
        assertThat(webRow.get("errorRate").isNull()).isTrue();
        assertThat(webRow.get("p99LatencySeconds").isNull()).isTrue();
    }

    @Test
    void aRestartedCounterDoesNotCountAsANegativeRate() throws Exception {
        for (int i = 0; i < 5; i++) {
            requests.labelValues("web-1", "GET", "200").inc(100);
            clock.advanceSeconds(1);
        }
        // the web server restarts: its counters start again from zero, in a new registry
        web.close();
        Metrics restarted = new Metrics();
        Counter fresh = restarted.counter("foobar_http_requests_total", "HTTP responses", "instance", "method",
                "code");
        web = new MonitoringClient("web-server-1", InetAddress.getByName("127.0.0.31"), Set.of("web-1"), restarted,
                server.address(), clock);
        web.start();
        for (int i = 0; i < 5; i++) {
            fresh.labelValues("web-1", "GET", "200").inc(100);
            clock.advanceSeconds(1);
        }

        JsonNode webRow = row(Http.json(server.address(), "/api/summary"), "web-1");

        // pushed at 1..10 s: 100, 200, 300, 400, 500, then 100 (the restart), 200, 300, 400, 500. The drop to 100
        // counts as 100 gained, so 900 over 9 s: the steady 100 a second it really was, not a negative rate.
        assertThat(webRow.get("requestsPerSecond").asDouble()).isEqualTo(100.0);
    }

    private static JsonNode row(JsonNode summary, String instance) {
        for (JsonNode row : summary.get("instances")) {
            if (row.get("instance").asText().equals(instance)) {
                return row;
            }
        }
        throw new AssertionError("no instance " + instance + " in " + summary.toPrettyString());
    }
}
