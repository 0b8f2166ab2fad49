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
import java.util.List;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT /api/demo} and {@code GET /api/demo} over real sockets: the token (the same answers as the host
 * actions), the report kept and handed back unchanged (of demo spof, deploy, scale, or a demo this server does
 * not know), the bodies refused (not a report 400, too large 413, before the body when the head says so),
 * {@code Expect: 100-continue}, and the methods the path answers.
 */
class DemoReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "3c5e7a9b1d2f40618293a4b5c6d7e8f9";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    @BeforeEach
    void start() throws IOException {
        server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(), new Metrics(),
                new FakeStack(), TOKEN);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> put(String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/api/demo"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> getDemo() throws Exception {
        return client.send(HttpRequest.newBuilder(uri("/api/demo")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private static String error(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).get("error").asText();
    }

    // ------------------------------------------------------------------ the token

    @Test
    void aReportWithoutATokenIs401AndIsNotStored() throws Exception {
        HttpResponse<String> response = put(SpofReportSample.twoRuns(), null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
        assertThat(error(response)).contains("needs the stack's token", "admin.token");
        assertThat(getDemo().statusCode()).isEqualTo(404);
    }

    @Test
    void aReportWithTheWrongTokenIs403AndIsNotStored() throws Exception {
        HttpResponse<String> response = put(SpofReportSample.twoRuns(), "0".repeat(TOKEN.length()));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).contains("invalid_token"));
        assertThat(error(response)).contains("wrong token");
        assertThat(getDemo().statusCode()).isEqualTo(404);
    }

    @Test
    void anAdminServerWithoutATokenTakesNoReports() throws Exception {
        try (AdminServer readOnly = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(),
                new Metrics(), List::of)) {
            readOnly.start();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + readOnly.address().getPort() + "/api/demo"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .PUT(HttpRequest.BodyPublishers.ofString(SpofReportSample.twoRuns())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(409);
            assertThat(error(response)).contains("without the stack's token");
        }
    }

    // ------------------------------------------------------------------ stored and answered

    @Test
    void beforeAnyReportGetIs404SayingHowToMakeOne() throws Exception {
        HttpResponse<String> response = getDemo();
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("status").asInt()).isEqualTo(404);
        assertThat(json.get("error").asText()).isEqualTo("no demo has reported here yet: run "
                + "`bin/foobar-stack demo spof` (or demo deploy, demo scale) while this stack runs");
    }

    @Test
    void aReportWithTheTokenIs204AndGetAnswersItByteForByteUntilTheNextReplacesIt() throws Exception {
        String report = SpofReportSample.twoRuns();
        HttpResponse<String> stored = put(report, TOKEN);
        assertThat(stored.statusCode()).isEqualTo(204);
        assertThat(stored.body()).isEmpty();

        HttpResponse<String> answered = getDemo();
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(answered.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(answered.body()).isEqualTo(report);
        JsonNode runs = JSON.readTree(answered.body()).get("runs");
        assertThat(runs).hasSize(2);
        assertThat(runs.get(1).get("noticed_after_ms").asLong()).isEqualTo(49);

        // only the last report is kept
        String next = SpofReportSample.distributedOnly();
        assertThat(put(next, TOKEN).statusCode()).isEqualTo(204);
        assertThat(getDemo().body()).isEqualTo(next);
    }

    @Test
    void theReportsOfDemoDeployAndDemoScaleAndOfAnUnknownDemoAreKeptAsSent() throws Exception {
        // demo deploy: runs, as demo spof, and its name
        String deploy = DeployReportSample.twoRuns();
        assertThat(put(deploy, TOKEN).statusCode()).isEqualTo(204);
        assertThat(getDemo().body()).isEqualTo(deploy);
        // demo scale: steps, and no runs at all
        String scale = ScaleReportSample.fiveSteps();
        assertThat(put(scale, TOKEN).statusCode()).isEqualTo(204);
        assertThat(getDemo().body()).isEqualTo(scale);
        assertThat(JSON.readTree(getDemo().body()).get("steps")).hasSize(ScaleReportSample.STEPS);
        // a demo a newer launcher has: kept as it is, for the page to say it does not draw it
        String other = "{\"demo\": \"chaos\", \"faults\": [1, 2]}";
        assertThat(put(other, TOKEN).statusCode()).isEqualTo(204);
        assertThat(getDemo().body()).isEqualTo(other);
    }

    @Test
    void aNamedReportWithoutTheArrayItsChartIsDrawnFromIs400SayingWhich() throws Exception {
        List<List<String>> cases = List.of(
                List.of("{\"demo\": \"scale\", \"runs\": []}", "\"steps\" array", "no \"steps\""),
                List.of("{\"demo\": \"scale\", \"steps\": {}}", "\"steps\" array", "a JSON object"),
                List.of("{\"demo\": \"deploy\", \"steps\": []}", "\"runs\" array", "no \"runs\""),
                List.of("{\"demo\": 2, \"runs\": []}", "\"demo\" names the demo", "a JSON number"));
        for (List<String> c : cases) {
            HttpResponse<String> response = put(c.get(0), TOKEN);
            assertThat(response.statusCode()).as(c.get(0)).isEqualTo(400);
            assertThat(error(response)).as(c.get(0)).contains(c.subList(1, c.size()));
        }
        assertThat(getDemo().statusCode()).as("nothing stored").isEqualTo(404);
    }

    @Test
    void aBodyThatIsNotAReportIs400SayingWhyAndTheLastReportStays() throws Exception {
        String report = SpofReportSample.twoRuns();
        assertThat(put(report, TOKEN).statusCode()).isEqualTo(204);

        List<List<String>> cases = List.of(
                List.of("runs: simple, distributed", "not JSON"),
                List.of("{\"runs\": [", "not JSON"),
                List.of("{\"runs\": []} and more", "not JSON"),
                List.of("[{\"topology\": \"simple\"}]", "JSON object", "not a JSON array"),
                List.of("{\"topology\": \"simple\"}", "\"runs\" array", "no \"runs\""),
                List.of("{\"runs\": \"simple\"}", "\"runs\" array", "a JSON string"),
                List.of("   ", "white space"));
        for (List<String> c : cases) {
            HttpResponse<String> response = put(c.get(0), TOKEN);
            assertThat(response.statusCode()).as(c.get(0)).isEqualTo(400);
            assertThat(error(response)).as(c.get(0)).contains(c.subList(1, c.size()));
        }
        assertThat(getDemo().body()).isEqualTo(report);
    }

    @Test
    void anEmptyBodyIs400() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("PUT /api/demo HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Length: 0\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("the body is empty", "demo spof --json");
        }
    }

    // ------------------------------------------------------------------ the size limit

    @Test
    void anOversizedContentLengthIs413BeforeAByteOfTheBodyIsSentAndTheConnectionCloses() throws Exception {
        long tooLong = DemoReport.MAX_BYTES + 1L;
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            // the head alone: were the server waiting for the body, this read would time out
            raw.send("PUT /api/demo HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + tooLong + "\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.statusLine()).isEqualTo("HTTP/1.1 413 Content Too Large");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(JSON.readTree(response.body()).get("error").asText())
                    .contains("at most 4 MiB", tooLong + " bytes", "RFC 9110 §15.5.14");
            assertThat(raw.closedByServer()).isTrue();
        }
        // a client waiting for "100 Continue" gets the 413 instead, and never sends the body
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("PUT /api/demo HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nExpect: 100-continue\r\nContent-Length: 50000000\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(413);
            assertThat(raw.closedByServer()).isTrue();
        }
        assertThat(getDemo().statusCode()).isEqualTo(404);
    }

    @Test
    void aChunkedBodyIsCountedAsItComesAnd413OnceItPassesTheLimit() throws Exception {
        int size = DemoReport.MAX_BYTES + 1;
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("PUT /api/demo HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(size) + "\r\n");
            // the server takes the chunk in (and drops it) while it closes in stages, so this write completes
            raw.send(" ".repeat(size) + "\r\n0\r\n\r\n");
            RawHttpClient.Response response = raw.read();
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(response.body()).contains("more than " + DemoReport.MAX_BYTES + " bytes arrived");
        }
        assertThat(getDemo().statusCode()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ HTTP details

    @Test
    void expect100ContinueIsAnsweredOnlyWithTheTokenAndTheConnectionStaysOpenAfter() throws Exception {
        byte[] report = SpofReportSample.twoRuns().getBytes(StandardCharsets.UTF_8);
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("PUT /api/demo HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                    + report.length + "\r\n\r\n");
            assertThat(raw.read().statusLine()).isEqualTo("HTTP/1.1 100 Continue");
            raw.send(new String(report, StandardCharsets.ISO_8859_1));
            RawHttpClient.Response stored = raw.read();
            assertThat(stored.status()).isEqualTo(204);
            // 204 has no content, and says so by sending no Content-Length at all (RFC 9110 §8.6)
            assertThat(stored.header("Content-Length")).isNull();
            assertThat(stored.header("Connection")).isNull();
            raw.send("GET /api/demo HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response answered = raw.read();
            assertThat(answered.status()).isEqualTo(200);
            assertThat(answered.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(report);
        }
        // without the token the client is refused before it sends the body, and the connection closes, since
        // the server cannot know whether the body will follow
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("PUT /api/demo HTTP/1.1\r\nHost: admin\r\nExpect: 100-continue\r\nContent-Length: "
                    + report.length + "\r\n\r\n");
            RawHttpClient.Response refused = raw.read();
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("Connection")).isEqualTo("close");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void aRefusedBodyThatWasSentAnywayIsSkippedAndTheConnectionGoesOn() throws Exception {
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("PUT /api/demo HTTP/1.1\r\nHost: admin\r\nContent-Length: 11\r\n\r\n{\"runs\":[]}"
                    + "GET /api/demo HTTP/1.1\r\nHost: admin\r\n\r\n");
            assertThat(raw.read().status()).isEqualTo(401);
            // had the body been taken for the next request, this would be a 400 from the parser
            assertThat(raw.read().status()).isEqualTo(404);
        }
    }

    @Test
    void otherMethodsAre405WithAllowAndHeadGetsTheHeadOfGet() throws Exception {
        assertThat(put(SpofReportSample.twoRuns(), TOKEN).statusCode()).isEqualTo(204);
        try (RawHttpClient raw = new RawHttpClient(server.address())) {
            raw.send("POST /api/demo HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Length: 11\r\n\r\n{\"runs\":[]}"
                    + "DELETE /api/demo HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n");
            for (int i = 0; i < 2; i++) {
                RawHttpClient.Response response = raw.read();
                assertThat(response.status()).isEqualTo(405);
                assertThat(response.header("Allow")).isEqualTo("GET, HEAD, PUT");
                assertThat(response.body()).contains("RFC 9110 §15.5.6");
            }
            raw.send("HEAD /api/demo HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawHttpClient.Response head = raw.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(
                    SpofReportSample.twoRuns().getBytes(StandardCharsets.UTF_8).length));
        }
        // the report is still the one stored: neither POST nor DELETE touched it
        assertThat(getDemo().body()).isEqualTo(SpofReportSample.twoRuns());
    }
}
