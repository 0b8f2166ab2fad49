package org.foobarstack.dns;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A snapshot of a server's counters, taken by {@link DnsServer#stats()}.
 *
 * @param queries queries answered (every message that got a reply)
 * @param udp of which over UDP
 * @param tcp of which over TCP
 * @param dropped packets dropped without reply (no readable header, or a response sent to us)
 * @param truncated UDP replies sent with TC set because the answer did not fit
 * @param rateLimitDropped UDP replies that Response Rate Limiting dropped (counted in {@code queries} too: the
 *     query was answered, the reply not sent)
 * @param rateLimitSlipped UDP replies that Response Rate Limiting replaced with a truncated one (TC set, no
 *     records), also counted in {@code queries}
 * @param byRcode replies per rcode mnemonic ({@code NOERROR}, {@code NXDOMAIN}...), zero counts left out
 * @param byType queries per question type mnemonic ({@code A}, {@code AAAA}...)
 */
public record DnsStats(long queries, long udp, long tcp, long dropped, long truncated,
                       long rateLimitDropped, long rateLimitSlipped, Map<String, Long> byRcode, Map<String, Long> byType) {

    public DnsStats {
        byRcode = Map.copyOf(byRcode);
        byType = Map.copyOf(byType);
    }

    /** Count for one rcode mnemonic, 0 if none. */
    public long rcode(String mnemonic) {
        return byRcode.getOrDefault(mnemonic, 0L);
    }

    /** Count for one type mnemonic, 0 if none. */
    public long type(String mnemonic) {
        return byType.getOrDefault(mnemonic, 0L);
    }

    @Override
    public String toString() {
        return "queries=" + queries + " (udp " + udp + ", tcp " + tcp + ") dropped=" + dropped
                + " truncated=" + truncated + " rateLimited{dropped=" + rateLimitDropped + ", slipped="
                + rateLimitSlipped + "} rcodes{" + sorted(byRcode) + "} types{" + sorted(byType) + "}";
    }

    private static String sorted(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
