package org.foobarstack.topology;

import java.util.Locale;

/** How a load balancer checks that a server is alive. */
public enum CheckType {

    /** The server is up when it accepts a TCP connection. HAProxy's plain {@code check}. */
    TCP,

    /**
     * The server is up when it answers an HTTP request for the check path with a 2xx or 3xx
     * status: a server whose port is open but whose application is broken is taken out too.
     * HAProxy's {@code option httpchk GET /health}.
     */
    HTTP;

    /** The word in a topology file: {@code tcp} or {@code http}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
