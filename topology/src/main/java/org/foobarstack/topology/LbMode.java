package org.foobarstack.topology;

import java.util.Locale;

/**
 * At which layer a load balancer works: HAProxy's {@code mode} keyword.
 */
public enum LbMode {

    /**
     * Reads each HTTP request: it can pick a server per request (not only per connection), check
     * servers with an HTTP request, and balance on the URI. HAProxy's {@code mode http}.
     */
    HTTP,

    /**
     * Forwards the bytes of each connection to one server without reading them: it works for any
     * protocol, but all requests of a connection go to the same server. HAProxy's {@code mode tcp}.
     */
    TCP;

    /** The word in a topology file: {@code http} or {@code tcp}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
