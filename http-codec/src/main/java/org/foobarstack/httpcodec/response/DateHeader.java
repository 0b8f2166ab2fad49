package org.foobarstack.httpcodec.response;

import java.time.Instant;

/**
 * The value of the Date header every response carries (RFC 9110 §6.6.1). It changes once a second, so one
 * instance per server keeps the formatted text and reformats only when the second changes.
 */
public final class DateHeader {

    private record Cached(long second, String text) {
    }

    private volatile Cached cached = new Cached(-1, "");

    public String now() {
        long second = System.currentTimeMillis() / 1000;
        Cached c = cached;
        if (c.second != second) {
            c = new Cached(second, HttpDates.format(Instant.ofEpochSecond(second)));
            cached = c;
        }
        return c.text;
    }
}
