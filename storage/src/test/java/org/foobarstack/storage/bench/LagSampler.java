package org.foobarstack.storage.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.replication.LogPosition;
import org.foobarstack.storage.replication.ReplicationStatus;

/**
 * Samples a replica's lag at a fixed period, two ways, each into its own histograms:
 * <ul>
 *   <li><b>reported</b>: what the replica says of itself, {@link ReplicationStatus#lag()} and
 *       {@link ReplicationStatus#lagTransactions()}, the figures {@code ctl status} and {@code /metrics} show. The
 *       replica measures them against the primary's head as it last read it, so a change the primary wrote after
 *       that read is not in them yet;</li>
 *   <li><b>observed</b>: the same sample checked against the primary itself. Right after reading the replica's
 *       applied position, the sampler reads the primary's head ({@code REPL.HEAD}) and, when the replica is behind,
 *       when the oldest change it lacks was written ({@code WRITTEN_AT} in the primary's log). Lag is then the
 *       sample's time minus that, and the lag in transactions the primary's head minus the replica's.</li>
 * </ul>
 * The primary is read over the network as the replication account, as a replica reads it. Reading its head waits
 * while a writer holds the head row (until that writer's commit), so a sample is taken a commit or so late; the
 * observed lag counts from the sample's start, so that wait does not add to it.
 */
final class LagSampler implements AutoCloseable {

    static final Duration PERIOD = Duration.ofMillis(50);

    private final StorageServer replica;
    private final Connection primary;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lag sampler");
        t.setDaemon(true);
        return t;
    });

    // written by the sampler's thread only; read after close(), which waits for it
    private final Histogram reportedMillis = new Histogram(3);
    private final Histogram reportedTransactions = new Histogram(3);
    private final Histogram observedMillis = new Histogram(3);
    private final Histogram observedTransactions = new Histogram(3);
    /** The highest observed lag in each second since {@link #start()}: when in the run the tail happened. */
    private final List<Long> observedMaxPerSecond = new ArrayList<>();
    private long startedAt;
    private long failedSamples;
    private String firstFailure;

    /**
     * @param primary a client-driver connection to the primary as the replication account; left open
     */
    LagSampler(StorageServer replica, Connection primary) {
        this.replica = replica;
        this.primary = primary;
    }

    void start() {
        startedAt = System.nanoTime();
        timer.scheduleAtFixedRate(this::sampleOrCount, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sampling and waits for a sample in progress, so the histograms can be read. */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the lag sampler did not stop within 30 s");
        }
    }

    /** A failed sample is counted and reported, never thrown: a throwing task would end the schedule silently. */
    private void sampleOrCount() {
        try {
            sample();
        } catch (SQLException | RuntimeException e) {
            failedSamples++;
            if (firstFailure == null) {
                firstFailure = e.toString();
            }
        }
    }

    private void sample() throws SQLException {
        ReplicationStatus status = replica.replicationStatus();
        Instant at = Instant.now();
        reportedMillis.recordValue(status.lag().toMillis());
        reportedTransactions.recordValue(status.lagTransactions());

        LogPosition applied = status.applied();
        LogPosition head = primaryHead();
        observedTransactions.recordValue(Math.max(0, head.txn() - applied.txn()));
        long lagMillis = 0;
        if (head.seq() > applied.seq()) {
            Instant oldestUnapplied = writtenAt(applied.seq() + 1);
            // written after the sample started (the head read waited for its commit): not late at that moment
            lagMillis = Math.max(0, Duration.between(oldestUnapplied, at).toMillis());
        }
        observedMillis.recordValue(lagMillis);
        int second = (int) Duration.ofNanos(System.nanoTime() - startedAt).toSeconds();
        while (observedMaxPerSecond.size() <= second) {
            observedMaxPerSecond.add(0L);
        }
        observedMaxPerSecond.set(second, Math.max(observedMaxPerSecond.get(second), lagMillis));
    }

    private LogPosition primaryHead() throws SQLException {
        try (PreparedStatement ps = primary.prepareStatement("SELECT LAST_SEQ, LAST_TXN FROM REPL.HEAD WHERE ID = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new LogPosition(rs.getLong(1), rs.getLong(2), null);
        }
    }

    private Instant writtenAt(long seq) throws SQLException {
        try (PreparedStatement ps = primary.prepareStatement("SELECT WRITTEN_AT FROM REPL.MESSAGES_LOG WHERE SEQ = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the primary's head is past seq " + seq + " but its log has no "
                            + "such change");
                }
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    Histogram reportedMillis() {
        return reportedMillis;
    }

    Histogram reportedTransactions() {
        return reportedTransactions;
    }

    Histogram observedMillis() {
        return observedMillis;
    }

    Histogram observedTransactions() {
        return observedTransactions;
    }

    List<Long> observedMaxPerSecond() {
        return List.copyOf(observedMaxPerSecond);
    }

    long failedSamples() {
        return failedSamples;
    }

    String firstFailure() {
        return firstFailure;
    }
}
