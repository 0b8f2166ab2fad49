package org.foobarstack.dns;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The live counters behind {@link DnsStats}; LongAdders, so event-loop threads never contend.
 * Every count is also passed to the Prometheus metrics ({@link DnsMetrics}), when there are any.
 */
final class StatsCounters {

    /** Rcodes fit in 12 bits with EDNS (RFC 6891 §6.1.3); the ones we send are all below 24. */
    private static final int RCODE_SLOTS = 24;

    private final LongAdder queries = new LongAdder();
    private final LongAdder udp = new LongAdder();
    private final LongAdder tcp = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder truncated = new LongAdder();
    private final LongAdder rateLimitDropped = new LongAdder();
    private final LongAdder rateLimitSlipped = new LongAdder();
    private final LongAdder[] byRcode = new LongAdder[RCODE_SLOTS];
    private final ConcurrentHashMap<Integer, LongAdder> byType = new ConcurrentHashMap<>();

    private final DnsMetrics metrics;

    /** Counters without Prometheus metrics (the warm-up's scratch processor). */
    StatsCounters() {
        this(null);
    }

    StatsCounters(DnsMetrics metrics) {
        this.metrics = metrics;
        for (int i = 0; i < RCODE_SLOTS; i++) {
            byRcode[i] = new LongAdder();
        }
    }

    void answered(Transport transport, int qtype, int rcode, boolean tc) {
        queries.increment();
        (transport == Transport.UDP ? udp : tcp).increment();
        if (rcode >= 0 && rcode < RCODE_SLOTS) {
            byRcode[rcode].increment();
        }
        if (qtype >= 0) {
            byType.computeIfAbsent(qtype, t -> new LongAdder()).increment();
        }
        if (tc) {
            truncated.increment();
        }
        if (metrics != null) {
            metrics.answered(transport, qtype, rcode, tc);
        }
    }

    void dropped() {
        dropped.increment();
        if (metrics != null) {
            metrics.dropped();
        }
    }

    /** A UDP reply that Response Rate Limiting dropped. */
    void rateLimitDropped() {
        rateLimitDropped.increment();
        if (metrics != null) {
            metrics.rateLimitDropped();
        }
    }

    /** A UDP reply that Response Rate Limiting replaced with a truncated one. */
    void rateLimitSlipped() {
        rateLimitSlipped.increment();
        if (metrics != null) {
            metrics.rateLimitSlipped();
        }
    }

    /** Time from reading a query to having its (first) reply. */
    void answerTook(long nanos) {
        if (metrics != null) {
            metrics.answerTook(nanos);
        }
    }

    DnsStats snapshot() {
        Map<String, Long> rcodes = new HashMap<>();
        for (int i = 0; i < RCODE_SLOTS; i++) {
            long n = byRcode[i].sum();
            if (n > 0) {
                rcodes.put(Rcode.string(i), n);
            }
        }
        Map<String, Long> types = new HashMap<>();
        byType.forEach((type, n) -> types.put(Type.string(type), n.sum()));
        return new DnsStats(queries.sum(), udp.sum(), tcp.sum(), dropped.sum(), truncated.sum(),
                rateLimitDropped.sum(), rateLimitSlipped.sum(), rcodes, types);
    }
}
