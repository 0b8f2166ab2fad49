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
        byte[] bytes = new byte[encodedLength(name, value)];
        put(name, value, bytes, 0);
        out.writeBytes(bytes);
    }

    public static void writeAll(Map<String, String> pairs, ByteBuf out) {
        out.writeBytes(encode(pairs));
    }

    /**
     * Every pair, in the map's order, laid out in one array of exactly the right size, so that a caller copies it
     * into a buffer in one piece: a request's PARAMS are some 25 pairs, and writing each length, name and value
     * into the buffer separately made the buffer check itself and grow a hundred times per request.
     */
    public static byte[] encode(Map<String, String> pairs) {
        int length = 0;
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            length += encodedLength(pair.getKey(), pair.getValue());
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            at = put(pair.getKey(), pair.getValue(), bytes, at);
        }
        return bytes;
    }

    /** One pair at {@code at}: both lengths, then the name's and the value's bytes; returns where it ends. */
    private static int put(String name, String value, byte[] bytes, int at) {
        at = putLength(name.length(), bytes, at);
        at = putLength(value.length(), bytes, at);
        at = putLatin1(name, bytes, at);
        return putLatin1(value, bytes, at);
    }

    private static int putLength(int length, byte[] bytes, int at) {
        if (length <= ONE_BYTE_MAX) {
            bytes[at] = (byte) length;
            return at + 1;
        }
        int flagged = length | (FOUR_BYTE_FLAG << 24);
        bytes[at] = (byte) (flagged >>> 24);
        bytes[at + 1] = (byte) (flagged >>> 16);
        bytes[at + 2] = (byte) (flagged >>> 8);
        bytes[at + 3] = (byte) flagged;
        return at + 4;
    }

    /** ISO-8859-1: one byte per char; a char beyond it becomes '?', as {@code String.getBytes} would make it. */
    private static int putLatin1(String text, byte[] bytes, int at) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes[at++] = c > 0xff ? (byte) '?' : (byte) c;
        }
        return at;
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
        byte[] bytes = new byte[in.readableBytes()];
        in.readBytes(bytes);
        return readAll(bytes);
    }

    /**
     * {@link #readAll(ByteBuf)} for a stream already copied out of its buffer. Parsing from an array spares every
     * length byte the buffer's bounds and reference-count checks.
     */
    public static List<Pair> readAll(byte[] bytes) {
        List<Pair> pairs = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int nameLength = lengthAt(bytes, at);
            at += sizeOfLengthAt(bytes, at);
            int valueLength = lengthAt(bytes, at);
            at += sizeOfLengthAt(bytes, at);
            int remaining = bytes.length - at;
            if ((long) nameLength + valueLength > remaining) {
                throw new FastCgiProtocolException(MALFORMED_NAME_VALUE_PAIR, "pair announces " + nameLength
                        + "+" + valueLength + " bytes, " + remaining + " remain");
            }
            String name = new String(bytes, at, nameLength, StandardCharsets.ISO_8859_1);
            at += nameLength;
            String value = new String(bytes, at, valueLength, StandardCharsets.ISO_8859_1);
            at += valueLength;
            pairs.add(new Pair(name, value));
        }
        return pairs;
    }

    /** {@link #readAll} as a map; a name repeated later wins, as with environment variables. */
    public static Map<String, String> readMap(ByteBuf in) {
        return toMap(readAll(in));
    }

    /** {@link #readMap(ByteBuf)} for a stream already copied out of its buffer. */
    public static Map<String, String> readMap(byte[] bytes) {
        return toMap(readAll(bytes));
    }

    private static Map<String, String> toMap(List<Pair> pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Pair pair : pairs) {
            map.put(pair.name(), pair.value());
        }
        return map;
    }

    private static int lengthOfLength(int length) {
        return length <= ONE_BYTE_MAX ? 1 : 4;
    }

    /**
     * The size of the length that starts at {@code at}, told by its flag bit, not by its value: a four-byte length
     * below 128 would have fitted in one byte, and it is still accepted (§3.4 does not forbid it).
     */
    private static int sizeOfLengthAt(byte[] bytes, int at) {
        return (bytes[at] & FOUR_BYTE_FLAG) == 0 ? 1 : 4;
    }

    /** The length that starts at {@code at}, one byte or four (see the class comment). */
    private static int lengthAt(byte[] bytes, int at) {
        if (at >= bytes.length) {
            throw new FastCgiProtocolException(MALFORMED_NAME_VALUE_PAIR, "stream ends inside a length");
        }
        int first = bytes[at] & 0xff;
        if ((first & FOUR_BYTE_FLAG) == 0) {
            return first;
        }
        if (bytes.length - at < 4) {
            throw new FastCgiProtocolException(MALFORMED_NAME_VALUE_PAIR, "stream ends inside a four-byte length");
        }
        return (((first << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff)) & FOUR_BYTE_MASK);
    }
}
