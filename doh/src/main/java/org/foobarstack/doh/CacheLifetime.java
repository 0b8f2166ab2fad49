package org.foobarstack.doh;

import java.io.IOException;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * How long an HTTP cache may keep a DoH answer: RFC 8484 §5.1 says the freshness lifetime must not
 * exceed the smallest TTL in the answer, so that an HTTP cache never serves a record longer than a
 * DNS cache would. We take the smallest TTL of every record in the message (answer, authority and
 * additional; the OPT pseudo-record's "TTL" holds flags and is skipped). For a negative answer that
 * is the SOA in AUTHORITY, whose TTL the server already set to the negative-caching time
 * (RFC 2308 §5). A message without records (REFUSED, SERVFAIL) gets 0: nothing in it says how long
 * it stays true.
 */
final class CacheLifetime {

    private CacheLifetime() {
    }

    /** The {@code max-age} in seconds for this DNS answer. */
    static long maxAgeSeconds(byte[] answer) {
        Message message;
        try {
            message = new Message(answer);
        } catch (IOException e) {
            return 0;
        }
        long min = Long.MAX_VALUE;
        for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
            for (Record record : message.getSection(section)) {
                if (record.getType() != Type.OPT) {
                    min = Math.min(min, record.getTTL());
                }
            }
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }
}
