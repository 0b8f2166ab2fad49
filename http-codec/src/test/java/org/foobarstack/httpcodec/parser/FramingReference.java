package org.foobarstack.httpcodec.parser;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A second reading of where HTTP/1.1 requests begin and end (RFC 9112 §6, §7.1, §9.3), written apart from
 * {@link HttpRequestParser} and kept as small as the rules allow, for the differential property of
 * {@link HttpRequestParserFuzzTest}. It shares no code with the parser: no {@code MessageSyntax}, no
 * {@code CharClasses}, only byte arrays and the RFC's words.
 *
 * <p>It decides only what framing needs: where the header section ends, how long the body is, whether another
 * request may follow. Everything else (methods, targets, Host, field values, limits) it leaves to the parser, and
 * where a line is broken in a way that is not a framing question (a bare CR, obs-fold, no colon) it stops judging
 * ({@link Status#NOT_JUDGED}): on such input the two readings are not compared.
 *
 * <ol>
 *   <li>Empty lines before a request line are skipped (§2.2).</li>
 *   <li>The head runs to the first empty line; every line ends in CRLF.</li>
 *   <li>Transfer-Encoding present: HTTP/1.0 cannot be framed (§6.1); chunked must be the final coding, else the
 *       length cannot be determined (§6.3 rule 4); with Content-Length too, Transfer-Encoding wins and the
 *       connection closes afterwards (§6.3 rule 3).</li>
 *   <li>Else Content-Length: one or more lines and list elements, all the same 1*DIGIT, else unrecoverable
 *       (§6.3 rule 5, RFC 9110 §8.6).</li>
 *   <li>Else no body (§6.3 rule 7).</li>
 *   <li>Chunked: chunk-size in hex, extensions skipped, data, CRLF; a zero-size chunk, then trailer lines to an
 *       empty line (§7.1).</li>
 *   <li>Persistence: "close" in Connection ends the connection; HTTP/1.0 stays open only with "keep-alive"
 *       (§9.3).</li>
 * </ol>
 */
final class FramingReference {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** How the reading of one message ended. */
    enum Status {
        /** The whole message is there; the next one, if any, starts right after it. */
        COMPLETE,
        /** The bytes end inside the message. */
        INCOMPLETE,
        /** The message's length cannot be determined reliably: a server MUST refuse it (§6.1, §6.3, §7.1). */
        MUST_REJECT,
        /** Broken in a way that is not a framing question; this reading says nothing about it or what follows. */
        NOT_JUDGED
    }

    /**
     * One message as this reading sees it.
     *
     * @param head      the request line and field lines with their CRLFs and the empty line, or null when the head
     *                  has not ended (or could not be read)
     * @param body      the body after de-chunking, as far as it arrived
     * @param keepAlive whether another request may follow on the connection
     */
    record Message(Status status, byte[] head, byte[] body, boolean keepAlive) {
    }

    /**
     * The messages in {@code in}, in order. The last one may be incomplete, unframeable or not judged; after it
     * nothing is read. When every message is complete, {@link Reading#atBoundary} says whether the bytes end
     * exactly where a next request would begin (rather than in a request line that has not ended, say).
     */
    record Reading(List<Message> messages, boolean atBoundary) {
    }

    private final byte[] in;
    private int pos;

    private FramingReference(byte[] in) {
        this.in = in;
    }

    static Reading read(byte[] in) {
        return new FramingReference(in).readAll();
    }

    private Reading readAll() {
        List<Message> messages = new ArrayList<>();
        while (true) {
            while (pos + 1 < in.length && in[pos] == CR && in[pos + 1] == LF) {
                pos += 2;
            }
            if (pos >= in.length) {
                return new Reading(messages, true);
            }
            Message message = readMessage();
            messages.add(message);
            if (message.status() != Status.COMPLETE || !message.keepAlive()) {
                return new Reading(messages, false);
            }
        }
    }

    /** A line's length to its CRLF from {@code pos}; -1 when not all there; -2 when a CR or LF stands alone. */
    private int lineLength() {
        for (int i = pos; i < in.length; i++) {
            if (in[i] == LF) {
                return -2;
            }
            if (in[i] == CR) {
                if (i + 1 == in.length) {
                    return -1;
                }
                return in[i + 1] == LF ? i - pos : -2;
            }
        }
        return -1;
    }

    private Message readMessage() {
        int headStart = pos;
        List<String> lines = new ArrayList<>();
        while (true) {
            int length = lineLength();
            if (length == -2) {
                return new Message(Status.NOT_JUDGED, null, new byte[0], false);
            }
            if (length == -1) {
                return new Message(Status.INCOMPLETE, null, new byte[0], false);
            }
            String line = new String(in, pos, length, StandardCharsets.ISO_8859_1);
            pos += length + 2;
            if (line.isEmpty()) {
                break;
            }
            lines.add(line);
        }
        byte[] head = Arrays.copyOfRange(in, headStart, pos);

        String requestLine = lines.get(0);
        String version = requestLine.substring(requestLine.lastIndexOf(' ') + 1);
        boolean http10;
        if (version.equals("HTTP/1.0")) {
            http10 = true;
        } else if (version.length() == 8 && version.startsWith("HTTP/1.") && Character.isDigit(version.charAt(7))) {
            http10 = false;
        } else {
            return new Message(Status.NOT_JUDGED, head, new byte[0], false);
        }

        List<String> transferCodings = new ArrayList<>();
        List<String> contentLengths = new ArrayList<>();
        List<String> connectionOptions = new ArrayList<>();
        boolean anyContentLength = false;
        for (String field : lines.subList(1, lines.size())) {
            int colon = field.indexOf(':');
            if (colon <= 0 || !isToken(field.substring(0, colon))) {
                // obs-fold (a leading space), no name, whitespace before the colon: not framing questions
                return new Message(Status.NOT_JUDGED, head, new byte[0], false);
            }
            String name = field.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = field.substring(colon + 1);
            switch (name) {
                case "transfer-encoding" -> transferCodings.addAll(elements(value));
                case "content-length" -> {
                    anyContentLength = true;
                    // a list element may be empty ("5,,5"); every non-empty one must agree
                    contentLengths.addAll(elements(value));
                }
                case "connection" -> connectionOptions.addAll(elements(value));
                default -> {
                }
            }
        }
        boolean keepAlive = !connectionOptions.contains("close")
                && (!http10 || connectionOptions.contains("keep-alive"));

        if (!transferCodings.isEmpty() || anyTransferEncodingLine(lines)) {
            if (http10) {
                return new Message(Status.MUST_REJECT, head, new byte[0], false);
            }
            if (transferCodings.isEmpty() || !transferCodings.get(transferCodings.size() - 1).equals("chunked")) {
                return new Message(Status.MUST_REJECT, head, new byte[0], false);
            }
            return readChunked(head, keepAlive && !anyContentLength);
        }
        if (anyContentLength) {
            BigInteger length = null;
            for (String element : contentLengths) {
                if (!element.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return new Message(Status.MUST_REJECT, head, new byte[0], false);
                }
                BigInteger value = new BigInteger(element);
                if (length != null && !length.equals(value)) {
                    return new Message(Status.MUST_REJECT, head, new byte[0], false);
                }
                length = value;
            }
            if (length == null) {
                return new Message(Status.MUST_REJECT, head, new byte[0], false);
            }
            long available = in.length - pos;
            if (length.compareTo(BigInteger.valueOf(available)) > 0) {
                byte[] body = Arrays.copyOfRange(in, pos, in.length);
                pos = in.length;
                return new Message(Status.INCOMPLETE, head, body, keepAlive);
            }
            int n = length.intValueExact();
            byte[] body = Arrays.copyOfRange(in, pos, pos + n);
            pos += n;
            return new Message(Status.COMPLETE, head, body, keepAlive);
        }
        return new Message(Status.COMPLETE, head, new byte[0], keepAlive);
    }

    /** Whether a Transfer-Encoding line is there at all, even one whose value lists nothing. */
    private static boolean anyTransferEncodingLine(List<String> lines) {
        for (String field : lines.subList(1, lines.size())) {
            int colon = field.indexOf(':');
            if (field.substring(0, colon).equalsIgnoreCase("transfer-encoding")) {
                return true;
            }
        }
        return false;
    }

    private Message readChunked(byte[] head, boolean keepAlive) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int length = lineLength();
            if (length == -2) {
                return new Message(Status.NOT_JUDGED, head, body.toByteArray(), false);
            }
            if (length == -1) {
                return new Message(Status.INCOMPLETE, head, body.toByteArray(), keepAlive);
            }
            String line = new String(in, pos, length, StandardCharsets.ISO_8859_1);
            pos += length + 2;
            int digits = 0;
            while (digits < line.length() && Character.digit(line.charAt(digits), 16) >= 0) {
                digits++;
            }
            if (digits == 0) {
                return new Message(Status.MUST_REJECT, head, body.toByteArray(), false);
            }
            String rest = line.substring(digits);
            if (!rest.isEmpty() && rest.charAt(0) != ';' && rest.charAt(0) != ' ' && rest.charAt(0) != '\t') {
                // "5x": the size goes on with something that is neither an extension nor whitespace before one
                return new Message(Status.MUST_REJECT, head, body.toByteArray(), false);
            }
            BigInteger size = new BigInteger(line.substring(0, digits), 16);
            if (size.bitLength() > 62) {
                // §7.1: a size no integer here can hold is an error, not a wrap-around
                return new Message(Status.MUST_REJECT, head, body.toByteArray(), false);
            }
            if (size.signum() == 0) {
                return readTrailers(head, body, keepAlive);
            }
            long available = in.length - pos;
            if (size.longValue() > available) {
                body.write(in, pos, in.length - pos);
                pos = in.length;
                return new Message(Status.INCOMPLETE, head, body.toByteArray(), keepAlive);
            }
            int n = size.intValue();
            body.write(in, pos, n);
            pos += n;
            if (pos == in.length || (pos + 1 == in.length && in[pos] == CR)) {
                pos = in.length;
                return new Message(Status.INCOMPLETE, head, body.toByteArray(), keepAlive);
            }
            if (in[pos] != CR || in[pos + 1] != LF) {
                return new Message(Status.MUST_REJECT, head, body.toByteArray(), false);
            }
            pos += 2;
        }
    }

    private Message readTrailers(byte[] head, ByteArrayOutputStream body, boolean keepAlive) {
        while (true) {
            int length = lineLength();
            if (length == -2) {
                return new Message(Status.NOT_JUDGED, head, body.toByteArray(), false);
            }
            if (length == -1) {
                return new Message(Status.INCOMPLETE, head, body.toByteArray(), keepAlive);
            }
            pos += length + 2;
            if (length == 0) {
                return new Message(Status.COMPLETE, head, body.toByteArray(), keepAlive);
            }
        }
    }

    /** The elements of a comma-separated list (RFC 9110 §5.6.1), trimmed of SP and HTAB, lower-cased, empties dropped. */
    private static List<String> elements(String value) {
        List<String> out = new ArrayList<>();
        for (String element : value.split(",", -1)) {
            int from = 0;
            int to = element.length();
            while (from < to && (element.charAt(from) == ' ' || element.charAt(from) == '\t')) {
                from++;
            }
            while (to > from && (element.charAt(to - 1) == ' ' || element.charAt(to - 1) == '\t')) {
                to--;
            }
            String trimmed = element.substring(from, to).toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                out.add(trimmed);
            }
        }
        return out;
    }

    /** token = 1*tchar (RFC 9110 §5.6.2). */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }
}
