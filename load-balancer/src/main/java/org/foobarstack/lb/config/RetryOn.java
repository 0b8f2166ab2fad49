package org.foobarstack.lb.config;

import java.util.Locale;

/**
 * HAProxy's {@code retry-on}: which failures of a server make the balancer try again (on the same server, or on
 * another one when redispatching). Whatever is listed, a request whose method is not idempotent (POST, PATCH) is
 * never sent twice once it has reached a server: RFC 9110 §9.2.2 forbids a proxy to retry it automatically, since
 * the first server may have acted on it before it failed.
 */
public enum RetryOn {
    /** The connection to the server could not be opened: refused, or no answer within {@code timeout connect}.
     *  The request never reached the server, so retrying is safe for every method. */
    CONN_FAILURE,
    /** The server closed the connection after the request was sent and before any byte of a response: typical
     *  of a server killed while it held the request. Retried only for idempotent methods. */
    EMPTY_RESPONSE;

    /** The keyword as HAProxy writes it: "conn-failure". */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static RetryOn fromKeyword(String keyword) {
        for (RetryOn r : values()) {
            if (r.keyword().equals(keyword)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown retry-on condition \"" + keyword
                + "\" (known: conn-failure, empty-response)");
    }
}
