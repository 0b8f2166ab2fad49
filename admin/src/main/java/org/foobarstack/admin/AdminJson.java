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

    /**
     * {@code GET /api/topology}: the topology's name, its hosts with their tiers, the balancers' view of their
     * servers, and (for the tier boxes of the dashboard) every tier in one flat list.
     */
    public String topology(TopologyStatus topology, String adminEndpoint) {
        ObjectNode root = root();
        root.put("admin", adminEndpoint);
        root.put("name", topology.name());
        root.put("description", topology.description());
        root.put("drawing", topology.drawing());
        ArrayNode hosts = root.putArray("hosts");
        for (HostStatus host : topology.hosts()) {
            ObjectNode node = hosts.addObject();
            node.put("name", host.name());
            node.put("address", host.address());
            node.put("description", host.description());
            node.put("state", host.state());
            node.put("up", host.up());
            ArrayNode tiers = node.putArray("tiers");
            for (TierStatus tier : host.tiers()) {
                ObjectNode t = tiers.addObject();
                t.put("role", tier.tier());
                t.put("instance", tier.instance());
                t.put("port", port(tier));
                t.put("up", tier.up());
                t.put("description", tier.role());
                t.put("protocol", tier.protocol());
                ArrayNode endpoints = t.putArray("endpoints");
                tier.endpoints().forEach(endpoints::add);
                ObjectNode counters = t.putObject("counters");
                for (Map.Entry<String, Long> counter : tier.counters().entrySet()) {
                    counters.put(counter.getKey(), counter.getValue());
                }
                ArrayNode references = t.putArray("references");
                for (TierStatus.Reference reference : tier.references()) {
                    references.addObject().put("host", reference.host()).put("role", reference.role());
                }
                replication(t, tier.replication());
            }
        }
        ArrayNode balancers = root.putArray("balancers");
        for (BalancerStatus balancer : topology.balancers()) {
            ObjectNode node = balancers.addObject();
            node.put("instance", balancer.instance());
            node.put("host", balancer.host());
            node.put("algorithm", balancer.algorithm());
            node.put("statsUrl", balancer.statsUrl());
            if (balancer.vrrp() != null) {
                BalancerStatus.Vrrp vrrp = balancer.vrrp();
                ObjectNode v = node.putObject("vrrp");
                v.put("virtualAddress", vrrp.virtualAddress());
                v.put("state", vrrp.state());
                v.put("priority", vrrp.priority());
                v.put("preempt", vrrp.preempt());
                ArrayNode lines = v.putArray("transitions");
                vrrp.transitions().forEach(lines::add);
            }
            ArrayNode servers = node.putArray("servers");
            for (BalancerStatus.Server server : balancer.servers()) {
                ObjectNode s = servers.addObject();
                s.put("name", server.name());
                s.put("host", server.host());
                s.put("address", server.address());
                s.put("status", server.status());
                s.put("up", server.up());
                s.put("admin", server.admin());
                s.put("current", server.current());
                s.put("total", server.total());
                s.put("lastCheck", server.lastCheck());
                if (server.downSince() >= 0) {
                    s.put("downSince", Instant.ofEpochMilli(server.downSince()).toString());
                }
            }
        }
        ArrayNode array = root.putArray("tiers");
        for (TierStatus tier : topology.tiers()) {
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
            replication(node, tier.replication());
        }
        return traceJson.toText(root);
    }

    /** A database's {@code "replication"} object; nothing for the other tiers. */
    private static void replication(ObjectNode tier, ReplicationView view) {
        if (view == null) {
            return;
        }
        ObjectNode r = tier.putObject("replication");
        r.put("role", view.role());
        r.put("state", view.state());
        r.put("source", view.source());
        r.put("appliedSeq", view.appliedSeq());
        r.put("appliedTxn", view.appliedTxn());
        if (view.sourceSeq() >= 0) {
            r.put("sourceSeq", view.sourceSeq());
            r.put("sourceTxn", view.sourceTxn());
        }
        r.put("lagTransactions", view.lagTransactions());
        r.put("lagMillis", view.lagMillis());
        r.put("lastError", view.lastError());
        r.put("summary", view.summary());
    }

    /** The port of a tier's first endpoint ("127.0.0.11:8080/tcp http" gives 8080), or 0. */
    private static int port(TierStatus tier) {
        if (tier.endpoints().isEmpty()) {
            return 0;
        }
        String endpoint = tier.endpoints().get(0);
        int colon = endpoint.lastIndexOf(':');
        int slash = endpoint.indexOf('/', colon);
        try {
            return Integer.parseInt(endpoint.substring(colon + 1, slash < 0 ? endpoint.length() : slash));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The answer to a host action: what was done, and how long it took. */
    public String actionResult(String host, String action, String result, long millis) {
        ObjectNode root = root();
        root.put("host", host);
        root.put("action", action);
        root.put("result", result);
        root.put("tookMillis", millis);
        return traceJson.toText(root);
    }

    /** {@code GET /api/operation}: a deploy or a scaling, and its steps so far. */
    public String operation(Operation.Snapshot op) {
        ObjectNode root = root();
        root.put("id", op.id());
        root.put("kind", op.kind());
        root.put("description", op.description());
        root.put("state", op.state().name().toLowerCase(java.util.Locale.ROOT));
        root.put("startedAt", op.startedAtMillis());
        if (op.endedAtMillis() > 0) {
            root.put("endedAt", op.endedAtMillis());
        }
        root.put("result", op.result());
        ArrayNode steps = root.putArray("steps");
        for (Operation.Step step : op.steps()) {
            ObjectNode node = steps.addObject();
            node.put("at", step.atMillis());
            node.put("host", step.host());
            node.put("text", step.text());
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
     * startEpochMicros, durationNanos, hopCount, summary, tiers) plus method, target, status, and which load
     * balancer ({@code balancer}) and which web server ({@code servedBy}) the request went through, each null
     * when it met none.
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
            node.put("balancer", row.balancer());
            node.put("servedBy", row.servedBy());
        }
        return traceJson.toText(root);
    }

    /** {@code GET /api/traces/{id}}: the trace format of docs/tracing.md. */
    public String trace(Trace trace) {
        return traceJson.write(trace);
    }

    /** {@code GET /api/links}: every proxied link, its addresses and its toxics in Toxiproxy's shape. */
    public String links(List<LinkStatus> links) {
        ObjectNode root = root();
        ArrayNode array = root.putArray("links");
        links.forEach(link -> link(array.addObject(), link));
        return traceJson.toText(root);
    }

    /** One link, answered when a toxic is added to or removed from it. */
    public String link(LinkStatus link) {
        ObjectNode root = root();
        link(root.putObject("link"), link);
        return traceJson.toText(root);
    }

    private static void link(ObjectNode node, LinkStatus link) {
        node.put("name", link.name());
        node.put("proxy", link.proxyName());
        node.put("from", link.from());
        node.put("to", link.to());
        node.put("listen", link.listen());
        node.put("upstream", link.upstream());
        ArrayNode toxics = node.putArray("toxics");
        link.toxics().forEach(toxic -> ToxicJson.write(toxic, toxics.addObject()));
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
