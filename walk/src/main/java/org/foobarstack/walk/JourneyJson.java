package org.foobarstack.walk;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.foobarstack.trace.TraceJson;

/**
 * The machine form of a journey ({@code walk --json}); its shape is documented in docs/tracing.md.
 * Client hops use the same hop objects as the trace JSON, plus each hop's transcript lines.
 */
public final class JourneyJson {

    private final TraceJson traceJson = new TraceJson();

    public String render(Journey journey) {
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

        ArrayNode hops = root.putArray("client");
        long origin = journey.steps().isEmpty() ? 0 : journey.steps().get(0).hop().startNanos();
        for (WalkStep step : journey.steps()) {
            ObjectNode hop = traceJson.toNode(step.hop(), origin);
            ArrayNode transcript = hop.putArray("transcript");
            step.transcript().forEach(transcript::add);
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
        return traceJson.toText(root) + "\n";
    }
}
