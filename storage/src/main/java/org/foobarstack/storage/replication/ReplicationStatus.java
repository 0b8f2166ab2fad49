package org.foobarstack.storage.replication;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a database stands in replication, as {@code ctl status}, the dashboard and {@code /metrics} show it. The
 * same idea as MySQL's {@code SHOW REPLICA STATUS}: the applied position, the source's, and the distance between.
 *
 * @param role         the database's role now
 * @param state        what its replication client is doing (NOT_REPLICA for a primary or standalone database)
 * @param source       the primary a replica follows, as its URL; null otherwise
 * @param applied      the last change this database logged (primary) or applied (replica)
 * @param sourceHead   the primary's head when the replica last asked; null when it never reached the primary
 * @param lagTransactions how many of the primary's transactions are not applied here yet
 * @param lag          how long the oldest change not applied here has been waiting; zero when caught up
 * @param appliedTotal changes this server applied since it started
 * @param lastError    the last failure of the replication client (connecting, reading, applying); null if none
 */
public record ReplicationStatus(DatabaseRole role, State state, String source, LogPosition applied,
                                LogPosition sourceHead, long lagTransactions, Duration lag, long appliedTotal,
                                String lastError) {

    /** The replication client's state, named as MySQL's replica threads report theirs where they match. */
    public enum State {
        /** Not a replica: nothing to follow. */
        NOT_REPLICA,
        /** Opening the connection to the primary (or waiting to try again after a failure). */
        CONNECTING,
        /** Connected, applying what the primary has, or waiting for more. */
        STREAMING,
        /** Still asking the primary for its head (so lag is measured), but applying nothing: {@code ctl pause}. */
        PAUSED,
        /** Applying a change failed (the replica no longer matches its primary); stopped until re-attached. */
        FAILED,
        /** Stopped: the server is stopping, or the replica was promoted. */
        STOPPED
    }

    /** Seconds, with milliseconds, as metrics report lag. */
    public double lagSeconds() {
        return lag.toMillis() / 1000.0;
    }

    /** For a database that follows no one. */
    public static ReplicationStatus notReplica(DatabaseRole role, LogPosition head) {
        return new ReplicationStatus(role, State.NOT_REPLICA, null, head, null, 0, Duration.ZERO, 0, null);
    }

    /** When the primary's head was seen; for status pages. */
    public Instant sourceWrittenAt() {
        return sourceHead == null ? null : sourceHead.writtenAt();
    }
}
