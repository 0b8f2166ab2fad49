package org.foobarstack.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of traces, served by the admin server at {@code /api/traces/{id}} and read back by
 * {@code walk}. The format is documented field by field in docs/tracing.md; this class writes it
 * explicitly node by node (no reflection), so that renaming a Java field can never change it silently.
 */
public final class TraceJson {

    /** Bump when a field changes meaning or disappears; adding fields keeps the version. */
    public static final int FORMAT_VERSION = 1;

    private final ObjectMapper mapper;

    public TraceJson() {
        this.mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public String write(Trace trace) {
        return toText(toNode(trace));
    }

    public String writeSummaries(List<TraceSummary> summaries) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT_VERSION);
        ArrayNode traces = root.putArray("traces");
        for (TraceSummary summary : summaries) {
            ObjectNode node = traces.addObject();
            node.put("traceId", summary.traceId());
            node.put("requestId", summary.requestId());
            node.put("start", isoTime(summary.startEpochMicros()));
            node.put("startEpochMicros", summary.startEpochMicros());
            node.put("durationNanos", summary.durationNanos());
            node.put("hopCount", summary.hopCount());
            node.put("summary", summary.firstSummary());
            ArrayNode tiers = node.putArray("tiers");
            summary.tiers().forEach(tiers::add);
        }
        return toText(root);
    }

    public ObjectNode toNode(Trace trace) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT_VERSION);
        root.put("traceId", trace.traceId());
        root.put("requestId", trace.traceId().substring(0, Math.min(8, trace.traceId().length())));
        root.put("durationNanos", trace.durationNanos());
        ArrayNode tiers = root.putArray("tiers");
        trace.tiers().forEach(tiers::add);
        long origin = trace.isEmpty() ? 0 : trace.hops().get(0).startNanos();
        ArrayNode hops = root.putArray("hops");
        for (Hop hop : trace.hops()) {
            hops.add(toNode(hop, origin));
        }
        return root;
    }

    /** @param origin the trace's first start, so that {@code sinceStartNanos} reads as a waterfall offset */
    public ObjectNode toNode(Hop hop, long origin) {
        ObjectNode node = mapper.createObjectNode();
        node.put("tier", hop.tier());
        node.put("instance", hop.instance());
        node.put("protocol", hop.protocol().name());
        node.put("direction", hop.direction().word());
        node.put("summary", hop.summary());
        node.put("peer", hop.peer());
        node.put("start", isoTime(hop.startEpochMicros()));
        node.put("startEpochMicros", hop.startEpochMicros());
        node.put("startNanos", hop.startNanos());
        node.put("sinceStartNanos", hop.startNanos() - origin);
        node.put("durationNanos", hop.durationNanos());
        node.set("fields", fieldsNode(hop.fields()));
        return node;
    }

    public ArrayNode fieldsNode(List<Field> fields) {
        ArrayNode array = mapper.createArrayNode();
        for (Field field : fields) {
            ObjectNode node = array.addObject();
            node.put("name", field.name());
            if (field.hasOffset()) {
                node.put("offset", field.offset());
                node.put("length", field.length());
            } else {
                node.putNull("offset");
                node.putNull("length");
            }
            node.put("value", field.value());
            node.set("children", fieldsNode(field.children()));
        }
        return array;
    }

    /**
     * Reads a trace back from its JSON.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public Trace read(String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("a trace is a JSON object");
        }
        String traceId = text(root, "traceId");
        JsonNode hopsNode = root.get("hops");
        if (hopsNode == null || !hopsNode.isArray()) {
            throw new IllegalArgumentException("a trace has a \"hops\" array");
        }
        List<Hop> hops = new ArrayList<>();
        for (JsonNode node : hopsNode) {
            hops.add(readHop(traceId, node));
        }
        return new Trace(traceId, hops);
    }

    private Hop readHop(String traceId, JsonNode node) {
        long start = number(node, "startNanos");
        return Hop.builder(traceId, Protocol.valueOf(text(node, "protocol")),
                        Direction.fromWord(text(node, "direction")))
                .tier(text(node, "tier"), text(node, "instance"))
                .summary(text(node, "summary"))
                .peer(node.path("peer").asText(""))
                .timing(start, start + number(node, "durationNanos"))
                .startEpochMicros(number(node, "startEpochMicros"))
                .fields(readFields(node.get("fields")))
                .build();
    }

    /**
     * What one recorder handed out ({@link TraceRecorder#since}), named: the unit of {@code GET /api/hops}, through
     * which another process follows this one's recorders.
     */
    public record RecorderHops(String tier, String instance, long next, List<Hop> hops) {
        public RecorderHops {
            hops = List.copyOf(hops);
        }
    }

    /**
     * {@code {"format":1,"recorders":[{"tier":"web","instance":"web-1","next":12,"hops":[...]}]}}, each hop as in a
     * trace plus its {@code traceId} (a batch mixes traces); {@code startNanos} stays absolute, so that hops from
     * processes of one machine, which share its monotonic clock, sort together.
     */
    public String writeRecorderHops(List<RecorderHops> recorders) {
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT_VERSION);
        ArrayNode array = root.putArray("recorders");
        for (RecorderHops recorder : recorders) {
            ObjectNode node = array.addObject();
            node.put("tier", recorder.tier());
            node.put("instance", recorder.instance());
            node.put("next", recorder.next());
            ArrayNode hops = node.putArray("hops");
            for (Hop hop : recorder.hops()) {
                hops.add(toNode(hop, 0).put("traceId", hop.traceId()));
            }
        }
        return toText(root);
    }

    /**
     * Reads {@link #writeRecorderHops}'s JSON back.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public List<RecorderHops> readRecorderHops(String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.path("recorders").isArray()) {
            throw new IllegalArgumentException("a hops document is an object with a \"recorders\" array");
        }
        List<RecorderHops> recorders = new ArrayList<>();
        for (JsonNode node : root.get("recorders")) {
            List<Hop> hops = new ArrayList<>();
            for (JsonNode hop : node.path("hops")) {
                hops.add(readHop(text(hop, "traceId"), hop));
            }
            recorders.add(new RecorderHops(text(node, "tier"), text(node, "instance"), number(node, "next"), hops));
        }
        return recorders;
    }

    private List<Field> readFields(JsonNode array) {
        List<Field> fields = new ArrayList<>();
        if (array == null || !array.isArray()) {
            return fields;
        }
        for (JsonNode node : array) {
            JsonNode offset = node.get("offset");
            boolean ranged = offset != null && offset.isNumber();
            fields.add(new Field(text(node, "name"), ranged ? offset.asInt() : Field.NO_OFFSET,
                    ranged ? node.path("length").asInt() : 0, node.path("value").asText(""),
                    readFields(node.get("children"))));
        }
        return fields;
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("missing text field \"" + name + "\"");
        }
        return value.asText();
    }

    private static long number(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("missing number field \"" + name + "\"");
        }
        return value.asLong();
    }

    static String isoTime(long epochMicros) {
        return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS).toString();
    }

    public String toText(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of JSON nodes always serialises", e);
        }
    }
}
