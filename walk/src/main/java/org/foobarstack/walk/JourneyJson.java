package org.foobarstack.walk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.foobarstack.trace.TraceJson;
import org.foobarstack.walk.packet.Layer;

/**
 * The machine form of a journey ({@code walk --json}); its shape is documented in docs/tracing.md.
 * Client hops use the same hop objects as the trace JSON, plus each hop's layer and transcript lines; with
 * {@code --packets}, each client hop's socket and packets ({@link PacketsJson}) and a {@code packets} object
 * about the capture.
 */
public final class JourneyJson {

    private final TraceJson traceJson = new TraceJson();
    private final PacketsJson packetsJson = new PacketsJson(traceJson);

    /** The journey as indented JSON, what {@code walk --json} prints. */
    public String render(Journey journey) {
        return traceJson.toText(toNode(journey)) + "\n";
    }

    /** The same without indentation: what goes to the admin server with the packets ({@link PacketsUpload}). */
    public String renderCompact(Journey journey) {
        try {
            return traceJson.mapper().writer().without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(toNode(journey));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of JSON nodes always serialises", e);
        }
    }

    ObjectNode toNode(Journey journey) {
        ObjectNode root = traceJson.mapper().createObjectNode();
        root.put("format", TraceJson.FORMAT_VERSION);
        WalkRequest request = journey.request();
        ObjectNode req = root.putObject("request");
        req.put("method", request.method());
        req.put("url", request.url().toString());
        req.put("dns", request.dns().getHostString() + ":" + request.dns().getPort());
        ArrayNode headers = req.putArray("headers");
        for (WalkRequest.Header header : request.headers()) {
            headers.add(header.name() + ": " + header.value());
        }
        if (request.data() == null) {
            req.putNull("data");
        } else {
            req.put("data", request.data());
        }
        root.put("traceId", journey.context().traceId());
        root.put("requestId", journey.context().requestId());
        root.put("traceparent", journey.context().toHeader());

        WalkPackets captured = journey.packets();
        if (captured != null) {
            root.set("packets", packetsJson.capture(captured));
        }
        ArrayNode hops = root.putArray("client");
        long origin = journey.steps().isEmpty() ? 0 : journey.steps().get(0).hop().startNanos();
        long packetOrigin = captured == null ? 0 : Math.max(0, captured.firstEpochMicros());
        for (int i = 0; i < journey.steps().size(); i++) {
            WalkStep step = journey.steps().get(i);
            ObjectNode hop = traceJson.toNode(step.hop(), origin);
            hop.put("layer", Layer.of(step.hop().protocol()).word());
            ArrayNode transcript = hop.putArray("transcript");
            step.transcript().forEach(transcript::add);
            if (captured != null) {
                hop.set("socket", packetsJson.socket(step.flow()));
                hop.set("packets", packetsJson.packets(captured.ofStep(i), step.flow(), packetOrigin));
            }
            hops.add(hop);
        }

        ObjectNode result = root.putObject("result");
        result.put("exitCode", journey.exitCode());
        if (journey.failure() == null) {
            result.put("status", journey.status());
            result.putNull("failure");
            result.putNull("message");
        } else {
            result.putNull("status");
            result.put("failure", journey.failure().name());
            result.put("message", journey.failureMessage());
        }

        ObjectNode server = root.putObject("server");
        server.put("requested", request.traceApi() != null);
        server.put("defaultAddress", request.traceApiIsDefault());
        if (journey.serverNote() == null) {
            server.putNull("note");
        } else {
            server.put("note", journey.serverNote());
        }
        if (journey.serverTrace() == null) {
            server.putNull("trace");
        } else {
            server.set("trace", traceJson.toNode(journey.serverTrace()));
        }
        return root;
    }
}
