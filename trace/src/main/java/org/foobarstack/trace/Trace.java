package org.foobarstack.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Every recorded hop of one request, in the order they started. */
public record Trace(String traceId, List<Hop> hops) {

    /** Orders hops by start time; the sort is stable, so hops that start together keep their recorded order. */
    public static final Comparator<Hop> BY_START = Comparator.comparingLong(Hop::startNanos);

    public Trace {
        Objects.requireNonNull(traceId, "traceId");
        List<Hop> sorted = new ArrayList<>(hops);
        sorted.sort(BY_START);
        hops = List.copyOf(sorted);
    }

    public boolean isEmpty() {
        return hops.isEmpty();
    }

    /**
     * The tiers the request crossed, in the order it reached them. The database records no hops of its own (its
     * SQL is recorded by the app server that sent it), so a request with SQL hops crossed {@code db} too, right
     * after the tier that sent them.
     */
    public Set<String> tiers() {
        Set<String> tiers = new LinkedHashSet<>();
        for (Hop hop : hops) {
            tiers.add(hop.tier());
            if (hop.protocol() == Protocol.SQL) {
                tiers.add("db");
            }
        }
        return tiers;
    }

    /** From the first hop's start to the last hop's end. */
    public long durationNanos() {
        if (hops.isEmpty()) {
            return 0;
        }
        long start = hops.get(0).startNanos();
        long end = start;
        for (Hop hop : hops) {
            end = Math.max(end, hop.endNanos());
        }
        return end - start;
    }
}
