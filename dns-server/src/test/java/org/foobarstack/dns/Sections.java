package org.foobarstack.dns;

import java.util.List;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Sections as "owner TTL TYPE rdata" strings: the way dig shows them, easy to assert on. */
final class Sections {

    private Sections() {
    }

    static List<String> of(Message m, int section) {
        return m.getSection(section).stream()
                .filter(r -> r.getType() != Type.OPT)
                .map(Sections::line)
                .toList();
    }

    static String line(Record r) {
        return r.getName() + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString();
    }
}
