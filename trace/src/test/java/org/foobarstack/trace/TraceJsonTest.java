package org.foobarstack.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceJsonTest {

    private static final String ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private final TraceJson json = new TraceJson();

    private Trace sample() {
        TraceHub hub = new TraceHub();
        TraceRecorder web = hub.newRecorder("web", "web-1");
        TraceRecorder db = hub.newRecorder("storage", "storage-1");
        web.record(web.hop(ID, Protocol.HTTP, Direction.RECEIVED).summary("GET / HTTP/1.1").peer("127.0.0.1:50000")
                .timing(1_000, 41_000)
                .field(Field.group("Request line", 0, 16, "GET / HTTP/1.1",
                        List.of(Field.of("Method", 0, 3, "GET"))))
                .build());
        db.record(db.hop(ID, Protocol.SQL, Direction.RECEIVED).summary("SELECT 2 rows")
                .timing(20_000, 30_000).field(Field.info("Rows", "2")).build());
        return hub.trace(ID);
    }

    @Test
    void writesTheDocumentedShape() throws Exception {
        JsonNode root = json.mapper().readTree(json.write(sample()));

        assertThat(root.get("format").asInt()).isEqualTo(1);
        assertThat(root.get("traceId").asText()).isEqualTo(ID);
        assertThat(root.get("requestId").asText()).isEqualTo("4bf92f35");
        assertThat(root.get("durationNanos").asLong()).isEqualTo(40_000);
        JsonNode first = root.get("hops").get(0);
        assertThat(first.get("tier").asText()).isEqualTo("web");
        assertThat(first.get("protocol").asText()).isEqualTo("HTTP");
        assertThat(first.get("direction").asText()).isEqualTo("received");
        assertThat(first.get("sinceStartNanos").asLong()).isZero();
        assertThat(first.get("durationNanos").asLong()).isEqualTo(40_000);
        assertThat(first.get("start").asText()).endsWith("Z");
        JsonNode requestLine = first.get("fields").get(0);
        assertThat(requestLine.get("offset").asInt()).isZero();
        assertThat(requestLine.get("length").asInt()).isEqualTo(16);
        assertThat(requestLine.get("children").get(0).get("value").asText()).isEqualTo("GET");
        JsonNode second = root.get("hops").get(1);
        assertThat(second.get("sinceStartNanos").asLong()).isEqualTo(19_000);
        assertThat(second.get("fields").get(0).get("offset").isNull()).isTrue();
    }

    @Test
    void readsBackWhatItWrote() {
        Trace original = sample();

        Trace read = json.read(json.write(original));

        assertThat(read).isEqualTo(original);
    }

    @Test
    void recorderHopsCrossToAnotherProcessAndBackUnchanged() {
        Trace original = sample();
        List<TraceJson.RecorderHops> sent = List.of(
                new TraceJson.RecorderHops("web", "web-1", 1, List.of(original.hops().get(0))),
                new TraceJson.RecorderHops("storage", "storage-1", 7, List.of(original.hops().get(1))));

        List<TraceJson.RecorderHops> received = json.readRecorderHops(json.writeRecorderHops(sent));

        assertThat(received).isEqualTo(sent);
        assertThat(new Trace(ID, received.stream().flatMap(r -> r.hops().stream()).toList())).isEqualTo(original);
        assertThatThrownBy(() -> json.readRecorderHops("{\"hops\":[]}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"recorders\" array");
    }

    @Test
    void rejectsTextThatIsNotATrace() {
        assertThatThrownBy(() -> json.read("<html>")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> json.read("{\"traceId\":\"x\"}")).hasMessageContaining("hops");
    }

    @Test
    void summariesNameEachTrace() throws Exception {
        TraceHub hub = new TraceHub();
        TraceRecorder web = hub.newRecorder("web", "web-1");
        web.record(web.hop(ID, Protocol.HTTP, Direction.RECEIVED).summary("GET /").build());

        JsonNode root = json.mapper().readTree(json.writeSummaries(hub.recent(5)));

        assertThat(root.get("traces").get(0).get("traceId").asText()).isEqualTo(ID);
        assertThat(root.get("traces").get(0).get("summary").asText()).isEqualTo("GET /");
        assertThat(root.get("traces").get(0).get("tiers").get(0).asText()).isEqualTo("web");
    }
}
