package org.foobarstack.dns;

import java.util.List;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;

/**
 * What the answering algorithm decided for one question: the rcode, the {@code aa} bit and the
 * three sections. It knows nothing about the wire; {@link QueryProcessor} turns it into a message.
 *
 * @param rcode RFC 1035 §4.1.1 response code
 * @param authoritative the {@code aa} bit: set for answers from our zones, clear on referrals
 * @param kind which branch of the algorithm produced it (for tests, logs and truncation)
 * @param answer ANSWER section
 * @param authority AUTHORITY section
 * @param additional ADDITIONAL section (without the OPT pseudo-record)
 */
record Answer(int rcode, boolean authoritative, Kind kind, List<RRset> answer, List<RRset> authority,
              List<RRset> additional) {

    /** The outcome the answer describes. */
    enum Kind {
        /** The asked data (possibly at the end of a CNAME chain). */
        POSITIVE,
        /** The name exists, the type does not: NOERROR, empty ANSWER, SOA (RFC 2308 §2.2). */
        NODATA,
        /** The name does not exist: NXDOMAIN with SOA (RFC 2308 §2.1). */
        NXDOMAIN,
        /** The name is below a zone cut: the child's NS, aa clear (RFC 1034 §4.3.2 step 3b). */
        REFERRAL,
        /** A CNAME chain leaving the zone or looping: the chain so far, the client goes on. */
        CNAME_EXIT,
        /** Not a name of ours: REFUSED, we are not a resolver. */
        REFUSED
    }

    static Answer refused() {
        return new Answer(Rcode.REFUSED, false, Kind.REFUSED, List.of(), List.of(), List.of());
    }

    int answerRecordCount() {
        int n = 0;
        for (RRset set : answer) {
            n += set.size();
        }
        return n;
    }
}
