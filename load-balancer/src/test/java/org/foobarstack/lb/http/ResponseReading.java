package org.foobarstack.lb.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain, strict reading of one HTTP/1.1 response on a connection that ends after it (RFC 9112 §4 to §7), for
 * {@link BackendResponseFuzzTest}: written apart from the balancer's {@code HttpResponseParser}, to judge both the
 * bytes a server sent and the bytes the client got.
 *
 * <p>Interim 1xx responses (but 101) are skipped. The body is framed by §6.3 for a response: none after HEAD, 1xx,
 * 204 and 304; chunked when Transfer-Encoding is exactly "chunked"; Content-Length; else until the close. A
 * response is <em>clean</em> when it is complete, nothing follows it, every line is well-formed, and its framing
 * is not one of the doubtful cases (Transfer-Encoding with Content-Length, other codings, 101).
 */
final class ResponseReading {

    enum Kind {
        /** A whole response. */
        COMPLETE,
        /** A well-formed head, then a body the close cut short. */
        CUT_OFF,
        /** Not a response: no complete head, a broken line, unreadable framing. */
        BROKEN
    }

    /**
     * @param status   the final status, or -1 when no final status line was read
     * @param body     the body after de-chunking (as far as it came)
     * @param trailing bytes after the end of a complete response
     * @param interims  interim (1xx) responses read before it
     * @param byClose   whether its body is delimited by the close of the connection (§6.3 rule 8)
     */
    record Result(Kind kind, int status, List<String[]> fields, byte[] body, int trailing, boolean clean,
                  String why, int interims, boolean byClose) {
        String header(String name) {
            for (String[] field : fields) {
                if (field[0].equals(name)) {
                    return field[1];
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return kind + " " + status + (clean ? " clean" : " not clean: " + why) + ", body " + body.length
                    + " bytes, " + trailing + " after it";
        }
    }

    private final byte[] in;
    private int pos;
    private final List<String[]> fields = new ArrayList<>();
    private String doubt;
    private int interims;
    private boolean byClose;

    private ResponseReading(byte[] in) {
        this.in = in;
    }

    static Result read(byte[] in, boolean headRequest) {
        return new ResponseReading(in).read(headRequest);
    }

    private Result broken(int status, String why) {
        return new Result(Kind.BROKEN, status, fields, new byte[0], 0, false, why, interims, byClose);
    }

    private Result read(boolean headRequest) {
        int status;
        while (true) {
            fields.clear();
            String statusLine = line();
            if (statusLine == null) {
                return broken(-1, "no status line");
            }
            if (!statusLine.matches("HTTP/1\\.[01] [1-9][0-9][0-9]( [\\t\\x20-\\x7e\\x80-\\xff]*)?")) {
                return broken(-1, "status line " + statusLine);
            }
            int code = Integer.parseInt(statusLine.substring(9, 12));
            while (true) {
                String line = line();
                if (line == null) {
                    return broken(-1, "the head does not end");
                }
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon <= 0 || !isToken(line.substring(0, colon))) {
                    return broken(-1, "field line " + line);
                }
                String value = line.substring(colon + 1).replaceAll("^[ \\t]+|[ \\t]+$", "");
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c < 0x20 && c != '\t' || c == 0x7f) {
                        return broken(-1, "a control character in " + line);
                    }
                }
                fields.add(new String[] {line.substring(0, colon).toLowerCase(Locale.ROOT), value});
            }
            if (code >= 100 && code < 200 && code != 101) {
                interims++;
                continue; // interim (RFC 9110 §15.2): the final response follows
            }
            status = code;
            break;
        }
        if (status == 101) {
            doubt = "101 Switching Protocols";
        }
        if (status > 599) {
            doubt = "status " + status;
        }
        if (headRequest || status == 204 || status == 304) {
            return done(status, new byte[0]);
        }
        List<String> codings = new ArrayList<>();
        List<String> lengths = new ArrayList<>();
        boolean anyCodingLine = false;
        boolean anyLengthLine = false;
        for (String[] field : fields) {
            if (field[0].equals("transfer-encoding")) {
                anyCodingLine = true;
                codings.addAll(elements(field[1]));
            } else if (field[0].equals("content-length")) {
                anyLengthLine = true;
                lengths.addAll(elements(field[1]));
            }
        }
        if (anyCodingLine) {
            if (anyLengthLine) {
                doubt = "Transfer-Encoding with Content-Length";
            }
            if (codings.equals(List.of("chunked"))) {
                return chunked(status);
            }
            doubt = "Transfer-Encoding " + codings;
            return untilClose(status);
        }
        if (anyLengthLine) {
            long length = -1;
            for (String element : lengths) {
                if (!element.matches("[0-9]{1,15}")) {
                    return broken(status, "Content-Length " + lengths);
                }
                long value = Long.parseLong(element);
                if (length >= 0 && value != length) {
                    return broken(status, "Content-Length " + lengths);
                }
                length = value;
            }
            if (length < 0) {
                return broken(status, "an empty Content-Length");
            }
            if (in.length - pos < length) {
                return new Result(Kind.CUT_OFF, status, fields, java.util.Arrays.copyOfRange(in, pos, in.length), 0,
                        false, "Content-Length " + length + ", " + (in.length - pos) + " bytes came", interims, byClose);
            }
            byte[] body = java.util.Arrays.copyOfRange(in, pos, pos + (int) length);
            pos += (int) length;
            return done(status, body);
        }
        return untilClose(status);
    }

    private Result untilClose(int status) {
        byClose = true;
        byte[] body = java.util.Arrays.copyOfRange(in, pos, in.length);
        pos = in.length;
        return done(status, body);
    }

    private Result chunked(int status) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = line();
            if (line == null) {
                return cutOrBroken(status, body, "a chunk line does not end");
            }
            int digits = 0;
            while (digits < line.length() && Character.digit(line.charAt(digits), 16) >= 0) {
                digits++;
            }
            if (digits == 0 || digits > 15 || (digits < line.length() && line.charAt(digits) != ';')) {
                return broken(status, "chunk line " + line);
            }
            long size = Long.parseLong(line.substring(0, digits), 16);
            if (size == 0) {
                while (true) {
                    String trailer = line();
                    if (trailer == null) {
                        return cutOrBroken(status, body, "the trailer section does not end");
                    }
                    if (trailer.isEmpty()) {
                        return done(status, body.toByteArray());
                    }
                }
            }
            if (in.length - pos < size) {
                body.write(in, pos, in.length - pos);
                pos = in.length;
                return new Result(Kind.CUT_OFF, status, fields, body.toByteArray(), 0, false, "a chunk is cut off",
                        interims, byClose);
            }
            body.write(in, pos, (int) size);
            pos += (int) size;
            if (in.length - pos < 2) {
                return cutOrBroken(status, body, "no CRLF after a chunk");
            }
            if (in[pos] != '\r' || in[pos + 1] != '\n') {
                return broken(status, "no CRLF after a chunk");
            }
            pos += 2;
        }
    }

    /** The bytes ran out inside the framing: cut off, unless what there is already breaks a line. */
    private Result cutOrBroken(int status, ByteArrayOutputStream body, String why) {
        for (int i = pos; i < in.length; i++) {
            if (in[i] == '\n' || (in[i] == '\r' && i + 1 < in.length)) {
                return broken(status, why + ", and a broken line");
            }
        }
        return new Result(Kind.CUT_OFF, status, fields, body.toByteArray(), 0, false, why, interims, byClose);
    }

    private Result done(int status, byte[] body) {
        int trailing = in.length - pos;
        String why = doubt != null ? doubt : trailing > 0 ? trailing + " bytes after the response" : null;
        return new Result(Kind.COMPLETE, status, fields, body, trailing, why == null, why, interims, byClose);
    }

    /** The next line without its CRLF; null when it does not end, or ends otherwise than in CRLF. */
    private String line() {
        for (int i = pos; i < in.length; i++) {
            if (in[i] == '\n') {
                return null;
            }
            if (in[i] == '\r') {
                if (i + 1 >= in.length || in[i + 1] != '\n') {
                    return null;
                }
                String line = new String(in, pos, i - pos, StandardCharsets.ISO_8859_1);
                pos = i + 2;
                return line;
            }
        }
        return null;
    }

    private static List<String> elements(String value) {
        List<String> out = new ArrayList<>();
        for (String element : value.split(",", -1)) {
            String trimmed = element.replaceAll("^[ \\t]+|[ \\t]+$", "").toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                out.add(trimmed);
            }
        }
        return out;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes.length && i < 2000; i++) {
            int c = bytes[i] & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c >= 0x7f || c == '\\') {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
