package org.foobarstack.httpcodec.parser;

import io.netty.buffer.ByteBuf;

/**
 * Field names as the parsers store them: lower-cased, since names are case-insensitive (RFC 9110 §5.1). The
 * names that nearly every message carries are kept here as constants and handed out without making a new String:
 * a proxy reads two heads per request, each with half a dozen such names, and the garbage of those Strings was the
 * largest of its whole request path.
 */
final class FieldNames {

    /** The common names, all lower-case; the lookup matches any case of them. */
    private static final String[] COMMON = {
        "host", "user-agent", "accept", "accept-encoding", "accept-language", "connection", "content-length",
        "content-type", "transfer-encoding", "date", "server", "etag", "last-modified", "cache-control",
        "accept-ranges", "keep-alive", "cookie", "set-cookie", "location", "expires", "vary", "via",
        "x-forwarded-for", "x-forwarded-proto", "forwarded", "traceparent", "tracestate", "referer", "origin",
        "x-request-id", "x-trace-id", "x-backend-server", "if-none-match", "if-modified-since", "range",
        "authorization", "expect", "upgrade", "te", "trailer", "content-encoding", "pragma",
        "x-content-type-options", "content-security-policy", "retry-after", "allow", "x-served-by",
    };

    /** The common names by length, then by first letter: a few candidates to compare at most. */
    private static final String[][][] BY_LENGTH_AND_LETTER = new String[64][26][];

    static {
        for (String name : COMMON) {
            int letter = name.charAt(0) - 'a';
            String[] bucket = BY_LENGTH_AND_LETTER[name.length()][letter];
            String[] grown = bucket == null ? new String[1] : java.util.Arrays.copyOf(bucket, bucket.length + 1);
            grown[grown.length - 1] = name;
            BY_LENGTH_AND_LETTER[name.length()][letter] = grown;
        }
    }

    private FieldNames() {
    }

    /** The name at {@code from} (already checked to be a token) as a lower-case String, shared when common. */
    static String lowerCase(ByteBuf in, int from, int length) {
        if (length < BY_LENGTH_AND_LETTER.length) {
            int first = lower(in.getByte(from)) - 'a';
            if (first >= 0 && first < 26) {
                String[] candidates = BY_LENGTH_AND_LETTER[length][first];
                if (candidates != null) {
                    for (String candidate : candidates) {
                        if (matches(in, from, candidate)) {
                            return candidate;
                        }
                    }
                }
            }
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) lower(in.getByte(from + i));
        }
        return new String(chars);
    }

    private static boolean matches(ByteBuf in, int from, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (lower(in.getByte(from + i)) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }
}
