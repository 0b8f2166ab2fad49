package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.foobarstack.toxics.Toxic;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.Test;

/**
 * The routes of {@code /api/links} on their own, against a stack that keeps its toxics in a list: the paths with
 * {@code ->} bare and percent-encoded, the token, the errors, and {@link ToxicJson} both ways for every type.
 */
class LinkRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "4c1d0e2f9a8b7c6d5e4f3a2b1c0d9e8f";

    /** One link, app-1 -> db-1, whose toxics are a list. */
    private static final class OneLink implements StackControl {
        final List<Toxic> toxics = new ArrayList<>();

        @Override
        public TopologyStatus topology() {
            return TopologyStatus.ofTiers(List.of());
        }

        @Override
        public String act(String host, HostAction action) {
            throw new ControlException(409, "no hosts here");
        }

        @Override
        public List<LinkStatus> links() {
            return List.of(status());
        }

        @Override
        public LinkStatus addToxic(String from, String to, Toxic toxic) {
            check(from, to);
            toxics.add(toxic);
            return status();
        }

        @Override
        public LinkStatus removeToxic(String from, String to, String name) {
            check(from, to);
            if (!toxics.removeIf(t -> t.name().equals(name))) {
                throw new ControlException(404, "no toxic named " + name);
            }
            return status();
        }

        private void check(String from, String to) {
            if (!from.equals("app-1") || !to.equals("db-1")) {
                throw new ControlException(404, "no link " + from + "->" + to + "; its links: app-1->db-1");
            }
        }

        private LinkStatus status() {
            return new LinkStatus("app-1", "db-1", "127.0.0.10:40000", "127.0.0.10:1527", toxics);
        }
    }

    private final OneLink stack = new OneLink();
    private final AdminRoutes routes = new AdminRoutes(new TraceHub(), new Metrics(), stack, TOKEN, () -> "a:1");

    private AdminResponse send(String method, String path, String token, String body) {
        return routes.handle(new AdminRequest(method, path, Map.of(), token == null ? null : "Bearer " + token,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode json(AdminResponse response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void aStackWithoutProxiesSaysToStartWithToxics() throws Exception {
        AdminRoutes direct = new AdminRoutes(new TraceHub(), new Metrics(),
                StackControl.readOnly(List::of), TOKEN, () -> "a:1");
        AdminResponse response = direct.handle(new AdminRequest("GET", "/api/links", Map.of()));
        assertThat(response.status().code()).isEqualTo(404);
        assertThat(json(response).path("error").asText()).contains("start it with `foobar-stack run --toxics`");
    }

    @Test
    void aToxicIsAddedListedAndRemovedWithTheArrowBareOrEncoded() throws Exception {
        AdminResponse added = send("POST", "/api/links/app-1->db-1/toxics", TOKEN,
                "{\"type\":\"latency\",\"attributes\":{\"latency\":200,\"jitter\":20}}");
        assertThat(added.status().code()).isEqualTo(200);
        assertThat(stack.toxics).containsExactly(Toxic.latency(Duration.ofMillis(200), Duration.ofMillis(20)));

        JsonNode links = json(send("GET", "/api/links", null, null));
        JsonNode toxic = links.path("links").get(0).path("toxics").get(0);
        assertThat(links.path("links").get(0).path("name").asText()).isEqualTo("app-1->db-1");
        assertThat(toxic.path("name").asText()).isEqualTo("latency_downstream");
        assertThat(toxic.path("attributes").path("jitter").asLong()).isEqualTo(20);

        AdminResponse removed = send("DELETE", "/api/links/app-1-%3Edb-1/toxics/latency_downstream", TOKEN, null);
        assertThat(removed.status().code()).isEqualTo(200);
        assertThat(stack.toxics).isEmpty();
    }

    @Test
    void changesNeedTheTokenAndTheRightMethod() {
        String body = "{\"type\":\"timeout\",\"attributes\":{\"timeout\":100}}";
        assertThat(send("POST", "/api/links/app-1-%3Edb-1/toxics", null, body).status().code()).isEqualTo(401);
        assertThat(send("POST", "/api/links/app-1-%3Edb-1/toxics", "wrong", body).status().code()).isEqualTo(403);
        assertThat(send("DELETE", "/api/links/app-1-%3Edb-1/toxics/x", null, null).status().code()).isEqualTo(401);
        AdminResponse get = send("GET", "/api/links/app-1-%3Edb-1/toxics", TOKEN, null);
        assertThat(get.status().code()).isEqualTo(405);
        assertThat(get.extraFields()).anySatisfy(f -> assertThat(f.value()).isEqualTo("POST"));
        assertThat(send("POST", "/api/links", TOKEN, body).status().code()).isEqualTo(405);
        assertThat(send("GET", "/api/links/app-1/toxics", TOKEN, null).status().code()).isEqualTo(404);
        assertThat(stack.toxics).isEmpty();
    }

    @Test
    void aBadToxicIs400NamingWhatIsWrongAndAnUnknownLink404() throws Exception {
        assertThat(error("{\"type\":\"latency\",\"attributes\":{\"latencyy\":200}}"))
                .isEqualTo("attribute \"latencyy\" is not one of latency's: latency, jitter");
        assertThat(error("{\"type\":\"lag\"}")).startsWith("type must be one of latency, bandwidth");
        assertThat(error("{\"type\":\"bandwidth\",\"attributes\":{\"rate\":\"fast\"}}"))
                .isEqualTo("attribute rate must be a whole number, 0 or more, got \"fast\"");
        assertThat(error("{\"type\":\"slicer\",\"attributes\":{\"average_size\":10,\"size_variation\":10}}"))
                .startsWith("slicer: need average_size >= 1 and 0 <= size_variation < average_size");
        assertThat(error("{\"type\":\"latency\",\"stream\":\"sideways\"}"))
                .isEqualTo("stream must be upstream or downstream, got \"sideways\"");
        assertThat(error("{\"type\":\"latency\",\"toxicity\":1.5}")).isEqualTo("toxicity must be a number from 0 to 1, "
                + "got 1.5");
        assertThat(error("not json")).startsWith("the body is not JSON");

        AdminResponse unknown = send("POST", "/api/links/app-1-%3Edb-9/toxics", TOKEN, "{\"type\":\"latency\"}");
        assertThat(unknown.status().code()).isEqualTo(404);
        assertThat(json(unknown).path("error").asText()).isEqualTo("no link app-1->db-9; its links: app-1->db-1");
    }

    private String error(String body) throws Exception {
        AdminResponse response = send("POST", "/api/links/app-1-%3Edb-1/toxics", TOKEN, body);
        assertThat(response.status().code()).isEqualTo(400);
        return json(response).path("error").asText();
    }

    @Test
    void everyTypeReadsBackAsItWasWritten() {
        List<Toxic> toxics = List.of(
                Toxic.latency(Duration.ofMillis(200), Duration.ofMillis(5)),
                Toxic.bandwidth(64).upstream().toxicity(0.25),
                Toxic.slowClose(Duration.ofMillis(500)).named("late-close"),
                Toxic.timeout(Duration.ofSeconds(1)),
                Toxic.resetPeer(Duration.ZERO),
                Toxic.slicer(64, 16, Duration.ofNanos(250_000)),
                Toxic.limitData(1000));
        for (Toxic toxic : toxics) {
            assertThat(ToxicJson.parse(ToxicJson.write(toxic, JSON.createObjectNode()))).isEqualTo(toxic);
        }
        assertThat(ToxicJson.write(toxics.get(5), JSON.createObjectNode()).path("attributes").path("delay").asLong())
                .as("slicer's delay in µs, as Toxiproxy's").isEqualTo(250);
        assertThatThrownBy(() -> ToxicJson.parse(JSON.createObjectNode().put("type", "latency").put("colour", 1)))
                .hasMessage("unknown field \"colour\": a toxic has name, type, stream, toxicity and attributes");
    }
}
