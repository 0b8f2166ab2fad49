package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin server of a running topology, over real sockets: {@code GET /api/topology} for two servers behind a
 * load balancer, the host actions and their token, and which balancer and web server each request of
 * {@code GET /api/traces} went through. The stack is a {@link FakeStack}.
 */
class HostControlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "9f2c4e7a1b3d5f60718293a4b5c6d7e8";

    private final TraceHub hub = new TraceHub();
    private final FakeStack stack = new FakeStack();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    @BeforeEach
    void start() throws IOException {
        server = new AdminServer(AdminConfig.builder().port(0).build(), hub, new Metrics(), stack, TOKEN);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ GET /api/topology

    @Test
    void topologyListsTheHostsWithTheirTiersAndTheBalancersViewOfItsServers() throws Exception {
        HttpResponse<String> response = send("GET", "/api/topology", null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("format").asInt()).isEqualTo(1);
        assertThat(json.get("name").asText()).isEqualTo("distributed");

        JsonNode hosts = json.get("hosts");
        assertThat(texts(hosts, "name")).containsExactly("ns1", "lb-1", "server-1", "server-2");
        JsonNode server2 = hosts.get(3);
        assertThat(server2.get("address").asText()).isEqualTo("127.0.0.12");
        assertThat(server2.get("state").asText()).isEqualTo("running");
        assertThat(server2.get("up").asBoolean()).isTrue();
        assertThat(texts(server2.get("tiers"), "role")).containsExactly("web", "app", "db");
        assertThat(texts(server2.get("tiers"), "instance")).containsExactly("web-2", "app-2", "db-2");
        JsonNode web2 = server2.get("tiers").get(0);
        assertThat(web2.get("port").asInt()).isEqualTo(8080);
        assertThat(web2.get("up").asBoolean()).isTrue();
        assertThat(web2.get("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(web2.get("endpoints").get(1).asText()).isEqualTo("127.0.0.12:8443/tcp https");
        assertThat(web2.get("counters").get("connections").asLong()).isEqualTo(2);
        assertThat(hosts.get(0).get("tiers").get(0).get("port").asInt()).isEqualTo(5300);

        JsonNode balancer = json.get("balancers").get(0);
        assertThat(balancer.get("instance").asText()).isEqualTo("lb-1");
        assertThat(balancer.get("host").asText()).isEqualTo("lb-1");
        assertThat(balancer.get("algorithm").asText()).isEqualTo("roundrobin");
        assertThat(balancer.get("statsUrl").asText()).isEqualTo("http://127.0.0.10:8404/stats");
        JsonNode servers = balancer.get("servers");
        assertThat(texts(servers, "name")).containsExactly("web-1", "web-2");
        assertThat(texts(servers, "host")).containsExactly("server-1", "server-2");
        JsonNode second = servers.get(1);
        assertThat(second.get("address").asText()).isEqualTo("127.0.0.12:8080");
        assertThat(second.get("status").asText()).isEqualTo("UP");
        assertThat(second.get("up").asBoolean()).isTrue();
        assertThat(second.get("admin").asText()).isEqualTo("READY");
        assertThat(second.get("current").asInt()).isEqualTo(1);
        assertThat(second.get("total").asLong()).isEqualTo(20);
        assertThat(second.get("lastCheck").asText()).startsWith("L7OK 200");
        assertThat(second.has("downSince")).as("downSince is there only while the server is down").isFalse();

        // the flat list, in the older shape, still has every tier of every host
        assertThat(texts(json.get("tiers"), "instance"))
                .containsExactly("dns-1", "lb-1", "web-1", "app-1", "db-1", "web-2", "app-2", "db-2");
        assertThat(json.get("tiers").get(2).get("tier").asText()).isEqualTo("web");
    }

    @Test
    void aKilledHostShowsKilledAndDownAndTheBalancerMarksItsServerDown() throws Exception {
        assertThat(send("POST", "/api/hosts/server-2/kill", TOKEN).statusCode()).isEqualTo(200);

        JsonNode json = JSON.readTree(send("GET", "/api/topology", null).body());
        JsonNode server2 = json.get("hosts").get(3);
        assertThat(server2.get("state").asText()).isEqualTo("killed");
        assertThat(server2.get("up").asBoolean()).isFalse();
        assertThat(server2.get("tiers").get(0).get("up").asBoolean()).isFalse();
        JsonNode web2 = json.get("balancers").get(0).get("servers").get(1);
        assertThat(web2.get("status").asText()).isEqualTo("DOWN");
        assertThat(web2.get("up").asBoolean()).isFalse();
        assertThat(web2.get("downSince").asText()).endsWith("Z");
        assertThat(send("GET", "/health", null).statusCode()).isEqualTo(503);
    }

    // ------------------------------------------------------------------ POST /api/hosts/{host}/{action}

    @Test
    void anActionWithoutATokenIs401AndAsksForABearerToken() throws Exception {
        HttpResponse<String> response = send("POST", "/api/hosts/server-2/kill", null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("admin.token");
        assertThat(stack.callsSoFar()).isEmpty();
    }

    @Test
    void anActionWithTheWrongTokenIs403AndDoesNothing() throws Exception {
        HttpResponse<String> response = send("POST", "/api/hosts/server-2/kill", "0".repeat(TOKEN.length()));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("wrong token");
        assertThat(stack.callsSoFar()).isEmpty();
    }

    @Test
    void anActionWithTheTokenIsCarriedOutAndAnswersWhatTheStackSaid() throws Exception {
        HttpResponse<String> response = send("POST", "/api/hosts/server-2/kill", TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("host").asText()).isEqualTo("server-2");
        assertThat(json.get("action").asText()).isEqualTo("kill");
        assertThat(json.get("result").asText())
                .isEqualTo("server-2 killed: web-2, app-2, db-2 stopped at once, their connections reset");
        assertThat(json.get("tookMillis").asLong()).isNotNegative();
        assertThat(stack.nextCall(0)).isEqualTo("server-2 kill");

        assertThat(send("POST", "/api/hosts/server-2/drain", TOKEN).statusCode()).isEqualTo(200);
        assertThat(stack.nextCall(0)).isEqualTo("server-2 drain");
    }

    @Test
    void anActionThatDoesNotApplyNowIs409WithTheStacksReason() throws Exception {
        HttpResponse<String> response = send("POST", "/api/hosts/server-1/start", TOKEN);
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("server-1 is already running");
    }

    @Test
    void anUnknownHostIs404WithTheStacksMessage() throws Exception {
        HttpResponse<String> response = send("POST", "/api/hosts/server-9/kill", TOKEN);
        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("status").asInt()).isEqualTo(404);
        assertThat(json.get("error").asText()).contains("no host server-9", "server-2");
        assertThat(stack.nextCall(0)).isEqualTo("server-9 kill");
    }

    @Test
    void getOnAnActionIs405AllowingPostAndAnUnknownActionWordIs404() throws Exception {
        HttpResponse<String> get = send("GET", "/api/hosts/server-2/kill", TOKEN);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");

        for (String path : List.of("/api/hosts/server-2/reboot", "/api/hosts/server-2", "/api/hosts/")) {
            HttpResponse<String> unknown = send("POST", path, TOKEN);
            assertThat(unknown.statusCode()).as(path).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).get("error").asText()).as(path)
                    .contains("kill|start|drain|ready");
        }
        assertThat(stack.callsSoFar()).isEmpty();
    }

    // ------------------------------------------------------------------ GET /api/traces: balancer and servedBy

    @Test
    void eachRequestSaysWhichBalancerAndWhichWebServerItWentThrough() throws Exception {
        BalancedTrace balanced = new BalancedTrace(hub);
        String refused = balanced.recordGetRefusedByTheBalancer();
        String retried = balanced.recordGetRetriedFromWeb1ToWeb2();
        String served = balanced.recordGetServedByWeb2();
        // a DNS query, and a request sent straight to a web server, under the stack's own recorder names
        TraceRecorder dns = hub.newRecorder("dns", "dns-1");
        TraceRecorder web3 = hub.newRecorder("web", "web-3");
        long t0 = System.nanoTime();
        String dig = TraceContext.fresh().traceId();
        dns.record(dns.hop(dig, Protocol.DNS, Direction.RECEIVED).summary("query www.foobar.com. A")
                .timing(t0, t0 + 10).build());
        String direct = TraceContext.fresh().traceId();
        web3.record(web3.hop(direct, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1")
                .timing(t0 + 20, t0 + 30).build());
        web3.record(web3.hop(direct, Protocol.HTTP, Direction.SENT).summary("HTTP/1.1 200 OK")
                .timing(t0 + 40, t0 + 50).build());

        JsonNode rows = JSON.readTree(send("GET", "/api/traces", null).body()).get("traces");
        assertThat(row(rows, served).get("balancer").asText()).isEqualTo("lb-1");
        assertThat(row(rows, served).get("servedBy").asText()).isEqualTo("web-2");
        assertThat(row(rows, served).get("method").asText()).isEqualTo("GET");
        assertThat(row(rows, served).get("status").asText()).isEqualTo("200");
        // web-1 died under the request and the balancer sent it on: the server that answered served it
        assertThat(row(rows, retried).get("balancer").asText()).isEqualTo("lb-1");
        assertThat(row(rows, retried).get("servedBy").asText()).isEqualTo("web-2");
        // every server down: the balancer answered alone
        assertThat(row(rows, refused).get("balancer").asText()).isEqualTo("lb-1");
        assertThat(row(rows, refused).get("servedBy").isNull()).isTrue();
        assertThat(row(rows, refused).get("status").asText()).isEqualTo("503");
        // no balancer on the way
        assertThat(row(rows, direct).get("balancer").isNull()).isTrue();
        assertThat(row(rows, direct).get("servedBy").asText()).isEqualTo("web-3");
        // a DNS query meets neither: both keys are there, null
        assertThat(row(rows, dig).has("balancer")).isTrue();
        assertThat(row(rows, dig).get("balancer").isNull()).isTrue();
        assertThat(row(rows, dig).has("servedBy")).isTrue();
        assertThat(row(rows, dig).get("servedBy").isNull()).isTrue();
    }

    private static JsonNode row(JsonNode rows, String traceId) {
        for (JsonNode row : rows) {
            if (row.get("traceId").asText().equals(traceId)) {
                return row;
            }
        }
        throw new AssertionError("no row for trace " + traceId + " in " + rows);
    }

    private static List<String> texts(JsonNode array, String key) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.get(key).asText()));
        return values;
    }

    /** A request with an empty body; {@code token} null sends no Authorization field. */
    private HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
