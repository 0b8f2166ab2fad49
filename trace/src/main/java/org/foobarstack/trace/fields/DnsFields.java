package org.foobarstack.trace.fields;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * A DNS message as a field tree (RFC 1035 §4.1): the 12-byte header with every flag bit named, then the
 * question and the three record sections, each record with the offsets of its name, type, class, TTL
 * and data.
 *
 * <p>Values come from dnsjava's parse of the message ({@link Message}); offsets come from walking the same
 * bytes with dnsjava's {@link DNSInput}, which follows compression pointers (RFC 1035 §4.1.4) the way
 * the parser does, so a name's length is the bytes it takes <em>in this message</em> (2 for a pointer).
 */
public final class DnsFields {

    /** RFC 1035 §4.1.1: the header is six 16-bit words. */
    public static final int HEADER_LENGTH = 12;

    // The flags word (header bytes 2-3), RFC 1035 §4.1.1, plus AD and CD from RFC 4035 §3.2.
    public static final int QR = 0x8000;
    public static final int OPCODE = 0x7800;
    public static final int AA = 0x0400;
    public static final int TC = 0x0200;
    public static final int RD = 0x0100;
    public static final int RA = 0x0080;
    public static final int Z = 0x0040;
    public static final int AD = 0x0020;
    public static final int CD = 0x0010;
    public static final int RCODE = 0x000f;

    private static final int OPCODE_SHIFT = 11;
    private static final int FLAGS_OFFSET = 2;
    private static final int WORD = 2;
    private static final String[] SECTION_NAMES = {"Queries", "Answers", "Authoritative nameservers",
        "Additional records"};

    private DnsFields() {
    }

    /** The field tree of a DNS message given as its wire bytes (without the TCP length prefix). */
    public static List<Field> of(byte[] wire) {
        List<Field> fields = new ArrayList<>();
        if (wire.length < HEADER_LENGTH) {
            fields.add(Field.of("Malformed", 0, wire.length, "only " + wire.length
                    + " bytes; a DNS header alone is 12 (RFC 1035 §4.1.1)"));
            return fields;
        }
        DNSInput in = new DNSInput(wire);
        int[] counts = new int[4];
        try {
            fields.add(header(in, counts));
        } catch (WireParseException e) {
            fields.add(Field.of("Malformed", 0, wire.length, e.getMessage()));
            return fields;
        }
        Message message = null;
        try {
            message = new Message(wire);
        } catch (IOException | RuntimeException e) {
            // Keep going: the walk below still shows where the bytes stop making sense. (dnsjava refuses some
            // values with unchecked exceptions, e.g. InvalidTTLException for a TTL above 2^31 - 1.)
        }
        for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
            if (counts[section] == 0) {
                continue;
            }
            int sectionStart = in.current();
            List<Field> records = new ArrayList<>();
            try {
                for (int i = 0; i < counts[section]; i++) {
                    Record parsed = message == null ? null : recordAt(message, section, i);
                    records.add(section == Section.QUESTION ? question(in) : record(in, parsed));
                }
            } catch (WireParseException | RuntimeException e) {
                // A name that failed while following a compression pointer leaves the input where the pointer
                // led, which can be before this section: the broken part starts no earlier than the section.
                int brokenAt = Math.max(in.current(), sectionStart);
                records.add(Field.of("Malformed", brokenAt, wire.length - brokenAt,
                        e.getMessage() + " (" + SECTION_NAMES[section] + " record " + (records.size() + 1)
                        + " of " + counts[section] + ")"));
                fields.add(Field.group(SECTION_NAMES[section], sectionStart, brokenAt - sectionStart,
                        counts[section] + " declared", records));
                return fields;
            }
            fields.add(Field.group(SECTION_NAMES[section], sectionStart, in.current() - sectionStart,
                    String.valueOf(counts[section]), records));
        }
        if (in.remaining() > 0) {
            fields.add(Field.of("Trailing bytes", in.current(), in.remaining(),
                    in.remaining() + " bytes after the last record"));
        }
        return fields;
    }

    /** Field tree of a dnsjava message as it would be sent. */
    public static List<Field> of(Message message) {
        return of(message.toWire());
    }

    private static Field header(DNSInput in, int[] counts) throws WireParseException {
        int id = in.readU16();
        int flags = in.readU16();
        for (int i = 0; i < counts.length; i++) {
            counts[i] = in.readU16();
        }
        int opcode = (flags & OPCODE) >>> OPCODE_SHIFT;
        int rcode = flags & RCODE;
        boolean response = (flags & QR) != 0;
        List<Field> bits = List.of(
                flag("Response", QR, flags, "Message is a response", "Message is a query"),
                Field.of("Opcode", FLAGS_OFFSET, WORD, Field.bits(16, OPCODE, flags) + " = Opcode: "
                        + Opcode.string(opcode) + " (" + opcode + ")"),
                flag("Authoritative", AA, flags, "Server is an authority for the domain",
                        "Server is not an authority for the domain"),
                flag("Truncated", TC, flags, "Message is truncated: retry over TCP (RFC 7766 §5)",
                        "Message is not truncated"),
                flag("Recursion desired", RD, flags, "Do query recursively", "Do not query recursively"),
                flag("Recursion available", RA, flags, "Server can do recursive queries",
                        "Server can't do recursive queries"),
                flag("Z", Z, flags, "reserved (must be zero)", "reserved (0)"),
                flag("Authentic data", AD, flags, "Answer authenticated by the server (RFC 4035 §3.2.3)",
                        "Answer/authority portion was not authenticated by the server"),
                flag("Checking disabled", CD, flags,
                        "Set: the client checks DNSSEC itself, data a resolver has not validated is acceptable "
                                + "(RFC 4035 §3.2.2)",
                        "Not set: a validating resolver checks DNSSEC signatures before it answers "
                                + "(RFC 4035 §3.2.2)"),
                Field.of("Reply code", FLAGS_OFFSET, WORD, Field.bits(16, RCODE, flags) + " = Reply code: "
                        + Rcode.string(rcode) + " (" + rcode + ")"));
        String flagsSummary = String.format("0x%04x %s%s", flags,
                response ? "Standard query response" : "Standard query",
                response ? ", " + Rcode.string(rcode) : "");
        return Field.group("Header", 0, HEADER_LENGTH, "RFC 1035 §4.1.1", List.of(
                Field.of("Transaction ID", 0, WORD, String.format("0x%04x (%d)", id, id)),
                Field.group("Flags", FLAGS_OFFSET, WORD, flagsSummary, bits),
                Field.of("Questions", 4, WORD, String.valueOf(counts[Section.QUESTION])),
                Field.of("Answer RRs", 6, WORD, String.valueOf(counts[Section.ANSWER])),
                Field.of("Authority RRs", 8, WORD, String.valueOf(counts[Section.AUTHORITY])),
                Field.of("Additional RRs", 10, WORD, String.valueOf(counts[Section.ADDITIONAL]))));
    }

    private static Field flag(String name, int mask, int flags, String set, String clear) {
        boolean on = (flags & mask) != 0;
        return Field.of(name, FLAGS_OFFSET, WORD, Field.bits(16, mask, flags) + " = " + name + ": "
                + (on ? set : clear));
    }

    private static Field question(DNSInput in) throws WireParseException {
        int start = in.current();
        Field name = name(in);
        int typeAt = in.current();
        int type = in.readU16();
        int classAt = in.current();
        int dclass = in.readU16();
        String value = name.value() + ": type " + Type.string(type) + ", class " + DClass.string(dclass);
        return Field.group(value, start, in.current() - start, "RFC 1035 §4.1.2",
                List.of(name,
                        Field.of("Type", typeAt, WORD, Type.string(type) + " (" + type + ")"),
                        Field.of("Class", classAt, WORD, DClass.string(dclass) + " (" + dclass + ")")));
    }

    private static Field record(DNSInput in, Record parsed) throws WireParseException {
        int start = in.current();
        Field name = name(in);
        int typeAt = in.current();
        int type = in.readU16();
        int classAt = in.current();
        int dclass = in.readU16();
        int ttlAt = in.current();
        long ttl = in.readU32();
        int lengthAt = in.current();
        int rdlength = in.readU16();
        int dataAt = in.current();
        if (rdlength > in.remaining()) {
            throw new WireParseException("record data length " + rdlength + " runs past the end of the message");
        }
        in.readByteArray(rdlength);
        String data = parsed == null ? "" : parsed.rdataToString();
        List<Field> children = new ArrayList<>();
        children.add(name);
        children.add(Field.of("Type", typeAt, WORD, Type.string(type) + " (" + type + ")"));
        if (type == Type.OPT) {
            // RFC 6891 §6.1.2: in the OPT pseudo-record, CLASS is the UDP payload size and TTL holds
            // the extended RCODE, the EDNS version and the DO bit.
            children.add(Field.of("UDP payload size", classAt, WORD, String.valueOf(dclass)));
            children.add(Field.of("Extended RCODE, version, flags", ttlAt, 4, String.format("0x%08x", ttl)));
        } else {
            children.add(Field.of("Class", classAt, WORD, DClass.string(dclass) + " (" + dclass + ")"));
            children.add(Field.of("Time to live", ttlAt, 4, ttl + " seconds"));
        }
        children.add(Field.of("Data length", lengthAt, WORD, String.valueOf(rdlength)));
        children.add(Field.of(dataName(type), dataAt, rdlength, data));
        String summary = type == Type.OPT
                ? "<Root>: type OPT, UDP payload size " + dclass
                : name.value() + ": type " + Type.string(type) + ", class " + DClass.string(dclass)
                        + (data.isEmpty() ? "" : ", " + data);
        return Field.group(summary, start, in.current() - start,
                parsed == null ? summary : parsed.toString().replaceAll("\\s+", " "), children);
    }

    private static Field name(DNSInput in) throws WireParseException {
        int start = in.current();
        Name name = new Name(in);
        return Field.of("Name", start, in.current() - start, name.toString());
    }

    private static String dataName(int type) {
        switch (type) {
            case Type.A:
            case Type.AAAA:
                return "Address";
            case Type.CNAME:
                return "Canonical name";
            case Type.NS:
                return "Name server";
            case Type.SOA:
                return "Start of authority";
            case Type.OPT:
                return "Options";
            default:
                return "Data";
        }
    }

    private static Record recordAt(Message message, int section, int index) {
        List<Record> records = message.getSection(section);
        return index < records.size() ? records.get(index) : null;
    }

    /** True when the TC bit of the flags word is set (RFC 1035 §4.1.1). */
    public static boolean truncated(byte[] wire) {
        return wire.length >= HEADER_LENGTH && ((((wire[FLAGS_OFFSET] & 0xff) << 8) | (wire[3] & 0xff)) & TC) != 0;
    }
}
