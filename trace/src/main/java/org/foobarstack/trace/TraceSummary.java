package org.foobarstack.trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * One line of a "recent requests" list: which trace, when it started, what its first hop was,
 * how many hops and which tiers.
 */
public record TraceSummary(String traceId, long startEpochMicros, long durationNanos, int hopCount,
                           String firstSummary, List<String> tiers) {

    /** @param tiers in the order the request reached them */
    public TraceSummary {
        tiers = List.copyOf(new LinkedHashSet<>(tiers));
    }

    public String requestId() {
        return traceId.length() >= 8 ? traceId.substring(0, 8) : traceId;
    }

    /**
     * Groups hops by trace and lists the traces whose newest hop is newest first.
     *
     * @param hops oldest first, as a recorder or hub lists them
     */
    static List<TraceSummary> newestFirst(List<Hop> hops, int limit) {
        Map<String, List<Hop>> byTrace = new LinkedHashMap<>();
        Map<String, Long> newest = new LinkedHashMap<>();
        for (Hop hop : hops) {
            byTrace.computeIfAbsent(hop.traceId(), id -> new ArrayList<>()).add(hop);
            newest.merge(hop.traceId(), hop.startNanos(), Math::max);
        }
        List<String> ids = new ArrayList<>(byTrace.keySet());
        ids.sort((a, b) -> Long.compare(newest.get(b), newest.get(a)));
        List<TraceSummary> summaries = new ArrayList<>();
        for (String id : ids.subList(0, Math.min(Math.max(limit, 0), ids.size()))) {
            Trace trace = new Trace(id, byTrace.get(id));
            Hop first = trace.hops().get(0);
            summaries.add(new TraceSummary(id, first.startEpochMicros(), trace.durationNanos(),
                    trace.hops().size(), first.summary(), List.copyOf(trace.tiers())));
        }
        return summaries;
    }
}
