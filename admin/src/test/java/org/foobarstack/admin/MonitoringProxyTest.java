package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/monitoring/...} over real sockets: an admin server whose stack names a real monitoring server
 * ({@link MonitoringFixture}, on 127.0.0.1 and an ephemeral port) passes on that server's answers, status and
 * body as they are; without a monitoring server every such route is 404 saying so; a monitoring server that is not
 * there, or does not answer, is 502 naming its address.
 */
class MonitoringProxyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_MONITORING = "this design has no monitoring server (add a host with a monitor "
            + "tier, as the secured design does)";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> started = new ArrayList<>();
    private AdminServer admin;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable each : started) {
            each.close();
        }
    }

    private MonitoringFixture monitoring(Set<String> expectedHosts, double highRequestRate) throws IOException {
        MonitoringFixture fixture = new MonitoringFixture(expectedHosts, highRequestRate);
        started.add(fixture);
        return fixture;
    }

    private void startAdmin(Optional<InetSocketAddress> monitoringServer) throws IOException {
        admin = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(), new Metrics(),
                MonitoringFixture.stackWith(monitoringServer), null);
        started.add(admin);
        admin.start();
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort()
                        + pathAndQuery)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send("GET", pathAndQuery);
    }

    /** server-1's web instance: nothing yet, then a second later 95 answered with 200 and 5 with 503. */
    private static void oneSecondOfTraffic(MonitoringFixture monitoring) throws Exception {
        monitoring.push("server-1", MonitoringFixture.webInstance("web-1", 0, 0, 0));
        monitoring.advanceSeconds(1);
        monitoring.push("server-1", MonitoringFixture.webInstance("web-1", 95, 5, 90));
    }

    // ------------------------------------------------------------------ passed on

    @Test
    void summaryAndHostsAreTheMonitoringServersOwnAnswersPassedOn() throws Exception {
        MonitoringFixture monitoring = monitoring(Set.of("server-2"), 1000);
        oneSecondOfTraffic(monitoring);
        startAdmin(Optional.of(monitoring.address()));

        HttpResponse<String> summary = get("/api/monitoring/summary");
        assertThat(summary.statusCode()).isEqualTo(200);
        assertThat(summary.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(summary.headers().firstValue("Cache-Control")).hasValue("no-store");
        // the clock has not moved: the monitoring server's own answer now is the same, byte for byte
        assertThat(summary.body()).isEqualTo(monitoring.get("/api/summary").body());
        JsonNode web1 = JSON.readTree(summary.body()).get("instances").get(0);
        assertThat(web1.get("host").asText()).isEqualTo("server-1");
        assertThat(web1.get("instance").asText()).isEqualTo("web-1");
        assertThat(web1.get("hostUp").asBoolean()).isTrue();
        assertThat(web1.get("requestsPerSecond").asDouble()).isEqualTo(100.0);
        assertThat(web1.get("errorRate").asDouble()).isCloseTo(0.05, within(1e-9));
        assertThat(web1.get("p99LatencySeconds").asDouble()).isBetween(0.005, 0.025);
        assertThat(web1.get("replicationLagSeconds").isNull()).isTrue();

        HttpResponse<String> hosts = get("/api/monitoring/hosts");
        assertThat(hosts.statusCode()).isEqualTo(200);
        assertThat(hosts.body()).isEqualTo(monitoring.get("/api/hosts").body());
        JsonNode list = JSON.readTree(hosts.body()).get("hosts");
        assertThat(list.findValuesAsText("host")).containsExactly("server-1", "server-2");
        JsonNode server1 = list.get(0);
        assertThat(server1.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(server1.get("up").asBoolean()).isTrue();
        assertThat(server1.get("pushes").asInt()).isEqualTo(2);
        assertThat(server1.get("secondsSinceLastPush").asDouble()).isZero();
        // expected by the monitoring server, never pushed: down
        assertThat(list.get(1).get("up").asBoolean()).isFalse();
        assertThat(list.get(1).get("lastPush").isNull()).isTrue();
    }

    @Test
    void alertsAndSeriesArePassedOnWithTheirQuery() throws Exception {
        MonitoringFixture monitoring = monitoring(Set.of(), 50);
        oneSecondOfTraffic(monitoring);
        monitoring.evaluateAlerts();
        startAdmin(Optional.of(monitoring.address()));

        HttpResponse<String> alerts = get("/api/monitoring/alerts");
        assertThat(alerts.statusCode()).isEqualTo(200);
        JsonNode rules = JSON.readTree(alerts.body()).get("rules");
        assertThat(rules.findValuesAsText("name")).containsExactly("HostDown", "HighRequestRate", "ReplicationLag");
        JsonNode high = rules.get(1);
        assertThat(high.get("state").asText()).isEqualTo("pending"); // 100 requests/s, above 50, for 30 s not yet
        assertThat(high.get("alerts").get(0).get("subject").asText()).isEqualTo("web-1");
        assertThat(rules.get(0).get("state").asText()).isEqualTo("inactive");

        HttpResponse<String> series = get("/api/monitoring/series?host=server-1&metric="
                + MonitoringFixture.REQUESTS);
        assertThat(series.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(series.body());
        assertThat(body.get("host").asText()).isEqualTo("server-1");
        assertThat(body.get("series")).hasSize(2); // one per code, 200 and 503
        assertThat(body.get("series").get(0).get("points")).hasSize(2); // one per push

        // the monitoring server's refusals come through as they are, status and reason
        HttpResponse<String> never = get("/api/monitoring/series?host=server-9&metric=" + MonitoringFixture.REQUESTS);
        assertThat(never.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(never.body()).get("error").asText()).isEqualTo("host server-9 has never pushed");
        HttpResponse<String> noMetric = get("/api/monitoring/series?host=server-1");
        assertThat(noMetric.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noMetric.body()).get("error").asText()).contains("?host=H&metric=M");
        // decoded by the admin server, encoded again on the way: "&" and " " arrive as the value they were
        HttpResponse<String> odd = get("/api/monitoring/series?host=server-1&metric=a%20b%26c");
        assertThat(odd.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(odd.body()).get("error").asText()).startsWith("host server-1 has pushed no a b&c ");
    }

    @Test
    void headAnswersTheHeadOfTheGetAndOtherMethodsOrPathsAreRefused() throws Exception {
        MonitoringFixture monitoring = monitoring(Set.of(), 1000);
        oneSecondOfTraffic(monitoring);
        startAdmin(Optional.of(monitoring.address()));

        HttpResponse<String> head = send("HEAD", "/api/monitoring/hosts");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length").orElseThrow())
                .isEqualTo(get("/api/monitoring/hosts").body().length());

        HttpResponse<String> post = send("POST", "/api/monitoring/summary");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");

        HttpResponse<String> unknown = get("/api/monitoring/metrics");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText())
                .contains("/api/monitoring/summary", "/api/monitoring/hosts", "/api/monitoring/alerts",
                        "/api/monitoring/series");
    }

    // ------------------------------------------------------------------ nothing to pass on

    @Test
    void withoutAMonitoringServerEveryMonitoringRouteIs404SayingSo() throws Exception {
        startAdmin(Optional.empty());
        for (String route : List.of("summary", "hosts", "alerts", "series?host=server-1&metric=up")) {
            HttpResponse<String> response = get("/api/monitoring/" + route);
            assertThat(response.statusCode()).as(route).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
            assertThat(JSON.readTree(response.body()).get("error").asText()).as(route).isEqualTo(NO_MONITORING);
        }
    }

    @Test
    void aMonitoringServerThatIsNotListeningIs502NamingItsAddress() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
        startAdmin(Optional.of(closed));

        HttpResponse<String> response = get("/api/monitoring/summary");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(JSON.readTree(response.body()).get("error").asText())
                .isEqualTo("the monitoring server at 127.0.0.1:" + closed.getPort()
                        + " did not answer: connection refused (is its host running?)");
    }

    @Test
    void aMonitoringServerThatNeverAnswersIs502AfterOneSecond() throws Exception {
        // a listening socket nobody accepts from: the kernel completes the connection, and nothing ever answers
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            startAdmin(Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort())));
            long start = System.nanoTime();
            HttpResponse<String> response = get("/api/monitoring/alerts");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(JSON.readTree(response.body()).get("error").asText())
                    .isEqualTo("the monitoring server at 127.0.0.1:" + silent.getLocalPort()
                            + " did not answer: connected, but no answer within 1000 ms");
            assertThat(tookMillis).isBetween(MonitoringProxy.TIMEOUT.toMillis() - 50, 5_000L);
        }
    }
}
