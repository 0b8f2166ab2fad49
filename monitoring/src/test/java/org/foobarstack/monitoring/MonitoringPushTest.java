package org.foobarstack.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.core.metrics.Counter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.foobarstack.trace.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A monitoring client pushing to a monitoring server over loopback, and what the server then shows. */
class MonitoringPushTest {

    private static final InetAddress WEB_HOST = address("127.0.0.23");

    private final ManualClock clock = new ManualClock();
    private final Metrics metrics = new Metrics();
    private MonitoringServer server;
    private MonitoringClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MonitoringServer(MonitoringConfig.builder().port(0).build(), clock);
        server.start();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    @Test
    void pushedSamplesAppearAtMetricsWithTheirHostLabel() throws Exception {
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP responses", "instance", "method",
                "code");
        requests.labelValues("web-1", "GET", "200").inc(42);
        requests.labelValues("web-9", "GET", "200").inc(5); // another host's instance in the same registry
        client = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics, server.address(), clock);
        client.start();

        clock.advanceSeconds(1);

        assertThat(client.pushed()).isEqualTo(1);
        assertThat(client.failed()).isZero();
        HttpResponse<String> scrape = Http.get(server.address(), "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(scrape.body())
                .contains("# TYPE foobar_http_requests_total counter\n")
                // the host label first, then the labels as the client library wrote them (sorted by name)
                .contains("foobar_http_requests_total{host=\"web-server-1\",code=\"200\",instance=\"web-1\","
                        + "method=\"GET\"} 42\n")
                .contains("foobar_monitoring_host_up{host=\"web-server-1\"} 1\n")
                .doesNotContain("web-9");
    }

    @Test
    void pushesLeaveFromTheHostsOwnAddress() throws Exception {
        metrics.counter("foobar_http_requests_total", "HTTP responses", "instance").labelValues("web-1").inc();
        client = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics, server.address(), clock);
        client.start();

        clock.advanceSeconds(3);

        JsonNode host = Http.json(server.address(), "/api/hosts").get("hosts").get(0);
        assertThat(host.get("host").asText()).isEqualTo("web-server-1");
        assertThat(host.get("address").asText()).isEqualTo("127.0.0.23");
        assertThat(host.get("up").asBoolean()).isTrue();
        assertThat(host.get("pushes").asLong()).isEqualTo(3);
        assertThat(host.get("lastPush").asText()).isEqualTo("2025-01-01T00:00:03Z");
    }

    @Test
    void seriesKeepOnePointPerPush() throws Exception {
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP responses", "instance");
        client = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics, server.address(), clock);
        client.start();
        for (int i = 0; i < 3; i++) {
            requests.labelValues("web-1").inc(10);
            clock.advanceSeconds(1);
        }

        JsonNode series = Http.json(server.address(),
                "/api/series?host=web-server-1&metric=foobar_http_requests_total").get("series");

        assertThat(series).hasSize(1);
        assertThat(series.get(0).get("labels").get("instance").asText()).isEqualTo("web-1");
        assertThat(series.get(0).get("points")).extracting(p -> p.get("at").asText() + " " + p.get("value").asDouble())
                .containsExactly("2025-01-01T00:00:01Z 10.0", "2025-01-01T00:00:02Z 20.0",
                        "2025-01-01T00:00:03Z 30.0");
        assertThat(Http.get(server.address(), "/api/series?host=web-server-1&metric=nothing_total").statusCode())
                .isEqualTo(404);
        assertThat(Http.get(server.address(), "/api/series?host=web-server-1").statusCode()).isEqualTo(400);
    }

    @Test
    void seriesOlderThanTheRetentionAreForgotten() throws Exception {
        server.close();
        server = new MonitoringServer(MonitoringConfig.builder().port(0).retention(Duration.ofSeconds(30)).build(),
                clock);
        server.start();
        metrics.counter("foobar_http_requests_total", "HTTP responses", "instance").labelValues("web-1").inc();
        client = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics, server.address(), clock);
        client.start();

        clock.advanceSeconds(45);

        JsonNode points = Http.json(server.address(),
                "/api/series?host=web-server-1&metric=foobar_http_requests_total").get("series").get(0).get("points");
        assertThat(points).hasSize(30);
        assertThat(points.get(0).get("at").asText()).isEqualTo("2025-01-01T00:00:16Z");
    }

    @Test
    void aMalformedPushIsRefusedWithTheLineAtFault() throws Exception {
        HttpResponse<String> response = Http.push(server.address(), "web-server-1",
                "# TYPE foobar_http_requests_total counter\nfoobar_http_requests_total{code 200} 1\n");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("not text exposition 0.0.4: line 2: expected '=' after label name "
                + "\"code\": foobar_http_requests_total{code 200} 1\n");
        // nothing of it was kept
        assertThat(Http.json(server.address(), "/api/hosts").get("hosts")).isEmpty();
    }

    @Test
    void aPushMustNameItsHost() throws Exception {
        HttpResponse<String> none = Http.push(server.address(), null, "up 1\n");
        HttpResponse<String> odd = Http.push(server.address(), "web server", "up 1\n");

        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("X-Monitoring-Host");
        assertThat(odd.statusCode()).isEqualTo(400);
        assertThat(odd.body()).contains("\"web server\" is not a host name");
    }

    @Test
    void aPushLargerThanTheLimitIsRefused() throws Exception {
        server.close();
        server = new MonitoringServer(MonitoringConfig.builder().port(0).maxPushBytes(100).build(), clock);
        server.start();

        HttpResponse<String> response = Http.push(server.address(), "web-server-1", "up 1\n".repeat(50));

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void unknownRoutesAndMethodsAreAnsweredPlainly() throws Exception {
        HttpResponse<String> missing = Http.get(server.address(), "/nowhere");
        HttpResponse<String> getPush = Http.get(server.address(), "/api/push");

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("GET  /metrics");
        assertThat(getPush.statusCode()).isEqualTo(405);
        assertThat(getPush.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aFailedPushIsCountedAndTheNextIntervalPushesTheLatestSamples() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP responses", "instance");
        InetSocketAddress later = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        client = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics, later, clock);
        client.start();
        requests.labelValues("web-1").inc(5);

        clock.advanceSeconds(2); // nobody listens yet

        assertThat(client.failed()).isEqualTo(2);
        assertThat(client.pushed()).isZero();
        assertThat(client.lastFailure()).containsIgnoringCase("refused");

        requests.labelValues("web-1").inc(5);
        try (MonitoringServer second = new MonitoringServer(MonitoringConfig.builder().port(port).build(), clock)) {
            second.start();
            clock.advanceSeconds(1);

            assertThat(client.pushed()).isEqualTo(1);
            assertThat(client.lastFailure()).isNull();
            // the lost pushes are not replayed: one push, carrying the counter's whole count
            assertThat(Http.json(second.address(), "/api/hosts").get("hosts").get(0).get("pushes").asLong())
                    .isEqualTo(1);
            assertThat(Http.get(second.address(), "/metrics").body())
                    .contains("foobar_http_requests_total{host=\"web-server-1\",instance=\"web-1\"} 10\n");
        }
    }

    @Test
    void aPushRefusedByTheServerIsAFailureWithItsReason() throws Exception {
        client = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics, server.address(), clock);
        server.close();
        server = new MonitoringServer(MonitoringConfig.builder().port(0).maxPushBytes(10).build(), clock);
        server.start();
        metrics.counter("foobar_http_requests_total", "HTTP responses", "instance").labelValues("web-1").inc();
        client.close();
        client = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics, server.address(), clock);

        assertThat(client.pushNow()).isFalse();
        assertThat(client.failed()).isEqualTo(1);
        assertThat(client.lastFailure()).startsWith("server answered 413 Content Too Large");
    }

    @Test
    void onTheSystemClockAClientPushesEveryInterval() throws Exception {
        Duration interval = Duration.ofMillis(100);
        metrics.counter("foobar_http_requests_total", "HTTP responses", "instance").labelValues("web-1").inc();
        try (MonitoringServer real = new MonitoringServer(MonitoringConfig.builder().port(0).pushInterval(interval)
                .build(), MonitoringClock.system());
             MonitoringClient pushing = new MonitoringClient("web-server-1", WEB_HOST, Set.of("web-1"), metrics,
                     startedAddress(real), MonitoringClock.system(), interval)) {
            pushing.start();

            awaitTrue("three pushes taken", () -> pushing.pushed() >= 3);

            JsonNode host = Http.json(real.address(), "/api/hosts").get("hosts").get(0);
            assertThat(host.get("up").asBoolean()).isTrue();
            assertThat(host.get("pushes").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(pushing.failed()).isZero();
        }
    }

    private static InetSocketAddress startedAddress(MonitoringServer server) throws java.io.IOException {
        server.start();
        return server.address();
    }

    /** Polls until {@code condition} holds; fails with {@code what} when five seconds pass first. */
    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("still waiting after 5 s: " + what).isLessThan(deadline);
            Thread.sleep(5); // between two looks: what the test waits for is the condition, not the pause
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
