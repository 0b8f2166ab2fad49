package org.foobarstack.lb.balance;

import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.Algorithm;

import java.net.InetAddress;
import java.util.List;

/**
 * One balancing algorithm: picks a server for a request among the usable ones. {@code Backend} gives it the list of
 * servers that may take the request right now (up, ready, weight above 0, and not already tried for this request),
 * never empty and always in the backend's order (configuration order, servers added at run time last). The list is
 * taken from one snapshot of the backend's servers, which may change between two requests when an operator adds or
 * removes one, so a selector keeps nothing about particular servers that it does not check again. Every event loop
 * calls the same selector at once, so a selector that keeps state (round robin's turn, leastconn's rotation) keeps
 * it in atomics rather than behind a lock.
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
