package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT} and {@code GET /api/traces/{id}/packets} over real sockets: what {@code walk --packets} sends (a real
 * walk's JSON, {@code walk-packets-https.json}) is kept and handed back byte for byte; the token is asked for
 * first; a body that is not a walk's packets of that trace is refused with 400, one over the limit with 413 before
 * it is read; only the last {@link TracePackets#KEPT} traces' packets are kept.
 */
class TracePacketsRoutesTest {

    private static final String TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(), new Metrics(),
                StackControl.readOnly(List::of), TOKEN);
        server.start();
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] walkFixture() throws Exception {
        try (InputStream in = TracePacketsRoutesTest.class.getResourceAsStream("walk-packets-https.json")) {
            assertThat(in).as("the recorded walk, walk-packets-https.json").isNotNull();
            return in.readAllBytes();
        }
    }

    private HttpResponse<String> put(String traceId, String token, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/traces/" + traceId + "/packets"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(String traceId) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/traces/" + traceId + "/packets")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error").asText();
    }

    private static byte[] packetsOf(String traceId) {
        return ("{\"format\":1,\"traceId\":\"" + traceId + "\",\"client\":[]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aWalksPacketsAreKeptAndHandedBackAsTheyCame() throws Exception {
        byte[] walk = walkFixture();
        String traceId = JSON.readTree(walk).get("traceId").asText();
        assertThat(get(traceId).statusCode()).as("nothing sent yet").isEqualTo(404);

        HttpResponse<String> stored = put(traceId, TOKEN, walk);

        assertThat(stored.statusCode()).isEqualTo(204);
        HttpResponse<byte[]> back = get(traceId);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(back.body()).isEqualTo(walk);
        JsonNode connect = JSON.readTree(back.body()).get("client").get(2);
        assertThat(connect.get("packets")).extracting(p -> p.get("tcp").get("flags").toString())
                .containsExactly("[\"SYN\"]", "[\"SYN\",\"ACK\"]", "[\"ACK\"]");
    }

    @Test
    void storingNeedsTheStacksTokenAndItIsAskedForFirst() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        HttpResponse<String> none = put(traceId, null, packetsOf(traceId));
        HttpResponse<String> wrong = put(traceId, "not-the-token", packetsOf(traceId));
        HttpResponse<String> noneAndBadId = put("4bf9", null, packetsOf(traceId));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"foobar-stack admin\"");
        assertThat(error(none)).startsWith("storing a walk's packets needs the stack's token");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(noneAndBadId.statusCode()).isEqualTo(401);
        assertThat(get(traceId).statusCode()).isEqualTo(404);
    }

    @Test
    void aBodyThatIsNotThatTracesPacketsIsRefusedWithWhy() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String other = "00f067aa0ba902b700f067aa0ba902b7";

        HttpResponse<String> notJson = put(traceId, TOKEN, "{\"traceId\": ".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> trailing = put(traceId, TOKEN,
                ("{\"traceId\":\"" + traceId + "\",\"client\":[]} {}").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> anotherTrace = put(traceId, TOKEN, packetsOf(other));
        HttpResponse<String> noHops = put(traceId, TOKEN,
                ("{\"traceId\":\"" + traceId + "\"}").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> prefix = put("4bf92f35", TOKEN, packetsOf("4bf92f35"));

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(error(notJson)).startsWith("the body is not JSON");
        assertThat(trailing.statusCode()).isEqualTo(400);
        assertThat(anotherTrace.statusCode()).isEqualTo(400);
        assertThat(error(anotherTrace)).isEqualTo("these packets are trace " + other + "'s, not " + traceId + "'s");
        assertThat(noHops.statusCode()).isEqualTo(400);
        assertThat(error(noHops)).contains("\"client\" array is missing");
        assertThat(prefix.statusCode()).isEqualTo(400);
        assertThat(error(prefix)).contains("whole trace id");
        assertThat(get(traceId).statusCode()).isEqualTo(404);
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        byte[] big = new byte[TracePackets.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');

        HttpResponse<String> tooLarge = put(traceId, TOKEN, big);

        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(error(tooLarge)).startsWith("a walk's packets are at most 2 MiB (" + TracePackets.MAX_BYTES
                + " bytes)");
    }

    @Test
    void onlyTheLastTracesPacketsAreKept() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i <= TracePackets.KEPT; i++) {
            String id = String.format("%032x", 0xabc000 + i);
            ids.add(id);
            assertThat(put(id, TOKEN, packetsOf(id)).statusCode()).isEqualTo(204);
        }

        assertThat(get(ids.get(0)).statusCode()).as("the oldest is forgotten").isEqualTo(404);
        assertThat(get(ids.get(1)).statusCode()).isEqualTo(200);
        assertThat(get(ids.get(TracePackets.KEPT)).body()).isEqualTo(packetsOf(ids.get(TracePackets.KEPT)));
    }

    @Test
    void otherMethodsGet405WithAllow() throws Exception {
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(
                URI.create(base + "/api/traces/4bf92f3577b34da6a3ce929d0e0e4736/packets")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD, PUT");
    }
}
