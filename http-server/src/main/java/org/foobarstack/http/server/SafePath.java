package org.foobarstack.http.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the path of a request-target into file-system path segments that cannot leave the document root.
 *
 * <ol>
 *   <li>Split the still-encoded path at "/", so that an encoded slash ("%2F") stays inside its segment and can
 *       never become a separator.</li>
 *   <li>Percent-decode each segment (RFC 3986 §2.1) as UTF-8; a malformed escape is an error.</li>
 *   <li>Refuse segments that a file system would read differently from a URI: containing "/", "\" or NUL.</li>
 *   <li>Resolve "." and ".." (RFC 3986 §5.2.4); a ".." above the root is refused, not clamped, so that the
 *       attempt shows as an error.</li>
 * </ol>
 * Symbolic links are checked afterwards, on the real file, by {@link StaticFileHandler}.
 */
public final class SafePath {

    /** Why a path was refused, with the status to answer and the rule that decides. */
    public record Refusal(int status, String reason, String rule) {
    }

    /** The decoded segments, or the refusal. */
    public record Result(List<String> segments, boolean trailingSlash, Refusal refusal) {
        public boolean ok() {
            return refusal == null;
        }
    }

    private SafePath() {
    }

    public static Result resolve(String encodedPath) {
        List<String> segments = new ArrayList<>();
        String[] parts = encodedPath.split("/", -1);
        for (String part : parts) {
            String segment = percentDecode(part);
            if (segment == null) {
                return refuse(400, "malformed percent-encoding in the path", "RFC 3986 §2.1");
            }
            if (segment.indexOf('\0') >= 0) {
                return refuse(400, "NUL byte in the path", "RFC 3986 §2.1");
            }
            if (segment.indexOf('/') >= 0 || segment.indexOf('\\') >= 0) {
                return refuse(404, "an encoded slash or backslash cannot name a file here", "RFC 3986 §2.2");
            }
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    return refuse(400, "the path climbs above the document root", "RFC 3986 §5.2.4");
                }
                segments.remove(segments.size() - 1);
                continue;
            }
            segments.add(segment);
        }
        return new Result(segments, encodedPath.endsWith("/"), null);
    }

    private static Result refuse(int status, String reason, String rule) {
        return new Result(List.of(), false, new Refusal(status, reason, rule));
    }

    /** Decodes %XX escapes; returns null for a malformed escape or bytes that are not UTF-8. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        byte[] bytes = out.toByteArray();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
