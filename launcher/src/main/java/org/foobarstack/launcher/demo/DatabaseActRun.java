package org.foobarstack.launcher.demo;

import org.foobarstack.loadgen.LoadReport;

import java.util.List;
import java.util.OptionalLong;

/**
 * What the database act measured: the reads (the load generator's report), every write and its answer, when the
 * primary was killed and the replica promoted, how far behind the replica was at the kill, and which acknowledged
 * writes the new primary does not have.
 *
 * @param reads        the constant read load's report
 * @param writes       every write, in order
 * @param killedAtMillis when server-1 (the primary) was killed
 * @param promotedAtMillis when server-2's promotion returned
 * @param promotion    what the promotion said
 * @param lagAtKill    the replica's lag just before the kill: "2 txn, 38 ms"
 * @param lostIds      ids of writes that got a 201 but are not on the new primary
 */
public record DatabaseActRun(LoadReport reads, List<Writes.Write> writes, long killedAtMillis,
                             long promotedAtMillis, String promotion, String lagAtKill, List<Long> lostIds) {

    public long writesSent() {
        return writes.size();
    }

    public long acknowledged() {
        return writes.stream().filter(Writes.Write::acknowledged).count();
    }

    /** Writes answered 503: the app's "the database is unavailable" while there was no primary. */
    public long refused() {
        return writes.stream().filter(w -> w.status() == 503).count();
    }

    /**
     * Writes answered with another error: the 502 of the balancer for a POST that was in flight on the killed
     * server (a POST is never sent again: it may have been carried out).
     */
    public long failedInFlight() {
        return writes.stream().filter(w -> w.status() != 0 && w.status() != 503 && !w.acknowledged()).count();
    }

    public long unanswered() {
        return writes.stream().filter(w -> w.status() == 0).count();
    }

    /** The first write after the kill that was not acknowledged. */
    public OptionalLong firstFailedWriteMillis() {
        return writes.stream().filter(w -> w.atMillis() >= killedAtMillis && !w.acknowledged())
                .mapToLong(Writes.Write::atMillis).min();
    }

    /** The first write after the promotion that was acknowledged: writes are back. */
    public OptionalLong writesBackMillis() {
        return writes.stream().filter(w -> w.atMillis() >= promotedAtMillis && w.acknowledged())
                .mapToLong(Writes.Write::atMillis).min();
    }

    /** Writes sent between the kill and the promotion. */
    public long sentWithoutPrimary() {
        return writes.stream().filter(w -> w.atMillis() >= killedAtMillis && w.atMillis() < promotedAtMillis).count();
    }
}
