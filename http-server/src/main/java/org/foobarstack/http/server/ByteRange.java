package org.foobarstack.http.server;

/**
 * One byte range of a Range header (RFC 9110 §14.1.2), resolved against a file's length:
 * {@code bytes=0-99} (the first 100), {@code bytes=100-} (from 100 on), {@code bytes=-100} (the last 100).
 *
 * @param first the first byte, inclusive
 * @param last  the last byte, inclusive
 */
record ByteRange(long first, long last) {

    /** A syntactically fine range that lies beyond the end of the file: 416. */
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    long length() {
        return last - first + 1;
    }

    /**
     * Returns the range, {@link #UNSATISFIABLE}, or null when the header is to be ignored: not "bytes", malformed,
     * or more than one range (all allowed by RFC 9110 §14.2).
     */
    static ByteRange parse(String header, long size) {
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = h.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                // suffix-range: the last N bytes
                if (b.isEmpty() || !digits(b)) {
                    return null;
                }
                long n = Long.parseLong(b);
                if (n == 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                return new ByteRange(Math.max(0, size - n), size - 1);
            }
            if (!digits(a) || (!b.isEmpty() && !digits(b))) {
                return null;
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (last < first) {
                return null;
            }
            if (first >= size) {
                return UNSATISFIABLE;
            }
            return new ByteRange(first, Math.min(last, size - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean digits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
