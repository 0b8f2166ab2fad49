package org.foobarstack.lb.balance;

import org.foobarstack.lb.backend.Server;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code balance roundrobin}: each server in turn, in proportion to its weight.
 *
 * <p>Smooth weighted round robin: every pick, each usable server's running score grows by its weight; the
 * server with the highest score is chosen, and its score drops by the sum of all weights. With weights 3 and 1
 * (servers a and b) the scores go:
 * <pre>
 *   pick   a: +3   b: +1   chosen   then a    b
 *    1      3       1        a        -1    1
 *    2      2       2        a        -2    2      (ties go to the first in configuration order)
 *    3      1       3        b         1   -1
 *    4      4       0        a         0    0      back to the start: a a b a, then again
 * </pre>
 * Over any run of (sum of weights) picks each server is chosen exactly its weight times, spread out rather than
 * in a burst ({@code a a a b}), which is what HAProxy's weighted round robin also aims for. A server that stops
 * being usable drops out of the scores; one that comes back starts from zero.
 */
final class RoundRobin implements Selector {

    private final Map<Server, Integer> scores = new IdentityHashMap<>();

    @Override
    public Server select(List<Server> usable, RequestKey key) {
        int totalWeight = 0;
        Server best = null;
        int bestScore = Integer.MIN_VALUE;
        for (Server server : usable) {
            int score = scores.getOrDefault(server, 0) + server.weight();
            scores.put(server, score);
            totalWeight += server.weight();
            if (score > bestScore) {
                best = server;
                bestScore = score;
            }
        }
        scores.put(best, bestScore - totalWeight);
        // servers that are no longer usable must not keep a score from before
        scores.keySet().retainAll(usable);
        return best;
    }
}
