package org.foobarstack.dns;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.concurrent.ConcurrentHashMap;
import org.foobarstack.trace.Metrics;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The server's counters in the stack's Prometheus registry, all labelled with the instance name
 * so that several DNS servers can share one registry:
 *
 * <pre>
 * foobar_dns_queries_total{instance,transport}        queries answered, transport "udp" or "tcp"
 * foobar_dns_answers_total{instance,rcode}            replies by rcode mnemonic (NOERROR, NXDOMAIN...)
 * foobar_dns_queries_by_type_total{instance,qtype}    queries by question type (A, AAAA, HTTPS...)
 * foobar_dns_truncated_total{instance}                UDP replies sent with TC set
 * foobar_dns_dropped_total{instance}                  packets dropped without a reply
 * foobar_dns_answer_duration_seconds{instance}        histogram: query read to reply bytes ready
 * foobar_dns_untraced_total{instance}                 queries over the per-second tracing budget
 * foobar_dns_rate_limited_total{instance,action}      UDP replies held back by Response Rate Limiting,
 *                                                     action "dropped" (not sent) or "slipped" (sent truncated)
 * </pre>
 *
 * <p>The label children are looked up once and kept, so counting a query is a few striped-adder
 * increments, like {@link StatsCounters}. Question types are client input: a type dnsjava has no
 * mnemonic for is counted as {@code other}, so that a client cannot make up 65536 series.
 */
final class DnsMetrics {

    static final String QUERIES = "foobar_dns_queries";
    static final String ANSWERS = "foobar_dns_answers";
    static final String QUERIES_BY_TYPE = "foobar_dns_queries_by_type";
    static final String TRUNCATED = "foobar_dns_truncated";
    static final String DROPPED = "foobar_dns_dropped";
    static final String ANSWER_DURATION = "foobar_dns_answer_duration_seconds";
    static final String UNTRACED = "foobar_dns_untraced";
    static final String RATE_LIMITED = "foobar_dns_rate_limited";

    /** Rcodes we can count one by one; the ones we send are all below 24 (RFC 6891 §6.1.3 allows 12 bits). */
    private static final int RCODE_SLOTS = 24;
    private static final double NANOS_PER_SECOND = 1e9;

    private final String instance;
    private final CounterDataPoint udp;
    private final CounterDataPoint tcp;
    private final CounterDataPoint[] byRcode = new CounterDataPoint[RCODE_SLOTS];
    private final Counter answers;
    private final Counter byTypeCounter;
    private final ConcurrentHashMap<Integer, CounterDataPoint> byType = new ConcurrentHashMap<>();
    private final CounterDataPoint truncated;
    private final CounterDataPoint dropped;
    private final DistributionDataPoint latency;
    private final CounterDataPoint untraced;
    private final CounterDataPoint rateLimitDropped;
    private final CounterDataPoint rateLimitSlipped;

    DnsMetrics(Metrics metrics, String instance) {
        this.instance = instance;
        Counter queries = metrics.counter(QUERIES, "DNS queries answered, by transport", "instance", "transport");
        udp = queries.labelValues(instance, "udp");
        tcp = queries.labelValues(instance, "tcp");
        answers = metrics.counter(ANSWERS, "DNS replies sent, by rcode", "instance", "rcode");
        for (int rcode : new int[] {Rcode.NOERROR, Rcode.FORMERR, Rcode.SERVFAIL, Rcode.NXDOMAIN, Rcode.NOTIMP,
            Rcode.REFUSED, Rcode.NOTAUTH}) {
            // present from the start at 0, so that a dashboard's rate() has a series before the first error
            byRcode[rcode] = answers.labelValues(instance, Rcode.string(rcode));
        }
        byTypeCounter = metrics.counter(QUERIES_BY_TYPE, "DNS queries answered, by question type",
                "instance", "qtype");
        truncated = metrics.counter(TRUNCATED, "DNS replies sent over UDP with TC set (the client retries over TCP)",
                "instance").labelValues(instance);
        dropped = metrics.counter(DROPPED, "DNS packets dropped without a reply (no readable header, or a response)",
                "instance").labelValues(instance);
        latency = metrics.latency(ANSWER_DURATION, "Time from reading a DNS query to having its reply",
                "instance").labelValues(instance);
        untraced = metrics.counter(UNTRACED, "DNS queries answered but not traced (over the per-second tracing budget)",
                "instance").labelValues(instance);
        Counter rateLimited = metrics.counter(RATE_LIMITED, "DNS replies over UDP held back by Response Rate "
                + "Limiting: dropped, or slipped (sent truncated, so that a real client retries over TCP)",
                "instance", "action");
        // both present at 0 from the start, like the common rcodes
        rateLimitDropped = rateLimited.labelValues(instance, "dropped");
        rateLimitSlipped = rateLimited.labelValues(instance, "slipped");
    }

    void rateLimitDropped() {
        rateLimitDropped.inc();
    }

    void rateLimitSlipped() {
        rateLimitSlipped.inc();
    }

    void untraced() {
        untraced.inc();
    }

    void answered(Transport transport, int qtype, int rcode, boolean tc) {
        (transport == Transport.UDP ? udp : tcp).inc();
        if (rcode >= 0 && rcode < RCODE_SLOTS) {
            CounterDataPoint point = byRcode[rcode];
            if (point == null) {
                point = answers.labelValues(instance, Rcode.string(rcode));
                byRcode[rcode] = point;
            }
            point.inc();
        }
        if (qtype >= 0) {
            byType.computeIfAbsent(qtype, this::typeSeries).inc();
        }
        if (tc) {
            truncated.inc();
        }
    }

    private CounterDataPoint typeSeries(int qtype) {
        String mnemonic = Type.string(qtype);
        boolean known = Type.value(mnemonic) == qtype && !mnemonic.startsWith("TYPE");
        return byTypeCounter.labelValues(instance, known ? mnemonic : "other");
    }

    void dropped() {
        dropped.inc();
    }

    void answerTook(long nanos) {
        latency.observe(nanos / NANOS_PER_SECOND);
    }
}
