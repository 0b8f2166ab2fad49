package org.foobarstack.dns;

import org.xbill.DNS.Rcode;

/**
 * Every way a query can be refused before (or instead of) being answered, with the rule that
 * decides the reply. The citation is written into the log line, so an operator reading
 * "FORMERR (RFC 9619 §4)" can look the rule up.
 */
enum MessageProblem {
    SHORT_HEADER("RFC 1035 §4.1.1", "shorter than the 12-byte header: dropped, there is no ID to answer", Reply.DROP),
    RESPONSE_NOT_QUERY("RFC 1035 §4.1.1", "QR is set, it is a response: dropped so that two servers never ping-pong",
            Reply.DROP),
    MALFORMED("RFC 1035 §4.1", "the header is readable but the rest is not a DNS message", Reply.of(Rcode.FORMERR)),
    QDCOUNT_NOT_ONE("RFC 9619 §4", "a query must carry exactly one question", Reply.of(Rcode.FORMERR)),
    MULTIPLE_OPT("RFC 6891 §6.1.1", "more than one OPT record", Reply.of(Rcode.FORMERR)),
    /**
     * IQUERY (obsolete, RFC 3425), STATUS, DSO (RFC 8490), and the unassigned opcodes: "NOTIMP is the expected
     * rcode to an unknown or unimplemented opcode" (RFC 8906 §3.1.4). Decided from the header alone.
     */
    UNKNOWN_OPCODE("RFC 8906 §3.1.4", "an opcode this server does not implement: NOTIMP from the header alone",
            Reply.of(Rcode.NOTIMP)),
    /**
     * NOTIFY (RFC 1996) tells a secondary that its primary's copy of a zone changed. This server is the primary of
     * every zone it serves and the secondary of none, so it understands the message and declines to act on it:
     * REFUSED, "refuses to perform the specified operation for policy reasons" (RFC 1035 §4.1.1), as NSD answers
     * a NOTIFY for a zone it has not been told to take NOTIFYs for (no allow-notify). Not NOTIMP, which would say
     * the opcode is unknown here; not silence (RFC 1996 §3.10 has a secondary ignore an unknown primary), since
     * only an answer stops the sender resending (RFC 1996 §3.3).
     */
    NOTIFY_NOT_SECONDARY("RFC 1996 §3.3", "NOTIFY is for secondaries, and this server is the secondary of no zone: "
            + "REFUSED, an answer that ends the sender's retries", Reply.of(Rcode.REFUSED)),
    /**
     * UPDATE (RFC 2136): NOTIMP, "the name server does not support the specified Opcode" (RFC 2136 §2.2), which is
     * the case: the zones change only by editing their files. REFUSED would claim the server supports updates and
     * declined this one for policy (what BIND answers for a zone without allow-update); NSD, which implements no
     * UPDATE either, answers NOTIMP too.
     */
    UPDATE_NOT_IMPLEMENTED("RFC 2136 §2.2", "dynamic UPDATE is not implemented: zones change by their files only",
            Reply.of(Rcode.NOTIMP)),
    BAD_EDNS_VERSION("RFC 6891 §6.1.3", "EDNS version above 0", Reply.of(Rcode.BADVERS)),
    NOT_CLASS_IN("RFC 1034 §4.3.2 step 2", "no zone of that class here", Reply.of(Rcode.REFUSED)),
    NOT_OUR_ZONE("RFC 1034 §4.3.2 step 2", "no zone of ours contains the name, and we do not recurse",
            Reply.of(Rcode.REFUSED)),
    TRANSFER_OVER_UDP("RFC 5936 §4.2", "AXFR runs over TCP only", Reply.of(Rcode.REFUSED)),
    TRANSFER_NOT_ALLOWED("RFC 5936 §6", "client not in the transfer allow-list", Reply.of(Rcode.REFUSED)),
    TRANSFER_NOT_APEX("RFC 5936 §2.2.1", "a transfer names a zone apex", Reply.of(Rcode.NOTAUTH)),
    INTERNAL_ERROR("RFC 1035 §4.1.1", "the server failed while answering", Reply.of(Rcode.SERVFAIL));

    /** What to send back: nothing, or a header with this rcode. */
    record Reply(boolean drop, int rcode) {
        static final Reply DROP = new Reply(true, -1);

        static Reply of(int rcode) {
            return new Reply(false, rcode);
        }
    }

    private final String rfc;
    private final String description;
    private final Reply reply;

    MessageProblem(String rfc, String description, Reply reply) {
        this.rfc = rfc;
        this.description = description;
        this.reply = reply;
    }

    String rfc() {
        return rfc;
    }

    String description() {
        return description;
    }

    Reply reply() {
        return reply;
    }

    /**
     * Bad or misdirected input (as opposed to a normal refusal): logged, once a minute at most per kind. A NOTIFY
     * or UPDATE sent here is a sender's configuration naming this server where it should not.
     */
    boolean isBadInput() {
        return switch (this) {
            case SHORT_HEADER, RESPONSE_NOT_QUERY, MALFORMED, QDCOUNT_NOT_ONE, MULTIPLE_OPT, UNKNOWN_OPCODE,
                 NOTIFY_NOT_SECONDARY, UPDATE_NOT_IMPLEMENTED, BAD_EDNS_VERSION, INTERNAL_ERROR -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return name() + " (" + rfc + ": " + description + ")";
    }
}
