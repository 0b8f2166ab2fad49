package org.foobarstack.lb.balance;

import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.Algorithm;

import java.net.InetAddress;
import java.util.List;

/**
 * One balancing algorithm: picks a server for a request among the usable ones. {@code Backend} calls it under
 * its lock, with the list of servers that may take the request right now (up, ready, weight above 0, and not
 * already tried for this request), never empty and always in configuration order.
 */
public interface Selector {

    /** What the algorithms may look at: the client's address and the request's path (null in TCP mode). */
    record RequestKey(InetAddress clientAddress, String path) {
    }

    Server select(List<Server> usable, RequestKey key);

    static Selector of(Algorithm algorithm) {
        return switch (algorithm) {
            case ROUNDROBIN -> new RoundRobin();
            case LEASTCONN -> new LeastConn();
            case SOURCE -> new HashSelector(HashSelector.Key.SOURCE);
            case URI -> new HashSelector(HashSelector.Key.URI);
        };
    }
}
