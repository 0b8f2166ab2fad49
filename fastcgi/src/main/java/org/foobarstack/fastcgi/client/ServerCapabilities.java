package org.foobarstack.fastcgi.client;

import java.util.Map;

/**
 * What a responder says about itself in GET_VALUES_RESULT (FastCGI §4.1).
 *
 * @param maxConns      FCGI_MAX_CONNS, or 0 when not given
 * @param maxReqs       FCGI_MAX_REQS, or 0 when not given
 * @param mpxsConns     FCGI_MPXS_CONNS = 1: several requests may share one connection
 */
public record ServerCapabilities(int maxConns, int maxReqs, boolean mpxsConns) {

    /** What a responder that does not answer is assumed to be: one request per connection, as php-fpm. */
    public static final ServerCapabilities NOT_MULTIPLEXING = new ServerCapabilities(0, 0, false);

    static ServerCapabilities from(Map<String, String> values) {
        return new ServerCapabilities(number(values.get("FCGI_MAX_CONNS")), number(values.get("FCGI_MAX_REQS")),
                "1".equals(values.get("FCGI_MPXS_CONNS")));
    }

    private static int number(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
