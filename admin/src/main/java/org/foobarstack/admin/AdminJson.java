package org.foobarstack.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceJson;

/**
 * The JSON the admin API answers with, written node by node (no reflection), so that renaming a Java field
 * can never change the format. Every document starts with {@code "format": 1}; docs/dashboard.md lists the keys.
 * Traces themselves are written by {@link TraceJson}, the format walk reads too.
 */
public final class AdminJson {

    public static final int FORMAT_VERSION = 1;

    private final TraceJson traceJson = new TraceJson();

    /** {@code GET /api/topology}: every tier instance, in the order the supplier gave them. */
    public String topology(List<TierStatus> tiers, String adminEndpoint) {
        ObjectNode root = root();
        root.put("admin", adminEndpoint);
        ArrayNode array = root.putArray("tiers");
        for (TierStatus tier : tiers) {
            ObjectNode node = array.addObject();
            node.put("tier", tier.tier());
            node.put("instance", tier.instance());
            node.put("role", tier.role());
            node.put("protocol", tier.protocol());
            ArrayNode endpoints = node.putArray("endpoints");
            tier.endpoints().forEach(endpoints::add);
            node.put("up", tier.up());
            ObjectNode counters = node.putObject("counters");
            for (Map.Entry<String, Long> counter : tier.counters().entrySet()) {
                counters.put(counter.getKey(), counter.getValue());
            }
        }
        return traceJson.toText(root);
    }

    /** {@code GET /health}: "up" only when every tier instance is up. */
    public String health(List<TierStatus> tiers) {
        ObjectNode root = root();
        boolean allUp = tiers.stream().allMatch(TierStatus::up);
        root.put("status", allUp ? "up" : "down");
        ArrayNode array = root.putArray("tiers");
        for (TierStatus tier : tiers) {
            ObjectNode node = array.addObject();
            node.put("tier", tier.tier());
            node.put("instance", tier.instance());
            node.put("up", tier.up());
        }
        return traceJson.toText(root);
    }

    /**
     * {@code GET /api/traces}: the keys of {@link TraceJson#writeSummaries} (traceId, requestId, start,
     * startEpochMicros, durationNanos, hopCount, summary, tiers) plus method, target and status.
     */
    public String requests(List<RecentRequests.Row> rows) {
        ObjectNode root = root();
        ArrayNode traces = root.putArray("traces");
        for (RecentRequests.Row row : rows) {
            Trace trace = row.trace();
            ObjectNode node = traces.addObject();
            node.put("traceId", trace.traceId());
            node.put("requestId", trace.traceId().substring(0, Math.min(8, trace.traceId().length())));
            long startMicros = trace.isEmpty() ? 0 : trace.hops().get(0).startEpochMicros();
            node.put("start", Instant.EPOCH.plus(startMicros, ChronoUnit.MICROS).toString());
            node.put("startEpochMicros", startMicros);
            node.put("durationNanos", trace.durationNanos());
            node.put("hopCount", trace.hops().size());
            node.put("summary", trace.isEmpty() ? "" : trace.hops().get(0).summary());
            ArrayNode tiers = node.putArray("tiers");
            trace.tiers().forEach(tiers::add);
            node.put("method", row.method());
            node.put("target", row.target());
            node.put("status", row.status());
        }
        return traceJson.toText(root);
    }

    /** {@code GET /api/traces/{id}}: the trace format of docs/tracing.md. */
    public String trace(Trace trace) {
        return traceJson.write(trace);
    }

    /** An error, with the status repeated and a sentence saying what to do. */
    public String error(int status, String message) {
        ObjectNode root = root();
        root.put("status", status);
        root.put("error", message);
        return traceJson.toText(root);
    }

    private ObjectNode root() {
        ObjectNode root = traceJson.mapper().createObjectNode();
        root.put("format", FORMAT_VERSION);
        return root;
    }
}
