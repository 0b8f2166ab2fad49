package org.foobarstack.http.server;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections of one server that have not sent a byte since they were accepted, oldest first: the ones
 * {@link ConnectionLimiter} closes to make room when the server is at its connection limit.
 *
 * <p>Every accepted connection is added with the next number of a sequence, and removed when its first byte
 * arrives or when it closes; so the smallest key is always the connection that has been silent longest. The
 * table is shared by all event loops of the server: a concurrent skip list gives add, remove and "take the
 * oldest" in logarithmic time, where a deque would need a linear search to remove a connection that spoke.
 */
public final class SilentConnections {

    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentSkipListMap<Long, ConnectionLimiter> byAge = new ConcurrentSkipListMap<>();

    /** A connection was accepted; the key is what {@link #remove} takes. */
    long add(ConnectionLimiter connection) {
        long key = sequence.incrementAndGet();
        byAge.put(key, connection);
        return key;
    }

    /** The connection spoke, or closed. */
    void remove(long key) {
        byAge.remove(key);
    }

    /**
     * Takes the oldest silent connection and claims it for shedding, or returns null when there is none. A
     * connection whose first byte arrived meanwhile cannot be claimed ({@link ConnectionLimiter#claimForShedding})
     * and the next oldest is tried: a connection that has begun a request is never cut off by this.
     */
    ConnectionLimiter claimOldest() {
        for (Map.Entry<Long, ConnectionLimiter> oldest; (oldest = byAge.pollFirstEntry()) != null; ) {
            if (oldest.getValue().claimForShedding()) {
                return oldest.getValue();
            }
        }
        return null;
    }

    /** Silent connections now. */
    public int size() {
        return byAge.size();
    }
}
