package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.foobarstack.trace.Field;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * FastCGI records as field trees for traces, the way Wireshark's packet-details pane shows a message: every field
 * with its offset and length in bytes from the first byte of the record (or, for a stream, of its first record).
 *
 * <pre>
 *   Header [0+8]: PARAMS, request 1, 537 content bytes, 7 padding bytes     FastCGI §3.3
 *     Version [0+1]: 1 (FCGI_VERSION_1)
 *     Type [1+1]: PARAMS (4)
 *     Request ID [2+2]: 1
 *     Content length [4+2]: 537
 *     Padding length [6+1]: 7
 *     Reserved [7+1]: 0
 *   Name-value pairs [8+537]: 25 pairs                                       FastCGI §3.4
 *     QUERY_STRING = "" [8+14]
 *       Name length [8+1]: 12 (1 byte, top bit clear)
 *       Value length [9+1]: 0 (1 byte, top bit clear)
 *       Name [10+12]: QUERY_STRING
 *       Value [22+0]:
 *   Padding [545+7]: 7 bytes
 * </pre>
 *
 * <p>Three ways in, all static and returning {@code List<Field>}:
 * <ol>
 *   <li>{@link #record(byte[])} / {@link #records(byte[])}: raw bytes as they crossed the wire (a capture);</li>
 *   <li>{@link #record(FastCgiRecord)}: one decoded record (its header is rebuilt from the record, padding included);</li>
 *   <li>{@link #stream(List, ByteBuf)}: a whole stream (PARAMS, STDIN, STDOUT...) as one message, its records back
 *       to back, followed by what the joined content means (the params, the body, the CGI response).</li>
 * </ol>
 * Like every field builder of the project, these never throw on bad bytes: they describe what they could read
 * and add a field named {@code Malformed} that says where and why they stopped.
 */
public final class FastCgiFields {

    /** A trace shows at most this many bytes of a body or a value as text. */
    static final int MAX_TEXT_SHOWN = 256;
    /** A stream of more records than this shows its first ones and its last one: traces stay readable. */
    static final int MAX_RECORDS_SHOWN = 8;
    private static final int ONE_BYTE_LENGTH_MAX = 0x7F;
    private static final int FOUR_BYTE_FLAG = 0x80;
    /** The text of every 1-byte length, made once: a PARAMS stream has two per param. */
    private static final String[] ONE_BYTE_LENGTH_TEXT = new String[ONE_BYTE_LENGTH_MAX + 1];

    static {
        for (int length = 0; length <= ONE_BYTE_LENGTH_MAX; length++) {
            ONE_BYTE_LENGTH_TEXT[length] = length + " (1 byte, top bit clear: 0.." + ONE_BYTE_LENGTH_MAX + ")";
        }
    }
    private static final int CR = '\r';
    private static final int LF = '\n';

    private FastCgiFields() {
    }

    /** The six fields of the 8-byte record header (§3.3), at offsets 0 to 7. */
    public static List<Field> header(RecordHeader header) {
        return List.of(
                Field.of("Version", 0, 1, header.version() + (header.version() == RecordHeader.VERSION_1
                        ? " (FCGI_VERSION_1)" : " (not FCGI_VERSION_1)")),
                Field.of("Type", 1, 1, RecordType.nameOf(header.type()) + " (" + header.type() + ")"),
                Field.of("Request ID", 2, 2, header.requestId() == RecordHeader.NULL_REQUEST_ID
                        ? "0 (FCGI_NULL_REQUEST_ID: a management record)" : Integer.toString(header.requestId())),
                Field.of("Content length", 4, 2, Integer.toString(header.contentLength())),
                Field.of("Padding length", 6, 1, Integer.toString(header.paddingLength())),
                Field.of("Reserved", 7, 1, "0"));
    }

    /** The header as one group field, {@code Header [0+8]}, with the six fields as its children. */
    public static Field headerGroup(RecordHeader header) {
        return Field.group("Header", 0, RecordHeader.LENGTH, header + " (FastCGI §3.3)", header(header));
    }

    /** One decoded record: header, body fields by type, padding. The content's reader index is not moved. */
    public static List<Field> record(FastCgiRecord record) {
        return record(record.header(), record.content());
    }

    /**
     * {@link #record(FastCgiRecord)} decoded only when a hop's fields are read: the record's bytes are copied now
     * (its buffer goes back to the pool once written), the field tree is built later, if ever.
     */
    public static Supplier<List<Field>> recordLater(FastCgiRecord record) {
        RecordHeader header = record.header();
        byte[] content = ByteBufUtil.getBytes(record.content());
        return () -> record(header, Unpooled.wrappedBuffer(content));
    }

    /** {@link #stream} decoded only when read; {@code content} null shows the records only. */
    public static Supplier<List<Field>> streamLater(List<RecordHeader> headers, byte[] content) {
        List<RecordHeader> kept = List.copyOf(headers);
        return () -> stream(kept, content == null ? null : Unpooled.wrappedBuffer(content));
    }

    /** One record from its header and content: header, body fields by type, padding. */
    public static List<Field> record(RecordHeader header, ByteBuf content) {
        List<Field> fields = new ArrayList<>(3);
        fields.add(headerGroup(header));
        for (Field body : body(header.type(), content)) {
            fields.add(body.shifted(RecordHeader.LENGTH));
        }
        if (header.paddingLength() > 0) {
            fields.add(Field.of("Padding", RecordHeader.LENGTH + header.contentLength(), header.paddingLength(),
                    header.paddingLength() + " bytes, ignored (§3.3: keeps records aligned)"));
        }
        return fields;
    }

    /** The first record in {@code wire}, which starts at byte 0. */
    public static List<Field> record(byte[] wire) {
        List<Field> fields = records(wire);
        if (fields.isEmpty()) {
            return fields;
        }
        Field first = fields.get(0);
        return first.name().equals("Malformed") ? fields : first.children();
    }

    /**
     * Every record in {@code wire} (a capture of one direction of a connection), one group per record:
     * {@code Record 1 [0+16]: BEGIN_REQUEST, request 1}, with the fields of {@link #record(FastCgiRecord)} shifted
     * to where the record starts. Bytes that do not make a whole record end the list with {@code Malformed}.
     */
    public static List<Field> records(byte[] wire) {
        List<Field> fields = new ArrayList<>();
        int at = 0;
        int number = 1;
        while (at < wire.length) {
            if (wire.length - at < RecordHeader.LENGTH) {
                fields.add(Field.of("Malformed", at, wire.length - at, (wire.length - at)
                        + " bytes, less than the 8 of a record header (§3.3)"));
                break;
            }
            ByteBuf in = Unpooled.wrappedBuffer(wire, at, wire.length - at);
            RecordHeader header = RecordHeader.read(in);
            if (in.readableBytes() < header.contentLength() + header.paddingLength()) {
                fields.add(Field.group("Malformed", at, wire.length - at, "record header announces "
                        + header.contentLength() + " content + " + header.paddingLength() + " padding bytes, only "
                        + in.readableBytes() + " follow", List.of(headerGroup(header).shifted(at))));
                break;
            }
            List<Field> children = record(header, in.slice(in.readerIndex(), header.contentLength()));
            fields.add(shiftChildren(Field.group("Record " + number, at, header.recordLength(), summary(header),
                    children), at));
            at += header.recordLength();
            number++;
        }
        return fields;
    }

    /**
     * A whole stream (§3.3: records of one type and request, the last one empty) as one message: its records back
     * to back, then what their joined content means. Offsets count from the first byte of the first record, so a
     * name-value pair that was split between two records spans the second record's header too.
     *
     * @param headers the headers of the stream's records, in order, including the empty record that ends it
     * @param content the contents joined (reader index to writer index; not moved), or null when they were not
     *                kept (a refused request): then only the records are shown
     */
    public static List<Field> stream(List<RecordHeader> headers, ByteBuf content) {
        List<Field> fields = new ArrayList<>();
        if (headers.isEmpty()) {
            return fields;
        }
        WireMap map = new WireMap(headers);
        for (int i = 0; i < headers.size(); i++) {
            if (i == MAX_RECORDS_SHOWN - 1 && headers.size() > MAX_RECORDS_SHOWN) {
                int hidden = headers.size() - MAX_RECORDS_SHOWN;
                fields.add(Field.info("More records", hidden + " records not shown, "
                        + (map.recordStart(headers.size() - 1) - map.recordStart(i)) + " bytes"));
                i = headers.size() - 1;
            }
            RecordHeader header = headers.get(i);
            List<Field> children = new ArrayList<>(3);
            children.add(headerGroup(header));
            if (header.contentLength() > 0) {
                children.add(Field.of("Content", RecordHeader.LENGTH, header.contentLength(),
                        header.contentLength() + " bytes of the " + RecordType.nameOf(header.type()) + " stream"));
            } else {
                children.add(Field.info("End of stream", "an empty " + RecordType.nameOf(header.type())
                        + " record ends the stream (§3.3)"));
            }
            if (header.paddingLength() > 0) {
                children.add(Field.of("Padding", RecordHeader.LENGTH + header.contentLength(),
                        header.paddingLength(), header.paddingLength() + " bytes"));
            }
            int start = map.recordStart(i);
            fields.add(shiftChildren(Field.group("Record " + (i + 1), start, header.recordLength(),
                    summary(header), children), start));
        }
        if (content == null) {
            return fields;
        }
        if (content.readableBytes() != map.contentLength()) {
            fields.add(Field.info("Malformed", "the headers announce " + map.contentLength() + " content bytes, "
                    + content.readableBytes() + " were given"));
            return fields;
        }
        int type = headers.get(0).type();
        int onlyRecord = map.onlyRecordWithContent();
        if (onlyRecord >= 0) {
            // the usual case (nginx sends all its params in one record): every offset is one shift away
            fields.addAll(streamContent(type, content, map.recordStart(onlyRecord) + RecordHeader.LENGTH));
        } else {
            for (Field meaning : streamContent(type, content, 0)) {
                fields.add(map.place(meaning));
            }
        }
        return fields;
    }

    /** What a record's content holds, by type, with offsets from the first content byte. */
    public static List<Field> body(int type, ByteBuf content) {
        RecordType known = RecordType.byCode(type);
        if (known == null) {
            return content.isReadable() ? List.of(Field.of("Content", 0, content.readableBytes(),
                    content.readableBytes() + " bytes of an unknown record type")) : List.of();
        }
        return switch (known) {
            case BEGIN_REQUEST -> beginRequestBody(content);
            case END_REQUEST -> endRequestBody(content);
            case UNKNOWN_TYPE -> unknownTypeBody(content);
            case PARAMS, GET_VALUES, GET_VALUES_RESULT -> content.isReadable()
                    ? List.of(nameValuePairsGroup(content, 0)) : List.of(endOfStream(known));
            case ABORT_REQUEST -> List.of();
            case STDIN, STDOUT, STDERR, DATA -> content.isReadable()
                    ? List.of(text("Content", 0, content, "")) : List.of(endOfStream(known));
        };
    }

    /** BEGIN_REQUEST's 8 bytes (§5.1): role, flags with FCGI_KEEP_CONN, reserved. */
    public static List<Field> beginRequestBody(ByteBuf content) {
        if (content.readableBytes() != BeginRequestBody.LENGTH) {
            return List.of(wrongLength("BEGIN_REQUEST", BeginRequestBody.LENGTH, content));
        }
        int base = content.readerIndex();
        int role = content.getUnsignedShort(base);
        int flags = content.getUnsignedByte(base + 2);
        boolean keep = (flags & BeginRequestBody.FLAG_KEEP_CONN) != 0;
        return List.of(
                Field.of("Role", 0, 2, Role.of(role).map(Enum::name).orElse("unknown") + " (" + role + ")"),
                Field.group("Flags", 2, 1, String.format("0x%02x", flags), List.of(Field.of("Keep connection", 2, 1,
                        Field.bits(8, BeginRequestBody.FLAG_KEEP_CONN, flags) + " = FCGI_KEEP_CONN: " + (keep
                                ? "the application keeps the connection open after this request"
                                : "the application closes the connection after this request")))),
                Field.of("Reserved", 3, 5, "5 bytes"));
    }

    /** END_REQUEST's 8 bytes (§5.5): appStatus, protocolStatus, reserved. */
    public static List<Field> endRequestBody(ByteBuf content) {
        if (content.readableBytes() != EndRequestBody.LENGTH) {
            return List.of(wrongLength("END_REQUEST", EndRequestBody.LENGTH, content));
        }
        int base = content.readerIndex();
        long appStatus = content.getUnsignedInt(base);
        int status = content.getUnsignedByte(base + 4);
        return List.of(
                Field.of("App status", 0, 4, appStatus + (appStatus == 0 ? " (like a CGI exit status of 0)" : "")),
                Field.of("Protocol status", 4, 1,
                        ProtocolStatus.of(status).map(Enum::name).orElse("unknown") + " (" + status + ")"),
                Field.of("Reserved", 5, 3, "3 bytes"));
    }

    /** UNKNOWN_TYPE's 8 bytes (§4.2): the type that was not understood, reserved. */
    public static List<Field> unknownTypeBody(ByteBuf content) {
        if (content.readableBytes() != UnknownTypeBody.LENGTH) {
            return List.of(wrongLength("UNKNOWN_TYPE", UnknownTypeBody.LENGTH, content));
        }
        int type = content.getUnsignedByte(content.readerIndex());
        return List.of(Field.of("Type", 0, 1, "type " + type + " was not understood"),
                Field.of("Reserved", 1, 7, "7 bytes"));
    }

    /**
     * Name-value pairs (§3.4), one group per pair with its two lengths (1 byte with the top bit clear, or 4 bytes
     * with it set), its name and its value; offsets from the first byte of {@code content}, which is not moved.
     */
    public static List<Field> nameValuePairs(ByteBuf content) {
        return nameValuePairs(content, 0);
    }

    /** {@link #nameValuePairs(ByteBuf)} with every offset moved {@code shift} bytes further. */
    private static List<Field> nameValuePairs(ByteBuf content, int shift) {
        List<Field> pairs = new ArrayList<>();
        int base = content.readerIndex();
        int end = content.writerIndex();
        int at = base;
        while (at < end) {
            int pairStart = at;
            int[] name = readLength(content, at, end);
            if (name == null) {
                pairs.add(Field.of("Malformed", at - base + shift, end - at, "the stream ends inside a length (§3.4)"));
                break;
            }
            at += name[1];
            int[] value = readLength(content, at, end);
            if (value == null) {
                pairs.add(Field.of("Malformed", pairStart - base + shift, end - pairStart,
                        "the stream ends inside a length (§3.4)"));
                break;
            }
            at += value[1];
            if ((long) name[0] + value[0] > end - at) {
                pairs.add(Field.of("Malformed", pairStart - base + shift, end - pairStart, "a pair announces " + name[0]
                        + "+" + value[0] + " bytes, " + (end - at) + " remain (§3.4)"));
                break;
            }
            String n = content.toString(at, name[0], StandardCharsets.ISO_8859_1);
            String v = content.toString(at + name[0], Math.min(value[0], MAX_TEXT_SHOWN), StandardCharsets.ISO_8859_1);
            String shown = escape(v) + (value[0] > MAX_TEXT_SHOWN ? "..." : "");
            int rel = pairStart - base + shift;
            pairs.add(Field.group(n, rel, at + name[0] + value[0] - pairStart, shown, List.of(
                    Field.of("Name length", rel, name[1], lengthText(name)),
                    Field.of("Value length", rel + name[1], value[1], lengthText(value)),
                    Field.of("Name", at - base + shift, name[0], n),
                    Field.of("Value", at - base + shift + name[0], value[0], shown))));
            at += name[0] + value[0];
        }
        return pairs;
    }

    /** The content of a whole stream, by the stream's type: the params, the request body, the CGI response. */
    private static List<Field> streamContent(int type, ByteBuf content, int shift) {
        if (!content.isReadable()) {
            return List.of(Field.info("Stream content", "empty"));
        }
        if (type == RecordType.PARAMS.code() || type == RecordType.GET_VALUES.code()
                || type == RecordType.GET_VALUES_RESULT.code()) {
            return List.of(nameValuePairsGroup(content, shift));
        }
        if (type == RecordType.STDOUT.code()) {
            return List.of(cgiResponse(content, shift));
        }
        return List.of(text("Stream content", shift, content, ""));
    }

    private static Field nameValuePairsGroup(ByteBuf content, int shift) {
        List<Field> pairs = nameValuePairs(content, shift);
        return Field.group("Name-value pairs", shift, content.readableBytes(), pairs.size() + " pairs (FastCGI §3.4)",
                pairs);
    }

    /**
     * A CGI response on STDOUT (RFC 3875 §6): header lines up to the empty line, then the body. The web server
     * turns it into an HTTP response.
     */
    private static Field cgiResponse(ByteBuf content, int shift) {
        List<Field> lines = new ArrayList<>();
        int base = content.readerIndex();
        int end = content.writerIndex();
        int at = base;
        int bodyStart = -1;
        while (at < end) {
            int lf = content.indexOf(at, end, (byte) LF);
            if (lf < 0) {
                lines.add(Field.of("Malformed", at - base + shift, end - at, "header line without its line end (RFC 3875 §6.2)"));
                break;
            }
            int lineEnd = lf > at && content.getByte(lf - 1) == CR ? lf - 1 : lf;
            if (lineEnd == at) {
                lines.add(Field.of("End of head", at - base + shift, lf + 1 - at, "empty line (RFC 3875 §6.2)"));
                bodyStart = lf + 1;
                break;
            }
            String line = content.toString(at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int colon = line.indexOf(':');
            String name = colon < 0 ? "Malformed" : line.substring(0, colon);
            String value = colon < 0 ? line : line.substring(colon + 1).strip();
            lines.add(Field.of(name, at - base + shift, lf + 1 - at, escape(value)));
            at = lf + 1;
        }
        if (bodyStart >= 0 && bodyStart < end) {
            lines.add(text("Body", bodyStart - base + shift, content.slice(bodyStart, end - bodyStart), ""));
        }
        return Field.group("CGI response", shift, content.readableBytes(), content.readableBytes()
                + " bytes (RFC 3875 §6)", lines);
    }

    private static Field text(String name, int offset, ByteBuf bytes, String suffix) {
        int length = bytes.readableBytes();
        int shown = Math.min(length, MAX_TEXT_SHOWN);
        String text = escape(bytes.toString(bytes.readerIndex(), shown, StandardCharsets.UTF_8));
        return Field.of(name, offset, length, length + " bytes: " + text + (shown < length ? "..." : "") + suffix);
    }

    private static Field endOfStream(RecordType type) {
        return Field.info("End of stream", "an empty " + type + " record ends the stream (§3.3)");
    }

    private static Field wrongLength(String type, int expected, ByteBuf content) {
        return Field.of("Malformed", 0, content.readableBytes(), type + " content must be " + expected
                + " bytes, got " + content.readableBytes() + " (§5)");
    }

    /** {length, bytes used}, or null when the stream ends inside the length. */
    private static int[] readLength(ByteBuf in, int at, int end) {
        if (at >= end) {
            return null;
        }
        int first = in.getUnsignedByte(at);
        if ((first & FOUR_BYTE_FLAG) == 0) {
            return new int[] {first, 1};
        }
        if (end - at < 4) {
            return null;
        }
        return new int[] {in.getInt(at) & 0x7FFFFFFF, 4};
    }

    private static String lengthText(int[] length) {
        return length[1] == 1 ? ONE_BYTE_LENGTH_TEXT[length[0]] : length[0] + " (4 bytes, top bit set)";
    }

    /** One field is one line: line breaks and tabs are shown as escapes. */
    private static String escape(String text) {
        if (text.indexOf('\r') < 0 && text.indexOf('\n') < 0 && text.indexOf('\t') < 0) {
            return text;
        }
        return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    private static String summary(RecordHeader header) {
        return RecordType.nameOf(header.type()) + ", request " + header.requestId() + ", "
                + header.contentLength() + " content bytes";
    }

    /** A group field whose children were built relative to the group: moves only the children. */
    private static Field shiftChildren(Field group, int delta) {
        List<Field> moved = new ArrayList<>(group.children().size());
        for (Field child : group.children()) {
            moved.add(child.shifted(delta));
        }
        return new Field(group.name(), group.offset(), group.length(), group.value(), moved);
    }

    /**
     * Where each content byte of a stream sits on the wire, records back to back: content byte {@code p} of
     * record {@code i} is at {@code recordStart(i) + 8 + p}.
     */
    private static final class WireMap {
        private final int[] recordStarts;
        private final int[] contentStarts;
        private final int contentLength;

        WireMap(List<RecordHeader> headers) {
            recordStarts = new int[headers.size()];
            contentStarts = new int[headers.size()];
            int wire = 0;
            int content = 0;
            for (int i = 0; i < headers.size(); i++) {
                recordStarts[i] = wire;
                contentStarts[i] = content;
                wire += headers.get(i).recordLength();
                content += headers.get(i).contentLength();
            }
            contentLength = content;
        }

        int recordStart(int i) {
            return recordStarts[i];
        }

        int contentLength() {
            return contentLength;
        }

        /** The index of the only record that carries content, or -1 when there are several (or none). */
        int onlyRecordWithContent() {
            int found = -1;
            for (int i = 0; i < contentStarts.length; i++) {
                int next = i + 1 < contentStarts.length ? contentStarts[i + 1] : contentLength;
                if (next > contentStarts[i]) {
                    if (found >= 0) {
                        return -1;
                    }
                    found = i;
                }
            }
            return found;
        }

        /** The wire offset of content byte {@code p}. */
        int wire(int p) {
            int i = 0;
            while (i + 1 < contentStarts.length && contentStarts[i + 1] <= p && contentStarts[i + 1] < contentLength) {
                i++;
            }
            return recordStarts[i] + RecordHeader.LENGTH + (p - contentStarts[i]);
        }

        /** A field with content offsets, moved to wire offsets (a range split by a header spans it). */
        Field place(Field field) {
            List<Field> children = new ArrayList<>(field.children().size());
            for (Field child : field.children()) {
                children.add(place(child));
            }
            if (!field.hasOffset()) {
                return new Field(field.name(), Field.NO_OFFSET, 0, field.value(), children);
            }
            int start = wire(field.offset());
            int length = field.length() == 0 ? 0 : wire(field.offset() + field.length() - 1) + 1 - start;
            return new Field(field.name(), start, length, field.value(), children);
        }
    }
}
