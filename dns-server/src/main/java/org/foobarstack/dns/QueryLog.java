package org.foobarstack.dns;

import java.net.InetSocketAddress;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One line per answered query, at INFO on the logger {@value #LOGGER_NAME}, shaped like BIND's
 * querylog with the outcome appended:
 *
 * <pre>
 * client 127.0.0.1#53413 (www.foobar.com): query: www.foobar.com IN A +E(0) udp NOERROR aa answers=1 time=0.143ms
 * </pre>
 *
 * Query flags, as BIND prints them: {@code +} recursion desired (or {@code -}), {@code E(n)} EDNS
 * version n, {@code T} TCP, {@code D} DNSSEC OK, {@code C} checking disabled. Then the transport,
 * the rcode, the reply flags {@code aa} and {@code tc} (or {@code -}), the number of ANSWER records
 * and the time spent from reading the query to having the reply bytes.
 */
final class QueryLog {

    public static final String LOGGER_NAME = "org.foobarstack.dns.querylog";

    private final Logger log;

    QueryLog() {
        this(LoggerFactory.getLogger(LOGGER_NAME));
    }

    QueryLog(Logger log) {
        this.log = log;
    }

    boolean enabled() {
        return log.isInfoEnabled();
    }

    void log(InetSocketAddress client, Transport transport, Header queryHeader, OPTRecord queryOpt, Record question,
             int rcode, boolean aa, boolean tc, int answers, long nanos) {
        log.info(format(client, transport, queryHeader, queryOpt, question, rcode, aa, tc, answers, nanos));
    }

    /** The query log line, without logging it. */
    static String format(InetSocketAddress client, Transport transport, Header queryHeader, OPTRecord queryOpt,
                         Record question, int rcode, boolean aa, boolean tc, int answers, long nanos) {
        String name = question.getName().toString(true);
        StringBuilder line = new StringBuilder(128)
                .append("client ").append(client.getAddress().getHostAddress()).append('#').append(client.getPort())
                .append(" (").append(name).append("): query: ").append(name).append(' ')
                .append(DClass.string(question.getDClass())).append(' ').append(Type.string(question.getType()))
                .append(' ').append(queryFlags(transport, queryHeader, queryOpt))
                .append(' ').append(transport.name().toLowerCase(Locale.ROOT))
                .append(' ').append(Rcode.string(rcode))
                .append(' ').append(aa && tc ? "aa,tc" : aa ? "aa" : tc ? "tc" : "-")
                .append(" answers=").append(answers)
                .append(" time=").append(String.format(Locale.ROOT, "%.3f", nanos / 1_000_000.0)).append("ms");
        return line.toString();
    }

    static String queryFlags(Transport transport, Header header, OPTRecord opt) {
        StringBuilder flags = new StringBuilder(8);
        flags.append(header.getFlag(Flags.RD) ? '+' : '-');
        if (opt != null) {
            flags.append("E(").append(opt.getVersion()).append(')');
        }
        if (transport == Transport.TCP) {
            flags.append('T');
        }
        if (opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0) {
            flags.append('D');
        }
        if (header.getFlag(Flags.CD)) {
            flags.append('C');
        }
        return flags.toString();
    }
}
