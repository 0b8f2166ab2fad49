package org.foobarstack.vrrp;

import java.util.Map;

/**
 * What an instance has counted so far, like the per-instance statistics keepalived writes out on its STATS signal.
 *
 * @param advertisementsSent     advertisements sent, each counted once however many peers it went to
 * @param advertisementsReceived datagrams that arrived, well-formed or not
 * @param ignored                the datagrams among them that were discarded, by reason (RFC 9568 §7.1)
 * @param transitions            changes of state
 */
public record Counters(long advertisementsSent, long advertisementsReceived, Map<IgnoreReason, Long> ignored,
                       long transitions) {

    public Counters {
        ignored = Map.copyOf(ignored);
    }

    /** How many were discarded for {@code reason}. */
    public long ignored(IgnoreReason reason) {
        return ignored.getOrDefault(reason, 0L);
    }

    /** How many were discarded for any reason. */
    public long ignoredTotal() {
        return ignored.values().stream().mapToLong(Long::longValue).sum();
    }
}
