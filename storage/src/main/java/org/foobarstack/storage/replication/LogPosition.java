package org.foobarstack.storage.replication;

import java.time.Instant;

/**
 * A place in the change log: the sequence number of the last change, the number of the transaction it belongs to,
 * and when that change was written. Positions are the same numbers on the primary and on its replicas (a replica
 * copies the log rows it applies), like a binary-log file and offset, or a GTID set, in MySQL.
 *
 * @param seq       the last change's sequence number; 0 for an empty log
 * @param txn       the number of its transaction (one per committed transaction that wrote); 0 for an empty log
 * @param writtenAt when it was written on the primary; null for an empty log
 */
public record LogPosition(long seq, long txn, Instant writtenAt) {

    public static final LogPosition START = new LogPosition(0, 0, null);

    @Override
    public String toString() {
        return "seq " + seq + " (transaction " + txn + ")";
    }
}
