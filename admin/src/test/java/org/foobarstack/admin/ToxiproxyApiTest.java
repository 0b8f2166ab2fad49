package org.foobarstack.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.foobarstack.toxics.LinkProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Toxiproxy's API as a plain HTTP client sees it: its answers and its errors, key for key ({@code {"error":
 * "proxy not found", "status": 404}}, 409 for a name taken, 400 for a body it cannot use), a stack link that
 * stays, and browsers refused. The server runs on a free port of 127.0.0.1 with one stand-in stack link,
 * {@code app-1_to_db-1}, a proxy to a port nobody listens on (no byte goes through it here).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ToxiproxyApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static LinkProxy link;
    static ToxiproxyServer server;
    static String base;

    @BeforeAll
    static void start() throws IOException {
        link = LinkProxy.builder().name("app-1 -> db-1").listen(new InetSocketAddress("127.0.0.1", 0))
                .upstream(new InetSocketAddress("127.0.0.1", 9)).build();
        link.start();
        server = new ToxiproxyServer("127.0.0.1", 0, () -> Map.of("app-1_to_db-1", link));
        server.start();
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (link != null) {
            link.close();
        }
    }

    @Test
    void anUnknownProxyOrToxicIs404InToxiproxysWords() throws Exception {
        assertError(send("GET", "/proxies/nope", null), 404, "proxy not found");
        assertError(send("POST", "/proxies/nope/toxics", "{\"type\":\"latency\"}"), 404, "proxy not found");
        assertError(send("DELETE", "/proxies/nope", null), 404, "proxy not found");
        assertError(send("GET", "/proxies/app-1_to_db-1/toxics/none", null), 404, "toxic not found");
        assertError(send("DELETE", "/proxies/app-1_to_db-1/toxics/none", null), 404, "toxic not found");
    }

    @Test
    void aNameTakenIs409() throws Exception {
        String redis = "{\"name\":\"redis\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:6379\"}";
        HttpResponse<String> created = send("POST", "/proxies", redis);
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode proxy = JSON.readTree(created.body());
        assertThat(proxy.path("name").asText()).isEqualTo("redis");
        assertThat(proxy.path("enabled").asBoolean()).isTrue();
        assertThat(proxy.path("listen").asText()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
        assertThat(proxy.path("upstream").asText()).isEqualTo("127.0.0.1:6379");
        assertThat(proxy.path("toxics")).isEmpty();

        assertError(send("POST", "/proxies", redis), 409, "proxy already exists");
        assertError(send("POST", "/proxies", "{\"name\":\"app-1_to_db-1\",\"upstream\":\"127.0.0.1:1\"}"), 409,
                "proxy already exists");

        String latency = "{\"type\":\"latency\",\"attributes\":{\"latency\":200}}";
        assertThat(send("POST", "/proxies/redis/toxics", latency).statusCode()).isEqualTo(200);
        assertError(send("POST", "/proxies/redis/toxics", latency), 409, "toxic already exists");

        assertThat(send("DELETE", "/proxies/redis", null).statusCode()).isEqualTo(204);
        assertError(send("GET", "/proxies/redis", null), 404, "proxy not found");
    }

    @Test
    void aBodyItCannotUseIs400NamingWhatIsWrong() throws Exception {
        assertError(send("POST", "/proxies", "{\"name\":\"half\"}"), 400, "missing required field: upstream");
        assertError(send("POST", "/proxies", "{\"upstream\":\"127.0.0.1:1\"}"), 400, "missing required field: name");
        assertThat(errorOf(send("POST", "/proxies", "{not json"), 400)).startsWith("bad request body: ");
        assertThat(errorOf(send("POST", "/proxies", "{\"name\":\"wide\",\"listen\":\"0.0.0.0:0\","
                + "\"upstream\":\"127.0.0.1:1\"}"), 400)).contains("is not a loopback address");
        assertThat(errorOf(send("POST", "/proxies/app-1_to_db-1/toxics", "{\"type\":\"lag\"}"), 400))
                .contains("type must be one of latency, bandwidth");
        assertThat(errorOf(send("POST", "/proxies/app-1_to_db-1/toxics",
                "{\"type\":\"latency\",\"attributes\":{\"latency\":-5}}"), 400))
                .contains("attribute latency must be a whole number");
        assertThat(link.toxics()).isEmpty();
    }

    @Test
    void aStackLinkStaysWhereTheTiersExpectItButItsToxicsAreOpen() throws Exception {
        assertThat(errorOf(send("DELETE", "/proxies/app-1_to_db-1", null), 409))
                .contains("the stack's link app-1 -> db-1");
        assertThat(errorOf(send("POST", "/proxies/app-1_to_db-1", "{\"upstream\":\"127.0.0.1:2\"}"), 409))
                .contains("cannot change");

        HttpResponse<String> added = send("POST", "/proxies/app-1_to_db-1/toxics",
                "{\"name\":\"slow\",\"type\":\"latency\",\"attributes\":{\"latency\":200}}");
        assertThat(added.statusCode()).isEqualTo(200);
        assertThat(link.toxics()).extracting(t -> t.name()).containsExactly("slow");

        HttpResponse<String> changed = send("PATCH", "/proxies/app-1_to_db-1/toxics/slow",
                "{\"attributes\":{\"jitter\":5},\"toxicity\":0.5}");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(changed.body())).isEqualTo(JSON.readTree("{\"name\":\"slow\",\"type\":\"latency\","
                + "\"stream\":\"downstream\",\"toxicity\":0.5,\"attributes\":{\"latency\":200,\"jitter\":5}}"));

        assertThat(send("DELETE", "/proxies/app-1_to_db-1/toxics/slow", null).statusCode()).isEqualTo(204);
        assertThat(link.toxics()).isEmpty();
    }

    @Test
    void versionAndPopulateAnswerInToxiproxysShape() throws Exception {
        HttpResponse<String> version = send("GET", "/version", null);
        assertThat(JSON.readTree(version.body())).isEqualTo(JSON.readTree("{\"version\":\"2.6.0\"}"));

        HttpResponse<String> populated = send("POST", "/populate", "[{\"name\":\"one\",\"upstream\":\"127.0.0.1:1\"},"
                + "{\"name\":\"two\",\"upstream\":\"127.0.0.1:2\",\"enabled\":false}]");
        assertThat(populated.statusCode()).isEqualTo(201);
        JsonNode proxies = JSON.readTree(populated.body()).path("proxies");
        assertThat(proxies).hasSize(2);
        assertThat(proxies.get(1).path("enabled").asBoolean()).isFalse();
        assertThat(JSON.readTree(send("GET", "/proxies", null).body()).fieldNames()).toIterable()
                .contains("app-1_to_db-1", "one", "two");
        send("DELETE", "/proxies/one", null);
        send("DELETE", "/proxies/two", null);
    }

    @Test
    void aBrowserIsRefusedSinceTheApiHasNoToken() throws Exception {
        HttpResponse<String> browser = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/reset"))
                .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(browser.statusCode()).isEqualTo(403);
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/proxies"))
                .header("Origin", "http://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(403);
    }

    private static HttpResponse<String> send(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The answer is Toxiproxy's error, exactly: {@code {"error": message, "status": status}}. */
    private static void assertError(HttpResponse<String> response, int status, String message) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.createObjectNode().put("error", message)
                .put("status", status));
    }

    private static String errorOf(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.path("status").asInt()).isEqualTo(status);
        return error.path("error").asText();
    }
}
