package org.foobarstack.http.server;

/** Entity-tag comparison for If-None-Match (RFC 9110 §8.8.3.2, §13.1.2). */
final class EntityTags {

    private EntityTags() {
    }

    /**
     * If-None-Match uses the weak comparison: two tags match when their opaque parts are equal, whether or not
     * either is marked weak ("W/"). "*" matches any current representation.
     */
    static boolean matchesWeakly(String headerValue, String etag) {
        String ours = opaque(etag);
        for (String candidate : headerValue.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || opaque(c).equals(ours)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
