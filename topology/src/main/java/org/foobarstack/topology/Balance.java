package org.foobarstack.topology;

import java.util.Locale;

/**
 * How a load balancer picks the server for a new connection or request: HAProxy's {@code balance}
 * keyword, with the same four algorithms' names.
 */
public enum Balance {

    /** Each server in turn, each as often as its weight says. HAProxy's {@code balance roundrobin}. */
    ROUNDROBIN,

    /**
     * The server with the fewest connections in progress (weights taken into account): the choice
     * for long or uneven requests, where taking turns would pile work on a slow server.
     * HAProxy's {@code balance leastconn}.
     */
    LEASTCONN,

    /**
     * A hash of the client's address: the same client reaches the same server as long as the set
     * of servers does not change. HAProxy's {@code balance source}.
     */
    SOURCE,

    /**
     * A hash of the request's path: the same URL always reaches the same server, which keeps each
     * server's cache warm. It needs {@link LbMode#HTTP}, since a TCP balancer never reads the URI.
     * HAProxy's {@code balance uri}.
     */
    URI;

    /** The word in a topology file: {@code roundrobin}, {@code leastconn}, {@code source} or {@code uri}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
