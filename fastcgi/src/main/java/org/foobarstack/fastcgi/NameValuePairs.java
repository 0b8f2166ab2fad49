package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.MALFORMED_NAME_VALUE_PAIR;

/**
 * Name-value pairs, the encoding of the PARAMS stream and of GET_VALUES / GET_VALUES_RESULT (§3.4).
 *
 * <p>Each pair is: name length, value length, name bytes, value bytes. A length below 128 takes one byte; a
 * longer one takes four bytes with the top bit of the first byte set, leaving 31 bits for the length:
 *
 * <pre>
 *   0lllllll                                 length 0..127 in one byte
 *   1lllllll llllllll llllllll llllllll      length 0..2^31-1 in four bytes
 * </pre>
 *
 * Names and values are bytes; CGI params are ASCII names with values that web servers pass on as they got them,
 * so this class reads and writes them as ISO-8859-1, which maps every byte to one char and back unchanged.
 */
public final class NameValuePairs {

    /** The top bit of a length's first byte says "four-byte length". */
    private static final int FOUR_BYTE_FLAG = 0x80;
    private static final int ONE_BYTE_MAX = 0x7F;
    private static final int FOUR_BYTE_MASK = 0x7FFFFFFF;

    private NameValuePairs() {
    }

    /** One pair, in the order it appeared. */
    public record Pair(String name, String value) {
    }

    public static void write(String name, String value, ByteBuf out) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        writeLength(n.length, out);
        writeLength(v.length, out);
        out.writeBytes(n);
        out.writeBytes(v);
    }

    public static void writeAll(Map<String, String> pairs, ByteBuf out) {
        pairs.forEach((name, value) -> write(name, value, out));
    }

    /** How many bytes {@link #write} will produce, so that a caller can size a buffer once. */
    public static int encodedLength(String name, String value) {
        return lengthOfLength(name.length()) + lengthOfLength(value.length()) + name.length() + value.length();
    }

    /**
     * Reads every pair in {@code in}, which must hold a whole stream (all its records joined). A pair whose
     * lengths point past the end is a protocol error: it can only mean a broken or hostile peer.
     */
    public static List<Pair> readAll(ByteBuf in) {
        List<Pair> pairs = new ArrayList<>();
        while (in.isReadable()) {
            int nameLength = readLength(in);
            int valueLength = readLength(in);
            if ((long) nameLength + valueLength > in.readableBytes()) {
                throw new FastCgiProtocolException(MALFORMED_NAME_VALUE_PAIR, "pair announces " + nameLength
                        + "+" + valueLength + " bytes, " + in.readableBytes() + " remain");
            }
            String name = in.readCharSequence(nameLength, StandardCharsets.ISO_8859_1).toString();
            String value = in.readCharSequence(valueLength, StandardCharsets.ISO_8859_1).toString();
            pairs.add(new Pair(name, value));
        }
        return pairs;
    }

    /** {@link #readAll} as a map; a name repeated later wins, as with environment variables. */
    public static Map<String, String> readMap(ByteBuf in) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Pair pair : readAll(in)) {
            map.put(pair.name(), pair.value());
        }
        return map;
    }

    private static void writeLength(int length, ByteBuf out) {
        if (length <= ONE_BYTE_MAX) {
            out.writeByte(length);
        } else {
            out.writeInt(length | (FOUR_BYTE_FLAG << 24));
        }
    }

    private static int lengthOfLength(int length) {
        return length <= ONE_BYTE_MAX ? 1 : 4;
    }

    private static int readLength(ByteBuf in) {
        if (!in.isReadable()) {
            throw new FastCgiProtocolException(MALFORMED_NAME_VALUE_PAIR, "stream ends inside a length");
        }
        int first = in.getUnsignedByte(in.readerIndex());
        if ((first & FOUR_BYTE_FLAG) == 0) {
            return in.readUnsignedByte();
        }
        if (in.readableBytes() < 4) {
            throw new FastCgiProtocolException(MALFORMED_NAME_VALUE_PAIR, "stream ends inside a four-byte length");
        }
        return in.readInt() & FOUR_BYTE_MASK;
    }
}
