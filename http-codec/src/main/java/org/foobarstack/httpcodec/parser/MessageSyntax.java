package org.foobarstack.httpcodec.parser;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The grammar that requests and responses share (RFC 9112 §2 to §7): lines, field lines, Content-Length, chunk
 * lines. {@link HttpRequestParser} and {@link HttpResponseParser} keep their own states, and call these for every
 * rule that applies to both, so that a rule has one home and the two directions can never read it differently.
 *
 * <p>A broken rule is thrown as a {@link Rejection} carrying its {@link HttpViolation}; each parser turns it into
 * the message it emits.
 */
final class MessageSyntax {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';
    static final int CRLF_LENGTH = 2;
    /** 16 hex digits fill a long; more can only overflow (§7.1: recipients MUST anticipate and guard). */
    private static final int MAX_CHUNK_SIZE_DIGITS = 15;
    /** Content-Length above 10^18 could overflow a long; no real body is that large. */
    private static final int MAX_CONTENT_LENGTH_DIGITS = 18;

    private MessageSyntax() {
    }

    /**
     * Length of the line at the reader index without its CRLF, or -1 when its end has not arrived yet. A line
     * longer than {@code max} is refused with {@code tooLong} as soon as that is certain, without waiting for its
     * end. Lines end in CRLF only: a bare LF, or a CR not followed by LF, is refused (§2.2), because peers that
     * disagree about where a line ends disagree about where a message ends.
     *
     * <p>The bytes are judged strictly in the order they arrive: the first CR or LF decides, and only bytes before
     * it count towards the length. So the same bytes give the same verdict however TCP cuts them: a request split
     * at any byte boundary is refused for the same reason as the request arriving whole.
     */
    static int findLine(ByteBuf in, int max, HttpViolation tooLong) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int window = Math.min(in.readableBytes(), max + CRLF_LENGTH);
        int stop = in.forEachByte(start, window, ByteProcessor.FIND_CRLF);
        if (stop < 0) {
            if (window == max + CRLF_LENGTH) {
                throw new Rejection(tooLong, "limit " + max + " bytes");
            }
            return -1;
        }
        int length = stop - start;
        if (in.getByte(stop) == LF) {
            throw new Rejection(HttpViolation.BARE_LF, null);
        }
        if (length > max) {
            throw new Rejection(tooLong, "limit " + max + " bytes");
        }
        if (stop + 1 == end) {
            return -1; // a CR, and what follows it has not arrived yet
        }
        if (in.getByte(stop + 1) != LF) {
            throw new Rejection(HttpViolation.BARE_CR, null);
        }
        return length;
    }

    /**
     * A field line may not start with whitespace: as the first line after the start line it is
     * WHITESPACE_AFTER_START_LINE (§2.2), later it is obs-fold (§5.2), which both parsers reject. Checked at the
     * line's first byte, without waiting for its end.
     */
    static void refuseLeadingWhitespace(byte firstByte, boolean firstLineOfHeaderSection) {
        if (firstByte == SP || firstByte == HTAB) {
            throw firstLineOfHeaderSection
                    ? new Rejection(HttpViolation.WHITESPACE_AFTER_START_LINE, null)
                    : new Rejection(HttpViolation.OBSOLETE_LINE_FOLDING, null);
        }
    }

    /**
     * field-line = field-name ":" OWS field-value OWS (§5): the name a token with no whitespace before the colon
     * (§5.1: a server MUST reject it, since a proxy that trims it and a server that does not would see different
     * fields), the value trimmed of OWS and made of field-vchar, SP and HTAB only (RFC 9110 §5.5). The name comes
     * back lower-cased, since names are case-insensitive (RFC 9110 §5.1).
     */
    static HttpFields.Field parseFieldLine(ByteBuf in, int start, int lineLength) {
        int end = start + lineLength;
        int colon = indexOf(in, start, end, (byte) ':');
        if (colon < 0) {
            throw new Rejection(HttpViolation.MISSING_COLON, printable(ascii(in, start, Math.min(lineLength, 40))));
        }
        if (colon == start) {
            throw new Rejection(HttpViolation.INVALID_FIELD_NAME, "empty field name");
        }
        for (int i = start; i < colon; i++) {
            byte b = in.getByte(i);
            if (!CharClasses.isTokenChar(b)) {
                boolean trailingSpace = (b == SP || b == HTAB) && onlyWhitespace(in, i, colon);
                throw trailingSpace
                        ? new Rejection(HttpViolation.WHITESPACE_BEFORE_COLON, ascii(in, start, colon - start).trim())
                        : new Rejection(HttpViolation.INVALID_FIELD_NAME,
                                printable(ascii(in, start, colon - start)));
            }
        }
        // field-value is surrounded by optional whitespace that is not part of it (§5.1)
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && isWhitespace(in.getByte(valueStart))) {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(in.getByte(valueEnd - 1))) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            if (!CharClasses.isFieldValueChar(in.getByte(i))) {
                throw new Rejection(HttpViolation.INVALID_FIELD_VALUE,
                        "byte 0x" + Integer.toHexString(in.getByte(i) & 0xFF) + " in "
                                + ascii(in, start, colon - start));
            }
        }
        return new HttpFields.Field(FieldNames.lowerCase(in, start, colon - start),
                in.toString(valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
    }

    /** Content-Length = 1*DIGIT (RFC 9110 §8.6). */
    static long parseContentLength(String value) {
        if (value.isEmpty() || value.length() > MAX_CONTENT_LENGTH_DIGITS) {
            throw new Rejection(HttpViolation.INVALID_CONTENT_LENGTH, "Content-Length: " + printable(value));
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isDigit(c)) {
                throw new Rejection(HttpViolation.INVALID_CONTENT_LENGTH, "Content-Length: " + printable(value));
            }
            length = length * 10 + (c - '0');
        }
        return length;
    }

    /** The transfer codings of every Transfer-Encoding line, in order, lower-cased (§6.1). */
    static List<String> transferCodings(List<String> lines) {
        List<String> codings = new ArrayList<>();
        for (String line : lines) {
            for (String element : line.split(",", -1)) {
                String coding = element.trim().toLowerCase(Locale.ROOT);
                if (!coding.isEmpty()) {
                    codings.add(coding);
                }
            }
        }
        return codings;
    }

    /**
     * chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk = 1*("0") [ chunk-ext ] CRLF (§7.1).
     * Returns the size of the chunk whose line runs from {@code start} for {@code lineLength} bytes.
     */
    static long parseChunkSizeLine(ByteBuf in, int start, int lineLength) {
        int end = start + lineLength;
        int i = start;
        long size = 0;
        int digits = 0;
        while (i < end && Character.digit(in.getByte(i), 16) >= 0) {
            if (digits > 0 || in.getByte(i) != '0') {
                if (++digits > MAX_CHUNK_SIZE_DIGITS) {
                    throw new Rejection(HttpViolation.CHUNK_SIZE_OVERFLOW, ascii(in, start, lineLength));
                }
            }
            size = size * 16 + Character.digit(in.getByte(i), 16);
            i++;
        }
        if (i == start) {
            throw new Rejection(HttpViolation.INVALID_CHUNK_SIZE, printable(ascii(in, start, lineLength)));
        }
        checkChunkExtensions(in, i, end);
        return size;
    }

    /**
     * chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (§7.1.1). Extensions mean nothing
     * here, but they are checked, since a sloppy reading here is how chunked smuggling starts.
     */
    private static void checkChunkExtensions(ByteBuf in, int from, int end) {
        if (from < end && in.getByte(from) != ';' && !isWhitespace(in.getByte(from))) {
            // "5x": the size itself goes on with something that is not a hex digit
            throw new Rejection(HttpViolation.INVALID_CHUNK_SIZE, printable(ascii(in, from, end - from)));
        }
        int i = from;
        while (i < end) {
            i = skipWhitespace(in, i, end);
            if (i >= end || in.getByte(i) != ';') {
                // whitespace that leads to no ";" ("5 " or "5 x"): BWS is only allowed before a ";"
                throw new Rejection(HttpViolation.INVALID_CHUNK_EXTENSION, printable(ascii(in, from, end - from)));
            }
            i = skipWhitespace(in, i + 1, end);
            int nameStart = i;
            while (i < end && CharClasses.isTokenChar(in.getByte(i))) {
                i++;
            }
            if (i == nameStart) {
                throw new Rejection(HttpViolation.INVALID_CHUNK_EXTENSION, "extension without a name");
            }
            int afterName = skipWhitespace(in, i, end);
            if (afterName < end && in.getByte(afterName) == '=') {
                i = skipWhitespace(in, afterName + 1, end);
                if (i < end && in.getByte(i) == '"') {
                    i = endOfQuotedString(in, i, end);
                } else {
                    int valueStart = i;
                    while (i < end && CharClasses.isTokenChar(in.getByte(i))) {
                        i++;
                    }
                    if (i == valueStart) {
                        throw new Rejection(HttpViolation.INVALID_CHUNK_EXTENSION, "extension without a value");
                    }
                }
            }
            // whatever follows must be whitespace before the next ";" or the end
            if (i < end && !isWhitespace(in.getByte(i)) && in.getByte(i) != ';') {
                throw new Rejection(HttpViolation.INVALID_CHUNK_EXTENSION, printable(ascii(in, from, end - from)));
            }
            if (skipWhitespace(in, i, end) == end && i < end) {
                // BWS is only allowed before ";", never at the end of the line
                throw new Rejection(HttpViolation.INVALID_CHUNK_EXTENSION, "whitespace at the end of a chunk line");
            }
        }
    }

    /** quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4); returns the index after it. */
    private static int endOfQuotedString(ByteBuf in, int openQuote, int end) {
        int i = openQuote + 1;
        while (i < end) {
            byte b = in.getByte(i);
            if (b == '"') {
                return i + 1;
            }
            if (b == '\\') {
                i++;
                if (i >= end || !CharClasses.isFieldValueChar(in.getByte(i))) {
                    break;
                }
            } else if (!CharClasses.isFieldValueChar(b)) {
                break;
            }
            i++;
        }
        throw new Rejection(HttpViolation.INVALID_CHUNK_EXTENSION, "unterminated quoted-string");
    }

    /**
     * The CRLF after chunk data (§7.1): true when it was read, false when it has not fully arrived; anything else
     * is MISSING_CRLF_AFTER_CHUNK, decided at the first wrong byte.
     */
    static boolean readCrlfAfterChunk(ByteBuf in) {
        if (in.readableBytes() < CRLF_LENGTH) {
            if (in.getByte(in.readerIndex()) != CR) {
                throw new Rejection(HttpViolation.MISSING_CRLF_AFTER_CHUNK, null);
            }
            return false;
        }
        if (in.readByte() != CR || in.readByte() != LF) {
            throw new Rejection(HttpViolation.MISSING_CRLF_AFTER_CHUNK, null);
        }
        return true;
    }

    // ---------------------------------------------------------------- bytes and characters

    static int indexOf(ByteBuf in, int from, int to, byte value) {
        return from >= to ? -1 : in.indexOf(from, to, value);
    }

    static boolean isToken(ByteBuf in, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!CharClasses.isTokenChar(in.getByte(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean onlyWhitespace(ByteBuf in, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isWhitespace(in.getByte(i))) {
                return false;
            }
        }
        return true;
    }

    private static int skipWhitespace(ByteBuf in, int from, int end) {
        int i = from;
        while (i < end && isWhitespace(in.getByte(i))) {
            i++;
        }
        return i;
    }

    static boolean isWhitespace(byte b) {
        return b == SP || b == HTAB;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static String ascii(ByteBuf in, int from, int length) {
        return in.toString(from, length, StandardCharsets.ISO_8859_1);
    }

    /** Makes control characters visible, so that an error page shows what was sent. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Unwinds a parser from wherever a rule broke; carries no stack trace, since it is not a bug. */
    static final class Rejection extends RuntimeException {
        final HttpViolation violation;
        final String detail;

        Rejection(HttpViolation violation, String detail) {
            super(violation.toString(), null, false, false);
            this.violation = violation;
            this.detail = detail;
        }
    }
}
