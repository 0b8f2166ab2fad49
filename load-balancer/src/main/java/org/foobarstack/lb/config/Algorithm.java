package org.foobarstack.lb.config;

import java.util.Locale;

/**
 * HAProxy's {@code balance} keyword: how the next server is chosen among the usable ones. The implementations are
 * in {@code org.foobarstack.lb.balance}.
 */
public enum Algorithm {
    /** Each server in turn, in proportion to its weight (a weight-3 server gets 3 of every 4 requests next to a
     *  weight-1 one), spread evenly rather than in bursts. */
    ROUNDROBIN,
    /** The server with the fewest requests in progress, relative to its weight; ties go round robin. Suits long or
     *  uneven requests, where taking turns would pile work on a slow server. */
    LEASTCONN,
    /** A hash of the client's IP address picks the server, so one client keeps landing on the same server for as
     *  long as the set of usable servers does not change ("sticky" without cookies). */
    SOURCE,
    /** A hash of the request's path (the part before "?") picks the server, so each page is always served by the
     *  same server: good for caches on the servers. HTTP mode only. */
    URI;

    /** The keyword as HAProxy writes it: "roundrobin". */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Algorithm fromKeyword(String keyword) {
        for (Algorithm a : values()) {
            if (a.keyword().equals(keyword)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown balance algorithm \"" + keyword
                + "\" (known: roundrobin, leastconn, source, uri)");
    }
}
