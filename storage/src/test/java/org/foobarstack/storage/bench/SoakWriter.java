package org.foobarstack.storage.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.HdrHistogram.Histogram;
import org.foobarstack.storage.StorageServer;

/**
 * One writer of the soak: its own connection to the primary as the app user, through the client driver, inserting
 * one message per autocommit transaction, as the guestbook posts them. A write counts as acknowledged when its
 * {@code executeUpdate} returned, that is when Derby's commit (log synced) returned. Each insert's time, from the
 * call to its return, goes into a histogram: on a primary that is the insert, its two triggers, the wait for the
 * change log's head row (one writer at a time holds it, to its commit) and the commit.
 */
final class SoakWriter implements AutoCloseable {

    /** An ordinary guestbook message, long enough that a row is not trivially small. */
    private static final String BODY = "a guestbook message of ordinary length, written by the replication soak, number ";

    private final int number;
    private final Connection connection;
    private final PreparedStatement insert;

    /** What the writers did: summed with {@link #plus}. */
    record Result(long acknowledged, long errors, String firstError, Histogram latencyMicros) {

        static final Result EMPTY = new Result(0, 0, null, new Histogram(3));

        Result plus(Result other) {
            Histogram sum = new Histogram(3);
            sum.add(latencyMicros);
            sum.add(other.latencyMicros);
            return new Result(acknowledged + other.acknowledged, errors + other.errors,
                    firstError != null ? firstError : other.firstError, sum);
        }
    }

    private SoakWriter(int number, Connection connection) throws SQLException {
        this.number = number;
        this.connection = connection;
        this.insert = connection.prepareStatement("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)");
    }

    static SoakWriter connect(StorageServer primary, int number) throws SQLException {
        Connection c = ReplicationSoak.appConnection(primary);
        c.setAutoCommit(true);
        return new SoakWriter(number, c);
    }

    /** Inserts until {@code deadline} ({@link System#nanoTime()}); a failed insert is counted, and the next one tried. */
    Result writeUntil(long deadline) {
        Histogram latency = new Histogram(3);
        long acknowledged = 0;
        long errors = 0;
        String firstError = null;
        while (System.nanoTime() < deadline) {
            long started = System.nanoTime();
            try {
                insert.setString(1, "soak-" + number);
                insert.setString(2, BODY + (acknowledged + 1));
                if (insert.executeUpdate() != 1) {
                    throw new SQLException("an insert reported no row inserted");
                }
                latency.recordValue((System.nanoTime() - started) / 1_000);
                acknowledged++;
            } catch (SQLException e) {
                errors++;
                if (firstError == null) {
                    firstError = "writer " + number + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + ")";
                }
            }
        }
        return new Result(acknowledged, errors, firstError, latency);
    }

    /** The rows of MESSAGES now, as the app user sees them. */
    static long countMessages(StorageServer server) throws SQLException {
        try (Connection c = ReplicationSoak.appConnection(server); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM MESSAGES")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws SQLException {
        try (connection) {
            insert.close();
        }
    }
}
