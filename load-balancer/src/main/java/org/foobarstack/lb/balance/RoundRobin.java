package org.foobarstack.lb.balance;

import org.foobarstack.lb.backend.Server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code balance roundrobin}: each server in turn, in proportion to its weight.
 *
 * <p>The turns are those of smooth weighted round robin: every pick, each server's running score grows by its
 * weight; the server with the highest score is chosen, and its score drops by the sum of all weights. With
 * weights 3 and 1 (servers a and b) the scores go:
 * <pre>
 *   pick   a: +3   b: +1   chosen   then a    b
 *    1      3       1        a        -1    1
 *    2      2       2        a        -2    2      (ties go to the first in configuration order)
 *    3      1       3        b         1   -1
 *    4      4       0        a         0    0      back to the start: a a b a, then again
 * </pre>
 * Over any run of (sum of weights) picks each server is chosen exactly its weight times, spread out rather than
 * in a burst ({@code a a a b}), which is what HAProxy's weighted round robin also aims for.
 *
 * <p>The whole cycle depends only on which servers are usable, so it is worked out once for each set of usable
 * servers (it changes only when one goes down or up) and kept; a request then takes the next turn from a shared
 * counter. Every event loop chooses at once without a lock, and the turns still alternate across all of them, as
 * a learner sending two requests expects: web-1, then web-2.
 */
final class RoundRobin implements Selector {

    private final AtomicLong turn = new AtomicLong();
    /** The cycle of turns for each set of usable servers, the set as a bit mask of their positions. */
    private final ConcurrentHashMap<Long, Server[]> cycles = new ConcurrentHashMap<>();

    @Override
    public Server select(List<Server> usable, RequestKey key) {
        long mask = 0;
        for (Server server : usable) {
            mask |= 1L << server.index();
        }
        Server[] cycle = cycles.computeIfAbsent(mask, m -> cycle(usable));
        return cycle[(int) Math.floorMod(turn.getAndIncrement(), (long) cycle.length)];
    }

    /** One full cycle of smooth weighted round robin over {@code servers}: sum-of-weights turns. */
    static Server[] cycle(List<Server> servers) {
        int total = 0;
        for (Server server : servers) {
            total += server.weight();
        }
        int[] scores = new int[servers.size()];
        List<Server> turns = new ArrayList<>(total);
        for (int pick = 0; pick < total; pick++) {
            int best = -1;
            for (int i = 0; i < servers.size(); i++) {
                scores[i] += servers.get(i).weight();
                if (best < 0 || scores[i] > scores[best]) {
                    best = i;
                }
            }
            scores[best] -= total;
            turns.add(servers.get(best));
        }
        return turns.toArray(Server[]::new);
    }
}
