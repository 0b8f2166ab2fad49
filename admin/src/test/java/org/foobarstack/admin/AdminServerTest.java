package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every route of the admin server, over real sockets: the JDK's HTTP client and a bare socket. */
class AdminServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TraceHub hub = new TraceHub();
    private final Metrics metrics = new Metrics();
    private final AtomicReference<List<TierStatus>> tiers = new AtomicReference<>(List.of(
            new TierStatus("dns", "dns-1", "DNS server", "DNS",
                    List.of("127.0.0.1:5300/udp dns", "127.0.0.1:5300/tcp dns"), true),
            new TierStatus("web", "web-1", "web server", "HTTP/1.1",
                    List.of("127.0.0.1:8080/tcp http", "127.0.0.1:8443/tcp https"), true,
                    Map.of("connections", 3L)),
            new TierStatus("app", "app-1", "application server", "FastCGI", List.of("127.0.0.1:9000/tcp fastcgi"),
                    true),
            new TierStatus("db", "db-1", "database", "DRDA", List.of("127.0.0.1:1527/tcp drda"), true)));
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;
    private FourTierTrace stack;

    @BeforeEach
    void start() throws IOException {
        stack = new FourTierTrace(hub);
        server = new AdminServer(AdminConfig.builder().port(0).build(), hub, metrics, tiers::get);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    // ------------------------------------------------------------------ /metrics

    @Test
    void metricsExpositionIsParsedBackAndItsCountersMove() throws Exception {
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP requests answered", "instance",
                "status");
        Histogram latency = metrics.latency("foobar_http_request_duration_seconds", "Time to answer", "instance");
        requests.labelValues("web-1", "200").inc();
        latency.labelValues("web-1").observe(0.003);

        HttpResponse<String> first = get("/metrics");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).contains(Metrics.CONTENT_TYPE);
        assertThat(first.body()).contains("# TYPE foobar_http_requests_total counter");
        Map<String, Double> before = samples(first.body());
        assertThat(before).containsEntry("foobar_http_requests_total{instance=\"web-1\",status=\"200\"}", 1.0)
                .containsEntry("foobar_http_request_duration_seconds_count{instance=\"web-1\"}", 1.0)
                .containsEntry("foobar_http_request_duration_seconds_bucket{instance=\"web-1\",le=\"0.005\"}", 1.0)
                .containsEntry("foobar_http_request_duration_seconds_bucket{instance=\"web-1\",le=\"0.0025\"}", 0.0);

        requests.labelValues("web-1", "200").inc(2);
        requests.labelValues("web-1", "404").inc();
        latency.labelValues("web-1").observe(0.2);
        Map<String, Double> after = samples(get("/metrics").body());
        assertThat(after).containsEntry("foobar_http_requests_total{instance=\"web-1\",status=\"200\"}", 3.0)
                .containsEntry("foobar_http_requests_total{instance=\"web-1\",status=\"404\"}", 1.0)
                .containsEntry("foobar_http_request_duration_seconds_count{instance=\"web-1\"}", 2.0);
    }

    /** Sample lines of the 0.0.4 text format: {@code name{labels} value}; comments skipped. */
    private static Map<String, Double> samples(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    // ------------------------------------------------------------------ /health and /api/topology

    @Test
    void healthIs200WhenEveryTierIsUpAnd503WhenOneIsDown() throws Exception {
        HttpResponse<String> up = get("/health");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        JsonNode upJson = JSON.readTree(up.body());
        assertThat(upJson.get("status").asText()).isEqualTo("up");
        assertThat(upJson.get("tiers")).hasSize(4);

        List<TierStatus> oneDown = new java.util.ArrayList<>(tiers.get());
        TierStatus app = oneDown.get(2);
        oneDown.set(2, new TierStatus(app.tier(), app.instance(), app.role(), app.protocol(), app.endpoints(), false));
        tiers.set(oneDown);

        HttpResponse<String> down = get("/health");
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode downJson = JSON.readTree(down.body());
        assertThat(downJson.get("status").asText()).isEqualTo("down");
        assertThat(downJson.get("tiers").get(2).get("instance").asText()).isEqualTo("app-1");
        assertThat(downJson.get("tiers").get(2).get("up").asBoolean()).isFalse();
        assertThat(downJson.get("tiers").get(1).get("up").asBoolean()).isTrue();
    }

    @Test
    void topologyListsEveryInstanceWithItsEndpointsAndState() throws Exception {
        HttpResponse<String> response = get("/api/topology");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("format").asInt()).isEqualTo(1);
        assertThat(json.get("admin").asText()).isEqualTo("127.0.0.1:" + server.address().getPort());
        JsonNode web = json.get("tiers").get(1);
        assertThat(web.get("tier").asText()).isEqualTo("web");
        assertThat(web.get("instance").asText()).isEqualTo("web-1");
        assertThat(web.get("role").asText()).isEqualTo("web server");
        assertThat(web.get("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(web.get("endpoints").get(0).asText()).isEqualTo("127.0.0.1:8080/tcp http");
        assertThat(web.get("up").asBoolean()).isTrue();
        assertThat(web.get("counters").get("connections").asLong()).isEqualTo(3);
        assertThat(json.get("tiers").get(0).get("endpoints").get(0).asText()).isEqualTo("127.0.0.1:5300/udp dns");
    }

    @Test
    void aFailingTopologySupplierIsA500NotADeadServer() throws Exception {
        try (AdminServer failing = new AdminServer(AdminConfig.builder().port(0).build(), hub, metrics, () -> {
            throw new IllegalStateException("probe exploded");
        })) {
            failing.start();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + failing.address().getPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(JSON.readTree(response.body()).get("error").asText()).contains("probe exploded");
            HttpResponse<String> metricsStillServed = client.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + failing.address().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metricsStillServed.statusCode()).isEqualTo(200);
        }
    }

    // ------------------------------------------------------------------ /api/traces

    @Test
    void tracesListsRecentRequestsNewestFirstWithMethodTargetStatusAndTiers() throws Exception {
        String older = stack.recordGet(50_000);
        String dig = stack.recordDig();

        JsonNode json = JSON.readTree(get("/api/traces").body());
        assertThat(json.get("format").asInt()).isEqualTo(1);
        JsonNode traces = json.get("traces");
        assertThat(traces).hasSize(2);
        JsonNode newest = traces.get(0);
        assertThat(newest.get("traceId").asText()).isEqualTo(dig);
        assertThat(newest.get("method").asText()).isEqualTo("DNS");
        assertThat(newest.get("status").asText()).isEqualTo("NXDOMAIN");
        JsonNode get = traces.get(1);
        assertThat(get.get("traceId").asText()).isEqualTo(older);
        assertThat(get.get("requestId").asText()).isEqualTo(older.substring(0, 8));
        assertThat(get.get("method").asText()).isEqualTo("GET");
        assertThat(get.get("target").asText()).isEqualTo("/api/messages");
        assertThat(get.get("status").asText()).isEqualTo("200");
        assertThat(get.get("hopCount").asInt()).isEqualTo(FourTierTrace.HOP_COUNT);
        assertThat(get.get("durationNanos").asLong()).isEqualTo(1_050_000);
        assertThat(get.get("summary").asText()).isEqualTo("query www.foobar.com. A");
        assertThat(JSON.convertValue(get.get("tiers"), List.class)).containsExactly("dns", "web", "app", "db");
        // no balancer on the way, and web-1 answered
        assertThat(get.get("balancer").isNull()).isTrue();
        assertThat(get.get("servedBy").asText()).isEqualTo("web-1");
        assertThat(newest.get("servedBy").isNull()).isTrue();

        JsonNode limited = JSON.readTree(get("/api/traces?limit=1").body());
        assertThat(limited.get("traces")).hasSize(1);
        assertThat(limited.get("traces").get(0).get("traceId").asText()).isEqualTo(dig);
    }

    @Test
    void aBadLimitIsA400ThatSaysWhatIsAllowed() throws Exception {
        for (String limit : List.of("abc", "0", "100000")) {
            HttpResponse<String> response = get("/api/traces?limit=" + limit);
            assertThat(response.statusCode()).as(limit).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText()).contains("from 1 to 500");
        }
    }

    @Test
    void oneTraceIsServedInTheTraceFormatByFullIdOrRequestId() throws Exception {
        String traceId = stack.recordGet(0);
        stack.recordDig();

        HttpResponse<String> response = get("/api/traces/" + traceId);
        assertThat(response.statusCode()).isEqualTo(200);
        Trace trace = new TraceJson().read(response.body());
        assertThat(trace.traceId()).isEqualTo(traceId);
        assertThat(trace.hops()).hasSize(FourTierTrace.HOP_COUNT);
        assertThat(trace.tiers()).containsExactly("dns", "web", "app", "db");
        assertThat(trace.hops().get(2).fields().get(0).name()).isEqualTo("Request line");
        assertThat(trace.hops().get(2).fields().get(0).child("Method").value()).isEqualTo("GET");
        assertThat(trace.hops().get(6).fields()).anyMatch(f -> f.name().equals("Rows") && f.value().equals("2"));

        JsonNode byRequestId = JSON.readTree(get("/api/traces/" + traceId.substring(0, 8)).body());
        assertThat(byRequestId.get("traceId").asText()).isEqualTo(traceId);
    }

    @Test
    void hopsAreHandedOutOnceFromThePositionTheCallerReached() throws Exception {
        String traceId = stack.recordGet(0);

        List<TraceJson.RecorderHops> first = new TraceJson().readRecorderHops(get("/api/hops").body());
        assertThat(first).extracting(TraceJson.RecorderHops::tier).contains("dns", "web", "app", "db");
        assertThat(first.stream().mapToInt(r -> r.hops().size()).sum()).isEqualTo(FourTierTrace.HOP_COUNT);
        assertThat(new Trace(traceId, first.stream().flatMap(r -> r.hops().stream()).toList()))
                .as("the hops make up the trace the hub shows").isEqualTo(hub.trace(traceId));

        String from = String.join(",", first.stream().map(r -> r.tier() + "/" + r.instance() + ":" + r.next())
                .toList());
        List<TraceJson.RecorderHops> again = new TraceJson().readRecorderHops(get("/api/hops?from=" + from).body());
        assertThat(again).allSatisfy(r -> assertThat(r.hops()).isEmpty());

        stack.recordDig();
        List<TraceJson.RecorderHops> after = new TraceJson().readRecorderHops(get("/api/hops?from=" + from).body());
        assertThat(after.stream().flatMap(r -> r.hops().stream()).map(h -> h.traceId()).distinct().toList())
                .as("only the dig's hops are new").hasSize(1).doesNotContain(traceId);

        HttpResponse<String> broken = get("/api/hops?from=web/web-1");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(broken.body()).get("error").asText()).contains("tier/instance:position");
    }

    @Test
    void anUnknownTraceIsA404InJsonAndABrokenIdA400() throws Exception {
        HttpResponse<String> unknown = get("/api/traces/0123456789abcdef0123456789abcdef");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        JsonNode json = JSON.readTree(unknown.body());
        assertThat(json.get("status").asInt()).isEqualTo(404);
        assertThat(json.get("error").asText()).contains("0123456789abcdef0123456789abcdef");

        HttpResponse<String> broken = get("/api/traces/NOT-HEX");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(broken.body()).get("error").asText()).contains("32 lower-case hex digits");
    }

    // ------------------------------------------------------------------ the page

    @Test
    void theDashboardPageAndItsFilesAreServedWithTheirTypes() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'"));
        assertThat(page.body()).contains("id=\"topology\"", "id=\"requests\"", "id=\"waterfall\"",
                "id=\"hop-next\"", "id=\"hop-prev\"", "id=\"fields\"", "src=\"/dashboard.js\"");
        // nothing is loaded from elsewhere: no CDN, no web font (the machine and CI have no internet)
        assertThat(page.body()).doesNotContain("src=\"http", "href=\"http", "src=\"//", "href=\"//");

        HttpResponse<String> script = get("/dashboard.js");
        assertThat(script.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("/api/traces").doesNotContain("innerHTML");
        HttpResponse<String> css = get("/dashboard.css");
        assertThat(css.headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
        assertThat(css.body()).doesNotContain("@import", "url(");
        assertThat(get("/index.html").body()).isEqualTo(page.body());
    }

    @Test
    void anUnknownPathIs404AndNoPathEscapesTheDashboardFiles() throws Exception {
        for (String path : List.of("/nope", "/api/", "/../pom.xml", "/dashboard.js/", "/org/foobarstack/admin/")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(JSON.readTree(response.body()).get("error").asText()).contains("no such page");
        }
    }

    // ------------------------------------------------------------------ HTTP itself, on a bare socket

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("POST /metrics HTTP/1.1\r\nHost: admin\r\nContent-Length: 5\r\n\r\nhello"
                    + "DELETE /api/traces HTTP/1.1\r\nHost: admin\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response post = raw.read();
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
            assertThat(post.body()).contains("read-only");
            RawHttpClient.Response delete = raw.read();
            assertThat(delete.status()).isEqualTo(405);
            assertThat(delete.header("Allow")).isEqualTo("GET, HEAD");
            // the POST's body was read and discarded: the connection still frames requests correctly
            assertThat(raw.read().status()).isEqualTo(200);
        }
    }

    @Test
    void headGetsTheHeadOfGetWithoutTheBody() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("GET /dashboard.css HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response get = raw.read();
            raw.send("HEAD /dashboard.css HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response head = raw.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(get.header("Content-Length"))
                    .isEqualTo(Integer.toString(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
            assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
            // had a body followed the HEAD response, this would read CSS instead of a status line
            raw.send("GET /health HTTP/1.1\r\nHost: admin\r\n\r\n");
            assertThat(raw.read().statusLine()).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    void keepAliveCarriesTwoRequestsOnOneConnectionWithDateServerAndLength() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("GET /health HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response first = raw.read();
            raw.send("GET /api/topology HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response second = raw.read();
            for (RawHttpClient.Response response : List.of(first, second)) {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("Date")).endsWith(" GMT");
                assertThat(response.header("Server")).isEqualTo("foobar-stack-admin");
                assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(response.body().length()));
                assertThat(response.header("Connection")).isNull();
            }
            assertThat(second.body()).contains("\"tiers\"");
            // and the connection is still open for a third
            raw.send("HEAD /metrics HTTP/1.1\r\nHost: admin\r\n\r\n");
            assertThat(raw.read(true).status()).isEqualTo(200);
        }
    }

    @Test
    void connectionCloseIsHonouredAfterTheResponse() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("GET /health HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(raw.closedByServer()).isTrue();
        }
        // HTTP/1.0 closes unless asked to keep the connection (RFC 9112 §9.3)
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("GET /health HTTP/1.0\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(raw.closedByServer()).isTrue();
        }
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(raw.read().header("Connection")).isEqualTo("keep-alive");
            raw.send("GET /health HTTP/1.0\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(200);
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void aMalformedRequestGets400FromTheSharedParserNamingTheRuleThenTheConnectionCloses() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("GET /health HTTP/1.1\r\nHost: admin\r\nNo colon here\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(response.body()).contains("RFC 9112 §5", "a field line has no colon");
            assertThat(raw.closedByServer()).isTrue();
        }
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("GET /health HTTP/1.1\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("RFC 9112 §3.2", "Host");
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void aTakenPortFailsWithAnErrorNamingTheTierAndPort() {
        int port = server.address().getPort();
        AdminServer second = new AdminServer(AdminConfig.builder().port(port).build(), hub, metrics, tiers::get);
        assertThatThrownBy(second::start)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("admin admin-1")
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("address already in use")
                .hasMessageContaining("choose another admin port");
        second.close();
        second.close();
    }

    @Test
    void closeIsIdempotentAndFreesThePort() throws Exception {
        InetSocketAddress address = server.address();
        server.close();
        server.close();
        assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
                .isInstanceOf(ConnectException.class);
        try (AdminServer again = new AdminServer(AdminConfig.builder().port(address.getPort()).build(), hub,
                metrics, tiers::get)) {
            again.start();
            assertThat(again.address().getPort()).isEqualTo(address.getPort());
        }
    }

    @Test
    void theConfigDefaultsTo127001Port9090AndRefusesABadPort() {
        AdminConfig defaults = AdminConfig.defaults();
        assertThat(defaults.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isEqualTo(9090);
        assertThatThrownBy(() -> AdminConfig.builder().port(70_000).build())
                .hasMessageContaining("between 0 and 65535");
    }
}
