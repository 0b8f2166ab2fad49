package org.foobarstack.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.foobarstack.monitoring.MonitoringClock;
import org.foobarstack.monitoring.MonitoringConfig;
import org.foobarstack.monitoring.MonitoringServer;

/**
 * A real {@link MonitoringServer} on 127.0.0.1 and an ephemeral port, for the admin server to pass on, on a clock
 * that moves only when the test says so: pushes a second apart take no wall-clock time, the rates come out exact,
 * and the answers stay the same however often the dashboard asks. Samples arrive as the hosts' clients send them,
 * a real {@code POST /api/push} with the host in {@code X-Monitoring-Host} and text exposition 0.0.4 as the body.
 *
 * <p>The alert rules run only when the test calls {@link #evaluateAlerts()}: the clock starts no timer.
 */
final class MonitoringFixture implements AutoCloseable {

    /** The web tier's counter, labels instance, method and code (http-server's {@code HttpMetrics}). */
    static final String REQUESTS = "foobar_http_requests_total";

    private final HandClock clock = new HandClock(Instant.parse("2025-01-01T12:00:00Z"));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final MonitoringServer server;

    /**
     * @param expectedHosts hosts that are down until they push (the launcher names every host of the design)
     * @param highRequestRate requests per second of a web instance above which HighRequestRate is pending (for
     *                        30 s before it fires)
     */
    MonitoringFixture(Set<String> expectedHosts, double highRequestRate) throws IOException {
        server = new MonitoringServer(MonitoringConfig.builder().serverName("mon-1").bindAddress("127.0.0.1").port(0)
                .expectedHosts(expectedHosts).highRequestRate(highRequestRate).build(), clock);
        server.start();
    }

    MonitoringFixture() throws IOException {
        this(Set.of(), 1000);
    }

    InetSocketAddress address() {
        return server.address();
    }

    /** Sends one push as {@code host}'s client would; the server answers 204 when it took it. */
    void push(String host, String exposition) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.address().getPort() + "/api/push"))
                .timeout(Duration.ofSeconds(5))
                .header("X-Monitoring-Host", host)
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(exposition)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 204) {
            throw new AssertionError("push from " + host + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }

    /** The monitoring server's own answer to {@code pathAndQuery}, to compare with what the admin server passes on. */
    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                + pathAndQuery)).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    void advanceSeconds(long seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    void evaluateAlerts() {
        server.evaluateAlerts();
    }

    @Override
    public void close() {
        server.close();
    }

    /**
     * A web instance's response counter in text exposition: {@code ok} answers with 200 and {@code failed} with 503
     * so far, and its latency histogram, whose {@code fast} requests took at most 5 ms and the rest at most 25 ms.
     */
    static String webInstance(String instance, long ok, long failed, long fast) {
        long total = ok + failed;
        return "# TYPE " + REQUESTS + " counter\n"
                + REQUESTS + "{instance=\"" + instance + "\",method=\"GET\",code=\"200\"} " + ok + "\n"
                + REQUESTS + "{instance=\"" + instance + "\",method=\"GET\",code=\"503\"} " + failed + "\n"
                + "# TYPE foobar_http_request_duration_seconds histogram\n"
                + "foobar_http_request_duration_seconds_bucket{instance=\"" + instance + "\",le=\"0.005\"} " + fast
                + "\n"
                + "foobar_http_request_duration_seconds_bucket{instance=\"" + instance + "\",le=\"0.025\"} " + total
                + "\n"
                + "foobar_http_request_duration_seconds_bucket{instance=\"" + instance + "\",le=\"+Inf\"} " + total
                + "\n"
                + "foobar_http_request_duration_seconds_sum{instance=\"" + instance + "\"} " + (0.003 * fast
                + 0.020 * (total - fast)) + "\n"
                + "foobar_http_request_duration_seconds_count{instance=\"" + instance + "\"} " + total + "\n";
    }

    /** A replica's lag gauge, as the launcher's database tier registers it. */
    static String replicaLag(String instance, double seconds) {
        return "# TYPE foobar_db_replication_lag_seconds gauge\n"
                + "foobar_db_replication_lag_seconds{instance=\"" + instance + "\"} " + seconds + "\n";
    }

    /** A stack that reports no tiers, controls nothing and names {@code monitoring} as its monitoring server. */
    static StackControl stackWith(Optional<InetSocketAddress> monitoring) {
        StackControl tiers = StackControl.readOnly(List::of);
        return new StackControl() {
            @Override
            public TopologyStatus topology() {
                return tiers.topology();
            }

            @Override
            public String act(String host, HostAction action) {
                return tiers.act(host, action);
            }

            @Override
            public Optional<InetSocketAddress> monitoringServer() {
                return monitoring;
            }
        };
    }

    /** "Now" as the test sets it; {@code every} schedules nothing, since the test runs the evaluations itself. */
    private static final class HandClock implements MonitoringClock {
        private Instant now;

        HandClock(Instant start) {
            this.now = start;
        }

        @Override
        public synchronized Instant now() {
            return now;
        }

        synchronized void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public Repeating every(Duration period, String name, Runnable task) {
            return () -> { };
        }
    }
}
