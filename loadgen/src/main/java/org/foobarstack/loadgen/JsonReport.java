package org.foobarstack.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.OptionalLong;

/**
 * {@link LoadReport#toJson()}: the report as JSON, keys in snake_case, times in milliseconds unless the key says
 * otherwise ({@code duration_s}). Built as a tree rather than by serialising the records, so that the format is
 * written down here, key by key, and does not change when a Java name does.
 */
final class JsonReport {

    private JsonReport() {
    }

    static String render(LoadReport report) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode root = json.objectNode();
        LoadReport.Settings settings = report.settings();
        root.put("target", settings.url());
        root.put("address", settings.address());
        root.put("method", settings.method());
        root.put("rate", settings.rate());
        if (settings.durationMillis() % 1000 == 0) {
            root.put("duration_s", settings.durationMillis() / 1000);
        } else {
            root.put("duration_s", settings.durationMillis() / 1000.0);
        }
        root.put("connections", settings.connections());
        root.put("timeout_ms", settings.timeoutMillis());
        root.put("cancelled", report.cancelled());
        root.put("run_ms", report.runMillis());

        root.put("sent", report.sent());
        ObjectNode answered = root.putObject("answered");
        report.answered().forEach((status, n) -> answered.put(Integer.toString(status), n));
        ObjectNode classes = root.putObject("answered_by_class");
        report.answeredByClass().forEach(classes::put);
        root.put("answered_total", report.answeredTotal());
        // only when the run counted a header, so that the report of a run that did not is as it always was
        String countedHeader = settings.countedHeader();
        if (countedHeader != null) {
            ObjectNode header = root.putObject("header");
            header.put("name", countedHeader);
            ObjectNode values = header.putObject("values");
            report.headerValues().forEach(values::put);
        }
        ObjectNode failed = root.putObject("failed");
        report.failed().forEach((kind, n) -> failed.put(kind.key(), n));
        root.put("failed_total", report.failedTotal());
        ObjectNode violations = root.putObject("protocol_violations");
        report.protocolViolations().forEach(violations::put);
        ObjectNode examples = root.putObject("failure_examples");
        report.failureExamples().forEach((kind, text) -> examples.put(kind.key(), text));

        LoadReport.Latency latency = report.latency();
        ObjectNode latencyMs = root.putObject("latency_ms");
        latencyMs.put("count", latency.count());
        putLatency(latencyMs, "p50", latency.p50(), latency);
        putLatency(latencyMs, "p90", latency.p90(), latency);
        putLatency(latencyMs, "p99", latency.p99(), latency);
        putLatency(latencyMs, "p999", latency.p999(), latency);
        putLatency(latencyMs, "max", latency.max(), latency);
        root.put("achieved_rps", Math.round(report.achievedRps() * 100) / 100.0);
        putOptional(root, "first_failure_ms", report.firstFailureMillis());
        putOptional(root, "last_failure_ms", report.lastFailureMillis());
        root.put("outage_ms", report.outageMillis());

        ArrayNode timeline = root.putArray("timeline");
        for (TimelineBucket second : report.timeline().perSecond()) {
            ObjectNode row = timeline.addObject();
            row.put("second", second.startMillis() / 1000);
            row.put("sent", second.sent());
            row.put("ok", second.ok());
            row.put("errors_4xx", second.clientErrors());
            row.put("errors_5xx", second.serverErrors());
            row.put("failed", second.failedTotal());
            ObjectNode kinds = row.putObject("failed_by_kind");
            second.failed().forEach((kind, n) -> kinds.put(kind.key(), n));
            if (countedHeader != null) {
                ObjectNode values = row.putObject("header_values");
                second.headerValues().forEach(values::put);
            }
            row.put("max_latency_ms", round3(second.maxLatencyMillis()));
        }
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of plain values always serialises
        }
    }

    /** A percentile, or null when no request was answered and there is no latency to speak of. */
    private static void putLatency(ObjectNode node, String key, double millis, LoadReport.Latency latency) {
        if (latency.count() == 0) {
            node.putNull(key);
        } else {
            node.put(key, round3(millis));
        }
    }

    private static void putOptional(ObjectNode node, String key, OptionalLong value) {
        if (value.isPresent()) {
            node.put(key, value.getAsLong());
        } else {
            node.putNull(key);
        }
    }

    /** Microsecond precision, which is what the histogram records. */
    private static double round3(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }
}
