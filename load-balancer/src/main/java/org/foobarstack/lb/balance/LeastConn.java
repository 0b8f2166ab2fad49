package org.foobarstack.lb.balance;

import org.foobarstack.lb.backend.Server;

import java.util.List;

/**
 * {@code balance leastconn}: the server with the fewest requests in progress for its weight, so that a server
 * stuck on slow requests gets fewer new ones. Servers are compared by {@code current / weight} (cross-multiplied,
 * to stay in integers); among equals the turn rotates, as in HAProxy, so that an idle backend is still shared.
 */
final class LeastConn implements Selector {

    private final java.util.concurrent.atomic.AtomicInteger rotation = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Server select(List<Server> usable, RequestKey key) {
        int n = usable.size();
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        Server best = null;
        for (int i = 0; i < n; i++) {
            Server candidate = usable.get((start + i) % n);
            if (best == null || (long) candidate.currentSessions() * best.weight()
                    < (long) best.currentSessions() * candidate.weight()) {
                best = candidate;
            }
        }
        return best;
    }
}
