package org.foobarstack.trace.fields;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;

/**
 * HTTP/1.1 message heads as field trees (RFC 9112 §2.1: start-line, header field lines, an empty line):
 * the request line split into method, target and version (§3), or the status line into version, code
 * and reason (§4), then one field per header line with its name and value (RFC 9110 §5), offsets
 * counted from the first byte of the head.
 *
 * <p>This describes bytes, it does not validate them: the web tier's own parser decides what to reject
 * and why; a line that cannot be split is shown whole as {@code "Malformed"}.
 */
public final class HttpHeadFields {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int MAX_BODY_SHOWN = 256;

    private HttpHeadFields() {
    }

    /** The fields of a request head: request line, header lines, end of head. */
    public static List<Field> requestHead(byte[] head) {
        return head(head, true);
    }

    /** The fields of a response head: status line, header lines, end of head. */
    public static List<Field> responseHead(byte[] head) {
        return head(head, false);
    }

    /**
     * A field for a message body that follows its head.
     *
     * @param offset where the body starts in the message (the head's length)
     */
    public static Field body(int offset, byte[] body, String contentType) {
        int shown = Math.min(body.length, MAX_BODY_SHOWN);
        // One field is one line: show line breaks and tabs as escapes.
        String text = new String(body, 0, shown, StandardCharsets.UTF_8)
                .replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        String value = body.length + " bytes" + (contentType == null || contentType.isEmpty() ? "" : " of "
                + contentType) + (body.length == 0 ? "" : ": " + text + (shown < body.length ? "..." : ""));
        return Field.of("Body", offset, body.length, value);
    }

    /** The length of the head in {@code bytes}, through its empty line, or -1 if the head is not complete. */
    public static int headLength(byte[] bytes, int length) {
        for (int i = 0; i + 1 < length; i++) {
            if (bytes[i] == LF && bytes[i + 1] == LF) {
                return i + 2;
            }
            if (i + 3 < length && bytes[i] == CR && bytes[i + 1] == LF && bytes[i + 2] == CR && bytes[i + 3] == LF) {
                return i + 4;
            }
        }
        return -1;
    }

    private static List<Field> head(byte[] head, boolean request) {
        List<Field> fields = new ArrayList<>();
        int lineStart = 0;
        boolean first = true;
        while (lineStart < head.length) {
            int lf = indexOf(head, LF, lineStart);
            int lineEnd = lf < 0 ? head.length : lf + 1;
            int contentEnd = lf < 0 ? head.length : (lf > lineStart && head[lf - 1] == CR ? lf - 1 : lf);
            String line = new String(head, lineStart, contentEnd - lineStart, StandardCharsets.ISO_8859_1);
            if (line.isEmpty()) {
                fields.add(Field.of("End of head", lineStart, lineEnd - lineStart,
                        "empty line (RFC 9112 §2.1)"));
                break;
            }
            if (first) {
                fields.add(request ? requestLine(line, lineStart, lineEnd - lineStart)
                        : statusLine(line, lineStart, lineEnd - lineStart));
                first = false;
            } else {
                fields.add(headerLine(line, lineStart, lineEnd - lineStart));
            }
            lineStart = lineEnd;
        }
        return fields;
    }

    private static Field requestLine(String line, int offset, int length) {
        // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0) {
            return Field.of("Malformed", offset, length, "request line without two spaces (RFC 9112 §3): " + line);
        }
        return Field.group("Request line", offset, length, line, List.of(
                Field.of("Method", offset, sp1, line.substring(0, sp1)),
                Field.of("Request target", offset + sp1 + 1, sp2 - sp1 - 1, line.substring(sp1 + 1, sp2)),
                Field.of("Version", offset + sp2 + 1, line.length() - sp2 - 1, line.substring(sp2 + 1))));
    }

    private static Field statusLine(String line, int offset, int length) {
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        int sp1 = line.indexOf(' ');
        if (sp1 <= 0 || line.length() < sp1 + 4) {
            return Field.of("Malformed", offset, length, "status line without a code (RFC 9112 §4): " + line);
        }
        int codeEnd = sp1 + 4;
        List<Field> children = new ArrayList<>();
        children.add(Field.of("Version", offset, sp1, line.substring(0, sp1)));
        children.add(Field.of("Status code", offset + sp1 + 1, 3, line.substring(sp1 + 1, codeEnd)));
        if (line.length() > codeEnd + 1) {
            children.add(Field.of("Reason phrase", offset + codeEnd + 1, line.length() - codeEnd - 1,
                    line.substring(codeEnd + 1)));
        }
        return Field.group("Status line", offset, length, line, children);
    }

    private static Field headerLine(String line, int offset, int length) {
        // RFC 9112 §5: field-line = field-name ":" OWS field-value OWS
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return Field.of("Malformed", offset, length, "header line without a name and ':' (RFC 9112 §5): "
                    + line);
        }
        int valueStart = colon + 1;
        while (valueStart < line.length() && isOws(line.charAt(valueStart))) {
            valueStart++;
        }
        int valueEnd = line.length();
        while (valueEnd > valueStart && isOws(line.charAt(valueEnd - 1))) {
            valueEnd--;
        }
        String name = line.substring(0, colon);
        return Field.group(name, offset, length, line.substring(valueStart, valueEnd), List.of(
                Field.of("Name", offset, colon, name),
                Field.of("Value", offset + valueStart, valueEnd - valueStart, line.substring(valueStart, valueEnd))));
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
