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
 *
 * <p>A set is remembered as a bit mask of the servers' slots ({@link Server#index()}). Servers can be added and
 * removed while the balancer runs, and a slot freed by a removed server is given to the next one added, so the
 * same mask can come to mean other servers: a kept cycle therefore remembers the servers it was made for, and is
 * made again when they are not the ones asking. A request chooses among the servers of one snapshot of the
 * backend, so whatever the timing, the turn it takes is one of its own candidates.
 */
final class RoundRobin implements Selector {

    /** One cycle of turns and the usable servers it was worked out for, in their order. */
    private record Cycle(Server[] madeFor, Server[] turns) {

        boolean isFor(List<Server> usable) {
            if (madeFor.length != usable.size()) {
                return false;
            }
            for (int i = 0; i < madeFor.length; i++) {
                if (madeFor[i] != usable.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final AtomicLong turn = new AtomicLong();
    /** The cycle of turns for each set of usable servers, the set as a bit mask of their slots. */
    private final ConcurrentHashMap<Long, Cycle> cycles = new ConcurrentHashMap<>();

    @Override
    public Server select(List<Server> usable, RequestKey key) {
        long mask = 0;
        for (Server server : usable) {
            mask |= 1L << server.index();
        }
        Cycle cycle = cycles.computeIfAbsent(mask, m -> newCycle(usable));
        if (!cycle.isFor(usable)) {
            // a slot now held by a server added since: the cycle for this mask is made anew
            cycle = newCycle(usable);
            cycles.put(mask, cycle);
        }
        Server[] turns = cycle.turns();
        return turns[(int) Math.floorMod(turn.getAndIncrement(), (long) turns.length)];
    }

    private static Cycle newCycle(List<Server> usable) {
        return new Cycle(usable.toArray(Server[]::new), cycle(usable));
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
