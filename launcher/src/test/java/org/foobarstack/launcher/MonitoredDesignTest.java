package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.foobarstack.admin.HostAction;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code secured} design is also the monitored one (on 127.0.84.x): every host's client pushes to mon-1, whose
 * series move when the site is used, and whose HostDown alert fires when a host is killed and clears when it is back.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MonitoredDesignTest {

    @TempDir
    static Path data;

    static Stack stack;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        stack = new Stack(StackConfig.builder().topology(ShippedTopologies.load("secured").relocated(84))
                .adminPort(0).dataDir(data).build());
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A GET of the monitoring server's API, from this machine's operator address (127.0.0.1, let in by mon-1). */
    static JsonNode monitoring(String path) throws Exception {
        InetSocketAddress server = stack.monitoringServer().orElseThrow();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://"
                + server.getAddress().getHostAddress() + ":" + server.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return json.readTree(response.body());
    }

    /** Asks {@code path} once a second until {@code until} holds or 30 s have passed; the last answer. */
    static JsonNode awaitMonitoring(String path, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode last = monitoring(path);
        while (!until.test(last) && System.nanoTime() < deadline) {
            // the server's view changes at most once per push; asking more often only spins
            TimeUnit.MILLISECONDS.sleep(250);
            last = monitoring(path);
        }
        return last;
    }

    static String overTls(String path) throws Exception {
        LbTierRuntime lb = (LbTierRuntime) stack.context().tiers(Role.LB).get(0);
        return BalancerTls.get(lb, lb.httpsAddress(), path);
    }

    @Test
    void everyHostPushesAndTheWebServersRequestRatesMoveWhenTheSiteIsUsed() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(overTls("/api/whoami")).startsWith("HTTP/1.1 200");
        }

        JsonNode hosts = awaitMonitoring("/api/hosts", h -> h.get("hosts").size() == 4
                && h.findValues("up").stream().allMatch(JsonNode::asBoolean));
        assertThat(hosts.get("hosts")).extracting(h -> h.get("host").asText())
                .containsExactlyInAnyOrder("ns1", "lb-1", "server-1", "server-2");
        JsonNode summary = awaitMonitoring("/api/summary", s -> webRate(s, "web-1") > 0 && webRate(s, "web-2") > 0);
        assertThat(webRate(summary, "web-1")).isPositive();
        assertThat(webRate(summary, "web-2")).isPositive();
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://"
                + stack.monitoringServer().orElseThrow().getAddress().getHostAddress() + ":"
                + stack.monitoringServer().orElseThrow().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("foobar_http_requests_total{").contains("host=\"server-1\"")
                .contains("host=\"lb-1\"");
    }

    @Test
    void aKilledHostFiresHostDownAndItsReturnClearsIt() throws Exception {
        stack.act("server-2", HostAction.KILL);
        JsonNode firing = awaitMonitoring("/api/alerts", a -> hostDown(a, "server-2").equals("firing"));
        assertThat(hostDown(firing, "server-2")).isEqualTo("firing");

        stack.act("server-2", HostAction.START);
        JsonNode cleared = awaitMonitoring("/api/alerts", a -> !hostDown(a, "server-2").equals("firing"));
        assertThat(hostDown(cleared, "server-2")).isIn("resolved", "none");
    }

    static double webRate(JsonNode summary, String instance) {
        for (JsonNode node : summary.get("instances")) {
            if (node.get("instance").asText().equals(instance) && node.get("requestsPerSecond").isNumber()) {
                return node.get("requestsPerSecond").asDouble();
            }
        }
        return 0;
    }

    /** The state of the HostDown alert for {@code host}: firing, pending, resolved, or "none" when there is none. */
    static String hostDown(JsonNode alerts, String host) {
        for (JsonNode rule : alerts.get("rules")) {
            if (rule.get("name").asText().equals("HostDown")) {
                for (JsonNode alert : rule.get("alerts")) {
                    if (alert.get("subject").asText().equals(host)) {
                        return alert.get("state").asText();
                    }
                }
            }
        }
        return "none";
    }
}
