package org.foobarstack.monitoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The JSON of the {@code /api/...} routes, built node by node so that its shape is visible here. Numbers that are
 * not known are null: JSON has no NaN (Prometheus's own API writes every value as a string for that reason).
 * Instants are ISO-8601 in UTC ("2025-01-01T12:00:03Z"), durations seconds.
 */
final class MonitoringJson {

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@code {"at": ..., "downAfterSeconds": 3.0, "hosts": [{"host", "address", "lastPush", ...}]}} */
    byte[] hosts(Instant at, Duration downAfter, List<HostStatus> hosts) {
        ObjectNode root = mapper.createObjectNode();
        root.put("at", at.toString());
        root.put("downAfterSeconds", seconds(downAfter));
        ArrayNode list = root.putArray("hosts");
        for (HostStatus host : hosts) {
            ObjectNode node = list.addObject();
            node.put("host", host.host());
            node.put("address", host.address());
            node.put("lastPush", host.lastPush() == null ? null : host.lastPush().toString());
            node.put("secondsSinceLastPush", seconds(host.silence()));
            node.put("up", host.up());
            node.put("pushes", host.pushes());
            node.put("samples", host.samples());
        }
        return write(root);
    }

    /** {@code {"host", "metric", "series": [{"name", "labels": {...}, "points": [{"at", "value"}]}]}} */
    byte[] series(String host, String metric, List<Series> series) {
        ObjectNode root = mapper.createObjectNode();
        root.put("host", host);
        root.put("metric", metric);
        ArrayNode list = root.putArray("series");
        for (Series s : series) {
            ObjectNode node = list.addObject();
            node.put("name", s.key().name());
            ObjectNode labels = node.putObject("labels");
            s.key().labels().forEach(labels::put);
            ArrayNode points = node.putArray("points");
            for (Point point : s.points()) {
                ObjectNode p = points.addObject();
                p.put("at", point.at().toString());
                putNumber(p, "value", point.value());
            }
        }
        return write(root);
    }

    /** {@code {"at", "windowSeconds", "instances": [{"host", "instance", "hostUp", "requestsPerSecond", ...}]}} */
    byte[] summary(Instant at, Duration window, List<InstanceSummary> instances) {
        ObjectNode root = mapper.createObjectNode();
        root.put("at", at.toString());
        root.put("windowSeconds", seconds(window));
        ArrayNode list = root.putArray("instances");
        for (InstanceSummary instance : instances) {
            ObjectNode node = list.addObject();
            node.put("host", instance.host());
            node.put("instance", instance.instance());
            node.put("hostUp", instance.hostUp());
            putNumber(node, "requestsPerSecond", instance.requestsPerSecond());
            putNumber(node, "errorRate", instance.errorRate());
            putNumber(node, "p99LatencySeconds", instance.p99LatencySeconds());
            putNumber(node, "replicationLagSeconds", instance.replicationLagSeconds());
        }
        return write(root);
    }

    /** {@code {"at", "stepSeconds", "windowSeconds", "instances": [{"host", "instance", "points": [[t, r], ...]}]}} */
    byte[] rates(Instant at, Duration step, Duration window, List<RateHistory> histories) {
        ObjectNode root = mapper.createObjectNode();
        root.put("at", at.toString());
        root.put("stepSeconds", seconds(step));
        root.put("windowSeconds", seconds(window));
        ArrayNode list = root.putArray("instances");
        for (RateHistory history : histories) {
            ObjectNode node = list.addObject();
            node.put("host", history.host());
            node.put("instance", history.instance());
            ArrayNode points = node.putArray("points");
            for (RateHistory.Point point : history.points()) {
                ArrayNode pair = points.addArray(); // [epoch seconds, rate or null], as query_range writes it
                pair.add(point.at().toEpochMilli() / 1000.0);
                Double rate = point.requestsPerSecond();
                if (rate == null || rate.isNaN() || rate.isInfinite()) {
                    pair.addNull();
                } else {
                    pair.add(rate);
                }
            }
        }
        return write(root);
    }

    /**
     * {@code {"at", "rules": [{"name", "condition", "forSeconds", "state", "alerts": [{"subject", "state", ...}]}]}}.
     * A rule's state is its most urgent alert's: firing, else pending, else inactive (resolved alerts are listed
     * but leave the rule inactive).
     */
    byte[] alerts(Instant at, List<AlertRule> rules, List<Alert> alerts) {
        ObjectNode root = mapper.createObjectNode();
        root.put("at", at.toString());
        ArrayNode list = root.putArray("rules");
        for (AlertRule rule : rules) {
            ObjectNode node = list.addObject();
            node.put("name", rule.name());
            node.put("condition", rule.condition());
            node.put("forSeconds", seconds(rule.forDuration()));
            List<Alert> mine = alerts.stream().filter(a -> a.rule().equals(rule.name())).toList();
            AlertState state = mine.stream().anyMatch(a -> a.state() == AlertState.FIRING) ? AlertState.FIRING
                    : mine.stream().anyMatch(a -> a.state() == AlertState.PENDING) ? AlertState.PENDING
                    : AlertState.INACTIVE;
            node.put("state", state.word());
            ArrayNode alertNodes = node.putArray("alerts");
            for (Alert alert : mine) {
                ObjectNode a = alertNodes.addObject();
                a.put("subject", alert.subject());
                a.put("state", alert.state().word());
                a.put("since", alert.since().toString());
                a.put("activeSince", alert.activeSince() == null ? null : alert.activeSince().toString());
                a.put("description", alert.description());
            }
        }
        return write(root);
    }

    /** {@code {"error": "..."}} */
    byte[] error(String message) {
        ObjectNode root = mapper.createObjectNode();
        root.put("error", message);
        return write(root);
    }

    private static void putNumber(ObjectNode node, String field, Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private byte[] write(ObjectNode root) {
        try {
            return mapper.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serialises", e);
        }
    }
}
