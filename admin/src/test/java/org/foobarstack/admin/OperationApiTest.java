package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/operation} over real sockets, as the dashboard's operation panel and {@code foobar-stack deploy}
 * read it: 404 before any deploy or scaling, then the running or last one with its steps so far, and what
 * {@code POST /api/deploy} and {@code POST /api/scale} answer. The stack is a {@link FakeStack}, whose operations
 * the test moves on itself.
 */
class OperationApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    private final FakeStack stack = new FakeStack();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    @BeforeEach
    void start() throws IOException {
        server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(), new Metrics(), stack, TOKEN);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void beforeAnyDeployItIs404ThenTheDeployIsReadStepByStepUntilItIsDone() throws Exception {
        HttpResponse<String> none = send("GET", "/api/operation", null);
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(JSON.readTree(none.body()).get("error").asText())
                .isEqualTo("no deploy or scaling has run in this stack yet");

        // without the token nothing starts
        assertThat(send("POST", "/api/deploy?version=v2&strategy=rolling", null).statusCode()).isEqualTo(401);
        assertThat(stack.callsSoFar()).isEmpty();
        assertThat(send("GET", "/api/operation", null).statusCode()).isEqualTo(404);

        // with it: 202, where to read the progress, and the operation as it starts
        HttpResponse<String> accepted = send("POST", "/api/deploy?version=v2&strategy=rolling", TOKEN);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Location")).contains("/api/operation");
        assertThat(stack.nextCall(0)).isEqualTo("deploy v2 rolling");
        JsonNode started = JSON.readTree(accepted.body());
        assertThat(started.get("state").asText()).isEqualTo("running");

        JsonNode running = operation();
        assertThat(running.get("format").asInt()).isEqualTo(1);
        assertThat(running.get("id").asLong()).isEqualTo(started.get("id").asLong());
        assertThat(running.get("kind").asText()).isEqualTo("deploy");
        assertThat(running.get("description").asText()).isEqualTo("deploy v2 to distributed, rolling");
        assertThat(running.get("state").asText()).isEqualTo("running");
        assertThat(running.get("result").asText()).isEmpty();
        assertThat(running.has("endedAt")).as("no end while it runs").isFalse();
        assertThat(running.get("steps")).isEmpty();
        long startedAt = running.get("startedAt").asLong();
        assertThat(startedAt).isPositive();

        // each step as it is made: when, on which host (or none, for the whole stack), what
        Operation deploy = stack.lastOperation();
        deploy.step("server-1", "drain at lb-1: no new requests, those in progress finish");
        deploy.step("", "server-1 done; server-2 next");
        JsonNode twoSteps = operation();
        assertThat(texts(twoSteps.get("steps"), "host")).containsExactly("server-1", "");
        assertThat(texts(twoSteps.get("steps"), "text"))
                .containsExactly("drain at lb-1: no new requests, those in progress finish",
                        "server-1 done; server-2 next");
        long first = twoSteps.get("steps").get(0).get("at").asLong();
        assertThat(first).isGreaterThanOrEqualTo(startedAt);
        assertThat(twoSteps.get("steps").get(1).get("at").asLong()).isGreaterThanOrEqualTo(first);

        // done: its sentence and its end, the steps kept for whoever reads it later
        deploy.done("every server runs v2");
        JsonNode done = operation();
        assertThat(done.get("state").asText()).isEqualTo("done");
        assertThat(done.get("result").asText()).isEqualTo("every server runs v2");
        assertThat(done.get("endedAt").asLong()).isGreaterThanOrEqualTo(startedAt);
        assertThat(done.get("steps")).hasSize(2);
    }

    @Test
    void aScalingReplacesTheLastOperationAndOnlyOneRunsAtATime() throws Exception {
        assertThat(send("POST", "/api/deploy?version=v2&strategy=blue-green", TOKEN).statusCode()).isEqualTo(202);
        stack.lastOperation().done("v2 is live on green (green-1, green-2)");

        HttpResponse<String> accepted = send("POST", "/api/scale?role=web&count=3", TOKEN);
        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonNode scaling = operation();
        assertThat(scaling.get("kind").asText()).isEqualTo("scale");
        assertThat(scaling.get("description").asText()).isEqualTo("scale web from 2 to 3 in distributed");
        assertThat(scaling.get("state").asText()).isEqualTo("running");
        assertThat(scaling.get("steps")).as("the deploy's steps are not the scaling's").isEmpty();

        // while it runs, another is refused with the reason, and the one running stays the one shown
        HttpResponse<String> refused = send("POST", "/api/deploy?version=v1&strategy=rolling", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).get("error").asText())
                .contains("another operation is running", "scale web from 2 to 3");
        // a version or a count the stack does not have: 400, said by the stack
        assertThat(send("POST", "/api/deploy?version=v9", TOKEN).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/scale?role=web&count=9", TOKEN).statusCode()).isEqualTo(400);
        assertThat(operation().get("description").asText()).isEqualTo("scale web from 2 to 3 in distributed");

        stack.lastOperation().failed("server-3 did not start");
        JsonNode failed = operation();
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("result").asText()).isEqualTo("server-3 did not start");
    }

    @Test
    void theOperationAnswersGetAndHeadOnly() throws Exception {
        assertThat(send("POST", "/api/deploy?version=v2&strategy=rolling", TOKEN).statusCode()).isEqualTo(202);
        HttpResponse<String> post = send("POST", "/api/operation", TOKEN);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");

        String body = send("GET", "/api/operation", null).body();
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("HEAD /api/operation HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response head = raw.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length"))
                    .isEqualTo(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
            assertThat(head.header("Cache-Control")).isEqualTo("no-store");
        }
    }

    private JsonNode operation() throws Exception {
        HttpResponse<String> response = send("GET", "/api/operation", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        return JSON.readTree(response.body());
    }

    private static List<String> texts(JsonNode array, String key) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.get(key).asText()));
        return texts;
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
