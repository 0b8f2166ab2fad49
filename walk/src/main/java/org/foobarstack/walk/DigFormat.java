package org.foobarstack.walk;

import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A DNS message printed the way dig (BIND 9) prints it, so that a walk's transcript reads like the dig output
 * a learner already knows:
 *
 * <pre>
 * ;; -&gt;&gt;HEADER&lt;&lt;- opcode: QUERY, status: NOERROR, id: 1626
 * ;; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 2
 * ;; WARNING: recursion requested but not available
 *
 * ;; OPT PSEUDOSECTION:
 * ; EDNS: version: 0, flags:; udp: 1232
 * ;; QUESTION SECTION:
 * ;www.foobar.com.			IN	A
 *
 * ;; ANSWER SECTION:
 * www.foobar.com.		3600	IN	A	127.0.0.1
 * </pre>
 *
 * <ul>
 *   <li>The flags line names the header's flag bits in dig's order (qr aa tc rd ra ad cd), then the four counts of
 *       RFC 1035 §4.1.1. ADDITIONAL counts the EDNS OPT pseudo-record (RFC 6891 §6.1.1), which dig shows in its own
 *       OPT PSEUDOSECTION rather than among the additional records: so {@code ADDITIONAL: 2} with one record under
 *       the ADDITIONAL SECTION heading.</li>
 *   <li>A response with RD set and RA clear gets dig's warning: the client asked for recursion (RD) and this
 *       server does not offer it (RA, RFC 1035 §4.1.1), which is what an authoritative-only server answers.</li>
 *   <li>Records are aligned on dig's tab stops: TTL at column 24, class 32, type 40, data 48; a field that does
 *       not reach its column is followed by tabs, one that is past it by one space. A question is printed after a
 *       {@code ;}, which does not count, with its class at column 32 and its type at 40.</li>
 *   <li>Empty sections are not printed, as dig does not print them.</li>
 * </ul>
 */
final class DigFormat {

    private static final int TAB = 8;
    private static final int TTL_COLUMN = 24;
    private static final int CLASS_COLUMN = 32;
    private static final int TYPE_COLUMN = 40;
    private static final int RDATA_COLUMN = 48;
    /** EDNS option code of the DNS cookie (RFC 7873), which dig prints by name. */
    private static final int COOKIE = 10;

    private DigFormat() {
    }

    /**
     * The message from its {@code ->>HEADER<<-} line to its last section, as dig prints it between
     * {@code ;; Got answer:} (or {@code ;; Sending:}) and {@code ;; Query time} (or {@code ;; QUERY SIZE}); no blank
     * line at the end.
     */
    static List<String> lines(Message message) {
        Header header = message.getHeader();
        List<String> lines = new ArrayList<>();
        lines.add(";; ->>HEADER<<- opcode: " + Opcode.string(header.getOpcode()) + ", status: "
                + Rcode.string(message.getRcode()) + ", id: " + header.getID());
        lines.add(";; flags:" + flags(header) + "; QUERY: " + header.getCount(Section.QUESTION)
                + ", ANSWER: " + header.getCount(Section.ANSWER)
                + ", AUTHORITY: " + header.getCount(Section.AUTHORITY)
                + ", ADDITIONAL: " + header.getCount(Section.ADDITIONAL));
        if (header.getFlag(Flags.QR) && header.getFlag(Flags.RD) && !header.getFlag(Flags.RA)) {
            lines.add(";; WARNING: recursion requested but not available");
        }
        lines.add("");
        OPTRecord opt = message.getOPT();
        if (opt != null) {
            lines.add(";; OPT PSEUDOSECTION:");
            lines.addAll(optLines(opt));
        }
        List<Record> questions = message.getSection(Section.QUESTION);
        if (!questions.isEmpty()) {
            lines.add(";; QUESTION SECTION:");
            for (Record question : questions) {
                lines.add(";" + question(question));
            }
            lines.add("");
        }
        section(lines, "ANSWER", message.getSection(Section.ANSWER));
        section(lines, "AUTHORITY", message.getSection(Section.AUTHORITY));
        section(lines, "ADDITIONAL", message.getSection(Section.ADDITIONAL));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** " qr aa rd", in dig's order; empty when no flag is set (dig then prints ";; flags:; QUERY: ..."). */
    static String flags(Header header) {
        StringBuilder flags = new StringBuilder();
        int[] bits = {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA, Flags.AD, Flags.CD};
        for (int bit : bits) {
            if (header.getFlag(bit)) {
                flags.append(' ').append(Flags.string(bit));
            }
        }
        return flags.toString();
    }

    private static List<String> optLines(OPTRecord opt) {
        List<String> lines = new ArrayList<>();
        lines.add("; EDNS: version: " + opt.getVersion() + ", flags:"
                + ((opt.getFlags() & ExtendedFlags.DO) != 0 ? " do" : "") + "; udp: " + opt.getPayloadSize());
        for (EDNSOption option : opt.getOptions()) {
            // toWire() is code (2 bytes), length (2 bytes), data (RFC 6891 §6.1.2)
            byte[] wire = option.toWire();
            byte[] data = Arrays.copyOfRange(wire, 4, wire.length);
            if (option.getCode() == COOKIE) {
                StringBuilder hex = new StringBuilder();
                for (byte b : data) {
                    hex.append(String.format("%02x", b & 0xFF));
                }
                lines.add("; COOKIE: " + hex);
                continue;
            }
            StringBuilder line = new StringBuilder("; OPT=").append(option.getCode());
            if (data.length > 0) {
                line.append(':');
                StringBuilder text = new StringBuilder();
                for (byte b : data) {
                    line.append(String.format(" %02x", b & 0xFF));
                    char c = (char) (b & 0xFF);
                    text.append(c >= 0x20 && c < 0x7F ? c : '.');
                }
                line.append(" (\"").append(text).append("\")");
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static void section(List<String> lines, String name, List<Record> records) {
        List<String> printed = new ArrayList<>();
        for (Record record : records) {
            if (record.getType() != Type.OPT) {
                printed.add(record(record));
            }
        }
        if (printed.isEmpty()) {
            return;
        }
        lines.add(";; " + name + " SECTION:");
        lines.addAll(printed);
        lines.add("");
    }

    /** "www.foobar.com.		3600	IN	A	127.0.0.1" */
    static String record(Record record) {
        StringBuilder line = new StringBuilder(record.getName().toString());
        indent(line, TTL_COLUMN);
        line.append(record.getTTL());
        indent(line, CLASS_COLUMN);
        line.append(DClass.string(record.getDClass()));
        indent(line, TYPE_COLUMN);
        line.append(Type.string(record.getType()));
        String rdata = record.rdataToString();
        if (!rdata.isEmpty()) {
            indent(line, RDATA_COLUMN);
            line.append(rdata);
        }
        return line.toString();
    }

    /** "www.foobar.com.			IN	A", to be printed after a ";" that does not count as a column. */
    static String question(Record question) {
        StringBuilder line = new StringBuilder(question.getName().toString());
        indent(line, CLASS_COLUMN);
        line.append(DClass.string(question.getDClass()));
        indent(line, TYPE_COLUMN);
        line.append(Type.string(question.getType()));
        return line.toString();
    }

    /** Moves to {@code column} with tabs, or, when the text has reached it already, one space. */
    private static void indent(StringBuilder line, int column) {
        int at = columnOf(line);
        if (at >= column) {
            line.append(' ');
            return;
        }
        while (at < column) {
            line.append('\t');
            at = (at / TAB + 1) * TAB;
        }
    }

    private static int columnOf(CharSequence line) {
        int column = 0;
        for (int i = 0; i < line.length(); i++) {
            column = line.charAt(i) == '\t' ? (column / TAB + 1) * TAB : column + 1;
        }
        return column;
    }
}
