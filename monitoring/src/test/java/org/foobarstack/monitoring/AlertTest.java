package org.foobarstack.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.core.metrics.Counter;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.foobarstack.trace.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in alert rules through their states, on a clock the test moves one second at a time. The server's
 * evaluation and the clients' pushes both run every second; when both fall due at the same instant, the
 * evaluation (scheduled first, by the server's start) runs first, so each evaluation sees the pushes up to the
 * second before.
 */
class AlertTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final Metrics metrics = new Metrics();
    private final List<AlertEvent> events = new CopyOnWriteArrayList<>();
    private MonitoringServer server;
    private MonitoringClient client;

    private void startServer(MonitoringConfig.Builder config) throws Exception {
        server = new MonitoringServer(config.port(0).build(), clock);
        server.onAlert(events::add);
        server.start();
    }

    private MonitoringClient startClient(String host, String address, String instance) throws Exception {
        MonitoringClient c = new MonitoringClient(host, InetAddress.getByName(address), Set.of(instance), metrics,
                server.address(), clock);
        c.start();
        return c;
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void hostDownFiresAfterThreeMissedPushesAndResolvesWhenPushesResume() throws Exception {
        startServer(MonitoringConfig.builder());
        metrics.counter("foobar_http_requests_total", "HTTP responses", "instance").labelValues("web-1").inc();
        client = startClient("web-server-2", "127.0.0.41", "web-1");
        clock.advanceSeconds(2); // pushes at 1 s and 2 s
        client.close();          // the host goes silent: the pushes due at 3, 4 and 5 s never come

        clock.advanceSeconds(2);
        assertThat(events).isEmpty();

        clock.advanceSeconds(1);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.at()).isEqualTo(T0.plusSeconds(5));
            assertThat(e.logLine()).isEqualTo("ALERT firing: HostDown web-server-2 (no push for 3.0 s)");
        });
        JsonNode host = Http.json(server.address(), "/api/hosts").get("hosts").get(0);
        assertThat(host.get("up").asBoolean()).isFalse();
        assertThat(host.get("secondsSinceLastPush").asDouble()).isEqualTo(3.0);
        assertThat(Http.get(server.address(), "/metrics").body())
                .contains("foobar_monitoring_host_up{host=\"web-server-2\"} 0\n")
                .contains("foobar_monitoring_alerts{alertname=\"HostDown\",alertstate=\"firing\","
                        + "subject=\"web-server-2\"} 1\n");

        clock.advanceSeconds(2);
        client = startClient("web-server-2", "127.0.0.41", "web-1"); // its first push at 8 s
        clock.advanceSeconds(2);

        assertThat(events).hasSize(2);
        assertThat(events.get(1).from()).isEqualTo(AlertState.FIRING);
        assertThat(events.get(1).to()).isEqualTo(AlertState.RESOLVED);
        assertThat(events.get(1).at()).isEqualTo(T0.plusSeconds(9));
        assertThat(events.get(1).logLine()).isEqualTo("ALERT resolved: HostDown web-server-2 (was: no push for 6.0 s)");
        assertThat(Http.json(server.address(), "/api/hosts").get("hosts").get(0).get("up").asBoolean()).isTrue();
    }

    @Test
    void anExpectedHostThatNeverPushesIsDown() throws Exception {
        startServer(MonitoringConfig.builder().expectedHosts(Set.of("app-server-1")));

        clock.advanceSeconds(3);

        assertThat(events).extracting(AlertEvent::logLine)
                .containsExactly("ALERT firing: HostDown app-server-1 (never pushed, expected for 3.0 s)");
        JsonNode host = Http.json(server.address(), "/api/hosts").get("hosts").get(0);
        assertThat(host.get("host").asText()).isEqualTo("app-server-1");
        assertThat(host.get("up").asBoolean()).isFalse();
        assertThat(host.get("lastPush").isNull()).isTrue();
    }

    @Test
    void highRequestRateIsPendingThenFiringAfterItsForThenResolved() throws Exception {
        startServer(MonitoringConfig.builder().highRequestRate(50).highRequestRateFor(Duration.ofSeconds(3))
                .rateWindow(Duration.ofSeconds(3)));
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP responses", "instance", "method",
                "code");
        client = startClient("web-server-1", "127.0.0.42", "web-1");

        for (int second = 1; second <= 8; second++) {
            requests.labelValues("web-1", "GET", "200").inc(100); // counted in the push at this second
            clock.advanceSeconds(1);
        }
        clock.advanceSeconds(4); // no more requests

        assertThat(events).extracting(e -> e.to()).containsExactly(AlertState.PENDING, AlertState.FIRING,
                AlertState.RESOLVED);
        AlertEvent pending = events.get(0);
        AlertEvent firing = events.get(1);
        AlertEvent resolved = events.get(2);
        // the first evaluation that sees two pushes (1 s and 2 s) is at 3 s
        assertThat(pending.at()).isEqualTo(T0.plusSeconds(3));
        assertThat(pending.logLine()).isEqualTo(
                "ALERT pending: HighRequestRate web-1 (100 requests/s on web-server-1, above 50)");
        assertThat(Duration.between(pending.at(), firing.at())).isEqualTo(Duration.ofSeconds(3));
        assertThat(firing.logLine()).isEqualTo(
                "ALERT firing: HighRequestRate web-1 (100 requests/s on web-server-1, above 50)");
        // the last increase was pushed at 8 s; at 10 s the window (7 s, 10 s] holds 8 s and 9 s: 0 a second
        assertThat(resolved.at()).isEqualTo(T0.plusSeconds(10));

        JsonNode rule = Http.json(server.address(), "/api/alerts").get("rules").get(1);
        assertThat(rule.get("name").asText()).isEqualTo("HighRequestRate");
        assertThat(rule.get("state").asText()).isEqualTo("inactive");
        assertThat(rule.get("forSeconds").asDouble()).isEqualTo(3.0);
        assertThat(rule.get("alerts").get(0).get("state").asText()).isEqualTo("resolved");
    }

    @Test
    void aBurstShorterThanTheForNeverFires() throws Exception {
        startServer(MonitoringConfig.builder().highRequestRate(50).highRequestRateFor(Duration.ofSeconds(5))
                .rateWindow(Duration.ofSeconds(3)));
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP responses", "instance", "method",
                "code");
        client = startClient("web-server-1", "127.0.0.42", "web-1");

        for (int second = 1; second <= 3; second++) {
            requests.labelValues("web-1", "GET", "200").inc(100);
            clock.advanceSeconds(1);
        }
        JsonNode duringBurst = Http.json(server.address(), "/api/alerts").get("rules").get(1);
        clock.advanceSeconds(6);

        assertThat(duringBurst.get("state").asText()).isEqualTo("pending");
        assertThat(events).extracting(e -> e.to()).containsExactly(AlertState.PENDING, AlertState.INACTIVE);
        assertThat(server.alerts()).isEmpty();
    }

    @Test
    void replicationLagFiresWhenAReplicaStaysBehind() throws Exception {
        startServer(MonitoringConfig.builder().replicationLagSeconds(5).replicationLagFor(Duration.ofSeconds(2)));
        AtomicReference<Double> lag = new AtomicReference<>(1.0);
        metrics.gauge("foobar_db_replication_lag_seconds", "lag", List.of("instance"), List.of("db-2"), lag::get);
        client = startClient("db-server-2", "127.0.0.43", "db-2");

        clock.advanceSeconds(2);
        lag.set(12.5);
        clock.advanceSeconds(5);

        assertThat(events).extracting(AlertEvent::logLine).containsExactly(
                "ALERT pending: ReplicationLag db-2 (lag 12.5 s on db-server-2, above 5 s)",
                "ALERT firing: ReplicationLag db-2 (lag 12.5 s on db-server-2, above 5 s)");
        assertThat(Duration.between(events.get(0).at(), events.get(1).at())).isEqualTo(Duration.ofSeconds(2));
    }
}
