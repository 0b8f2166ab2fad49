package org.foobarstack.trace;

import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Carries a W3C trace context inside a DNS query, so that a DNS server's hops join the trace of the request
 * that caused the lookup.
 *
 * <p>DNS has no headers, but EDNS(0) (RFC 6891) lets a query carry options in its OPT pseudo-record, each a
 * code, a length and bytes (§6.1.2). Codes 65001 to 65534 are set aside for local and experimental use (§9), so
 * this stack uses {@value #CODE} and puts the 55 ASCII characters of a {@code traceparent} value in it. A server
 * that does not know the option ignores it, as RFC 6891 §6.1.2 requires, so the query stays an ordinary query.
 *
 * <p>Who sends it: the {@code walk} client, on the query it makes before its HTTP request, and the web tier's
 * DNS-over-HTTPS endpoint, on the query it forwards. Who reads it: our DNS server, which records its hops under
 * that trace id instead of a fresh one.
 */
public final class DnsTraceOption {

    /** The option code, from the local/experimental range of RFC 6891 §9. */
    public static final int CODE = 65001;
    /** OPTION-CODE and OPTION-LENGTH, two bytes each (RFC 6891 §6.1.2). */
    private static final int OPTION_HEADER_LENGTH = 4;

    private DnsTraceOption() {
    }

    /** The option for a trace context. */
    public static EDNSOption of(TraceContext context) {
        return new GenericEDNSOption(CODE, context.toHeader().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Adds an OPT record with the trace option to a query that has none yet (a query that already has an OPT
     * record is left alone: one OPT per message, RFC 6891 §6.1.1).
     *
     * @param udpPayloadSize the UDP payload size to advertise, e.g. 1232 (the DNS flag day 2020 value)
     */
    public static void addTo(Message query, TraceContext context, int udpPayloadSize) {
        if (query.getOPT() == null) {
            query.addRecord(new OPTRecord(udpPayloadSize, 0, 0, 0, List.of(of(context))),
                    org.xbill.DNS.Section.ADDITIONAL);
        }
    }

    /**
     * Adds the trace option to the OPT record a query already has, keeping its payload size, flags and other
     * options. A query without an OPT record is left alone: giving it one would change the answer (an EDNS
     * query gets an OPT record back, RFC 6891 §7), and a forwarder must not change what its client gets.
     *
     * @return true if the option was added
     */
    public static boolean addToExistingOpt(Message query, TraceContext context) {
        OPTRecord opt = query.getOPT();
        if (opt == null || !opt.getOptions(CODE).isEmpty()) {
            return false;
        }
        List<EDNSOption> options = new java.util.ArrayList<>(opt.getOptions());
        options.add(of(context));
        query.removeRecord(opt, org.xbill.DNS.Section.ADDITIONAL);
        query.addRecord(new OPTRecord(opt.getPayloadSize(), opt.getExtendedRcode(), opt.getVersion(), opt.getFlags(),
                options), org.xbill.DNS.Section.ADDITIONAL);
        return true;
    }

    /** The trace context a query carries, if it has a well-formed one; anything else is ignored. */
    public static Optional<TraceContext> from(Message query) {
        OPTRecord opt = query.getOPT();
        if (opt == null) {
            return Optional.empty();
        }
        for (EDNSOption option : opt.getOptions(CODE)) {
            // toWire() is code (2 bytes), length (2 bytes), data: the value is what follows the option's header
            byte[] wire = option.toWire();
            if (wire.length > OPTION_HEADER_LENGTH) {
                try {
                    return Optional.of(TraceContext.parse(new String(wire, OPTION_HEADER_LENGTH,
                            wire.length - OPTION_HEADER_LENGTH, StandardCharsets.US_ASCII)));
                } catch (IllegalArgumentException malformed) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
