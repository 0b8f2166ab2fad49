package org.foobarstack.topology;

import java.util.Objects;

/**
 * One server a load balancer sends traffic to: one line of HAProxy's {@code server} keyword.
 *
 * <p>It names a host, not an address: the balancer forwards to that host's web tier, at the
 * address and port the launcher gave it.
 *
 * @param host the host whose web tier receives the traffic
 * @param weight its share of the traffic relative to the other servers, 0..256 as in HAProxy
 *     (default 1); a server of weight 0 takes no new traffic but keeps the connections it has,
 *     which is how a server is drained before maintenance
 * @param backup a backup server gets traffic only when no other server is up; HAProxy's {@code backup}
 * @param check whether the balancer health-checks it; HAProxy's {@code check} (on by default here).
 *     A server that is not checked is always taken to be up.
 */
public record LbServer(String host, int weight, boolean backup, boolean check) {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 256;

    public LbServer {
        Objects.requireNonNull(host, "host");
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 0.." + MAX_WEIGHT + ", got " + weight);
        }
    }

    /** An ordinary server: weight 1, not a backup, checked. */
    public static LbServer of(String host) {
        return new LbServer(host, DEFAULT_WEIGHT, false, true);
    }
}
