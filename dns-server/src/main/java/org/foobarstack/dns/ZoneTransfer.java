package org.foobarstack.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * AXFR (RFC 5936), and IXFR answered with a full transfer (RFC 1995 §4 allows it when no history
 * is kept): the zone's SOA, every other record, and the SOA again, in ANSWER sections of as many
 * messages as needed.
 *
 * <p>RFC 5936 §2.2: each message is a normal reply (same ID, QR and AA set), the question is
 * repeated in each (allowed, and simpler for readers of a capture), and messages are filled up to
 * {@link #MESSAGE_BUDGET} bytes of uncompressed records, well under the 65535-byte TCP limit.
 */
final class ZoneTransfer {

    /** Uncompressed record bytes per message; compression only makes the real message smaller. */
    static final int MESSAGE_BUDGET = 16 * 1024;

    private ZoneTransfer() {
    }

    static List<Message> messages(AuthoritativeZone zone, Supplier<Message> newReply) {
        List<Record> records = new ArrayList<>(zone.transferOrder());
        records.add(zone.soa());
        List<Message> messages = new ArrayList<>();
        Message current = newReply.get();
        int used = 0;
        for (Record r : records) {
            int size = r.toWire(Section.ANSWER).length;
            if (used > 0 && used + size > MESSAGE_BUDGET) {
                messages.add(current);
                current = newReply.get();
                used = 0;
            }
            current.addRecord(r, Section.ANSWER);
            used += size;
        }
        messages.add(current);
        return messages;
    }
}
