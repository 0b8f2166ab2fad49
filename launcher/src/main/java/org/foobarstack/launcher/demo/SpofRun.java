package org.foobarstack.launcher.demo;

import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.loadgen.TimelineBucket;

import java.util.List;
import java.util.OptionalLong;

/**
 * One design's run of {@code demo spof}: what was killed and when, what the balancers noticed, and the load
 * generator's account of every request.
 *
 * @param design          "simple" or "distributed"
 * @param description     the design in one line
 * @param killedHost      the host that was killed
 * @param killedTiers     the tiers that went with it
 * @param killedAtMillis  when it was killed, in milliseconds since the load began
 * @param restartAtMillis when it was asked to start again
 * @param upAgainMillis   when it was up again
 * @param events          kills, starts, and every UP and DOWN a balancer saw, in order
 * @param load            the load generator's report
 * @param balanced        whether the design has a load balancer
 * @param holdsDatabase   whether the killed host held the database the app servers use
 */
public record SpofRun(String design, String description, String killedHost, List<String> killedTiers,
                      long killedAtMillis, long restartAtMillis, long upAgainMillis, List<Event> events,
                      LoadReport load, boolean balanced, boolean holdsDatabase) {

    /**
     * Something that happened during the run.
     *
     * @param atMillis milliseconds since the load began
     * @param what     in words
     * @param down     a balancer took a server out
     */
    public record Event(long atMillis, String what, boolean down) {
    }

    /** The words of an event in which a balancer of a pair took the virtual address (entered VRRP MASTER). */
    public static final String TOOK_THE_ADDRESS = "took the virtual address";

    /** How long after the kill another balancer took the pair's virtual address over, or empty (no pair). */
    public OptionalLong takeoverAfterMillis() {
        return events.stream().filter(e -> e.what().contains(TOOK_THE_ADDRESS) && e.atMillis() >= killedAtMillis
                        && !e.what().startsWith(killedTiers.isEmpty() ? "\0" : killedTiers.get(0) + ":"))
                .mapToLong(e -> e.atMillis() - killedAtMillis).findFirst();
    }

    /** Whether the killed host was a balancer (one of a pair, when {@link #takeoverAfterMillis()} is present). */
    public boolean killedABalancer() {
        return killedTiers.stream().anyMatch(t -> t.startsWith("lb-"));
    }

    /** Requests that failed (no answer) or were answered 5xx: what a user saw as "the site is broken". */
    public long failed() {
        return load.failedTotal() + load.answeredBetween(500, 599);
    }

    public long sent() {
        return load.sent();
    }

    /** How long after the kill the first balancer took the killed server out, or empty. */
    public OptionalLong noticedAfterMillis() {
        return events.stream().filter(e -> e.down() && e.atMillis() >= killedAtMillis - 100)
                .mapToLong(e -> Math.max(0, e.atMillis() - killedAtMillis)).findFirst();
    }

    /**
     * Failed requests that the kill cannot explain: none, when the design was healthy. A request counts when it was
     * sent in a slice that ended before the kill by more than the slice's slowest answer, so that it was over
     * before the kill; one sent just before, still waiting for its answer when the host died, failed because of
     * the kill and does not count here (it counts in {@link #failed()}).
     */
    public long failedBeforeKill() {
        long failed = 0;
        for (TimelineBucket bucket : load.timeline().buckets()) {
            double lastAnswerBy = bucket.startMillis() + bucket.lengthMillis() + bucket.maxLatencyMillis();
            if (lastAnswerBy <= killedAtMillis) {
                failed += bucket.failedTotal() + bucket.serverErrors();
            }
        }
        return failed;
    }
}
