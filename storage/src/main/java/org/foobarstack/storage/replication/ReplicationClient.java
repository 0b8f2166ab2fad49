package org.foobarstack.storage.replication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.derby.client.BasicClientDataSource;
import org.foobarstack.storage.replication.ReplicationStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's replication client: reads its primary's change log over the network and applies it here, in order,
 * one local transaction per batch, the new position written in that same transaction. MySQL splits this work
 * between an I/O thread and an SQL thread; here one thread does both, which is simpler to read and, at the
 * guestbook's rates, as fast.
 *
 * <p>The loop, on its own thread:
 * <ol>
 *   <li>connect to the primary through Derby's client driver, as the replication account (from the replica host's
 *       address, through {@link ReplicationConfig#connectVia()}), and open a local connection as the owner;</li>
 *   <li>read the primary's head ({@code REPL.HEAD}). A transaction that is writing holds that row locked, so the
 *       head read is always the end of a committed transaction: the replica never sees half of one;</li>
 *   <li>if behind and not paused: read the changes after the local position, up to the head or a batch's worth,
 *       never ending inside a transaction; check that they follow each other with no gap;</li>
 *   <li>apply them in one local transaction: each INSERT, UPDATE or DELETE as the primary did it, each log row
 *       copied into the local log, and the local head moved to the last one; commit. A crash before the commit
 *       loses the whole batch and the position with it, so the next start reads it again: no gap, and nothing
 *       applied twice;</li>
 *   <li>caught up (or paused): measure the lag, wait {@link ReplicationConfig#pollInterval()}, go to 2.</li>
 * </ol>
 * A lost connection (the primary went away) goes back to step 1 after a second, for as long as the server runs.
 * A change that cannot be applied (the row it updates is not there, a key already taken) means the replica no
 * longer matches its primary: the client stops in {@link State#FAILED} with the change named, as MySQL's SQL thread
 * stops with its {@code Last_SQL_Error}.
 */
public final class ReplicationClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationClient.class);
    private static final Pattern CLIENT_URL = Pattern.compile("jdbc:derby://([^:/]+|\\[[^]]+])(?::(\\d+))?/([^;]+)(?:;.*)?");
    /** How long to wait before connecting again after a failure. */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    private static final int LOGIN_TIMEOUT_SECONDS = 5;
    private static final int QUERY_TIMEOUT_SECONDS = 30;

    /** Where the local database is: an owner connection to it, opened when the client connects. */
    @FunctionalInterface
    public interface LocalDatabase {
        Connection ownerConnection() throws SQLException;
    }

    private final String name;
    private final ReplicationConfig config;
    private final String replUser;
    private final String replPassword;
    private final LocalDatabase local;
    private final List<LoggedTable> tables;
    private final Object monitor = new Object();

    // guarded by monitor
    private State state = State.CONNECTING;
    private boolean paused;
    private boolean stopping;
    private boolean applying;
    private LogPosition applied;
    private LogPosition sourceHead;
    private Instant oldestUnappliedAt;
    private long appliedTotal;
    private String lastError;
    private Thread thread;

    /**
     * @param name     for the thread's name and the log ("db on server-2")
     * @param start    the local head: where applying resumes
     * @param tables   the tables whose logs are read (the local ones: the replica runs the same migrations)
     */
    public ReplicationClient(String name, ReplicationConfig config, String replUser, String replPassword,
                             LocalDatabase local, List<LoggedTable> tables, LogPosition start) {
        this.name = name;
        this.config = Objects.requireNonNull(config, "config");
        this.replUser = replUser;
        this.replPassword = replPassword;
        this.local = local;
        this.tables = List.copyOf(tables);
        this.applied = start;
    }

    /** Starts the client's thread; returns at once. */
    public void start() {
        synchronized (monitor) {
            if (thread != null) {
                throw new IllegalStateException("already started");
            }
            thread = new Thread(this::run, "replication " + name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Stops applying, after the batch in progress if there is one (on return, nothing more is applied until
     * {@link #resume()}). The client goes on reading the primary's head, so the lag keeps being measured.
     */
    public void pause() {
        synchronized (monitor) {
            paused = true;
            while (applying) {
                awaitQuietly();
            }
            if (state == State.STREAMING) {
                state = State.PAUSED;
            }
            monitor.notifyAll();
        }
        LOG.info("replication {}: paused at {}", name, applied());
    }

    /** Applies again from where it stopped. A client that FAILED stays failed: its replica must be re-attached. */
    public void resume() {
        synchronized (monitor) {
            paused = false;
            if (state == State.PAUSED) {
                state = State.STREAMING;
            }
            monitor.notifyAll();
        }
        LOG.info("replication {}: resumed", name);
    }

    /** Stops the thread, waiting for the batch in progress to commit or roll back. Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (monitor) {
            stopping = true;
            monitor.notifyAll();
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(Duration.ofSeconds(QUERY_TIMEOUT_SECONDS).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (monitor) {
            if (state != State.FAILED) {
                state = State.STOPPED;
            }
        }
    }

    /** Tells the thread to stop without waiting for it: for a kill, where the database goes away under it. */
    public void abandon() {
        synchronized (monitor) {
            stopping = true;
            if (state != State.FAILED) {
                state = State.STOPPED;
            }
            monitor.notifyAll();
        }
    }

    public boolean paused() {
        synchronized (monitor) {
            return paused;
        }
    }

    public LogPosition applied() {
        synchronized (monitor) {
            return applied;
        }
    }

    /** A snapshot of where replication stands, for status pages and metrics. */
    public ReplicationStatus status() {
        synchronized (monitor) {
            long lagTxns = sourceHead == null ? 0 : Math.max(0, sourceHead.txn() - applied.txn());
            Duration lag = oldestUnappliedAt == null || sourceHead == null || applied.seq() >= sourceHead.seq()
                    ? Duration.ZERO
                    : Duration.between(oldestUnappliedAt, Instant.now());
            return new ReplicationStatus(DatabaseRole.REPLICA, state, config.sourceUrl(), applied, sourceHead,
                    lagTxns, lag.isNegative() ? Duration.ZERO : lag, appliedTotal, lastError);
        }
    }

    // ------------------------------------------------------------------------------------------------ the loop

    private void run() {
        while (!stopping()) {
            try (Connection source = connectToSource(); Connection target = local.ownerConnection()) {
                target.setAutoCommit(false);
                synchronized (monitor) {
                    state = paused ? State.PAUSED : State.STREAMING;
                    lastError = null;
                }
                LOG.info("replication {}: connected to {}, applying from {}", name, config.sourceUrl(), applied());
                stream(source, target);
            } catch (ApplyFailure e) {
                synchronized (monitor) {
                    state = State.FAILED;
                    lastError = e.getMessage();
                }
                LOG.error("replication {}: stopped: {}", name, e.getMessage());
                return;
            } catch (SQLException | RuntimeException e) {
                if (stopping()) {
                    return;
                }
                synchronized (monitor) {
                    boolean first = state != State.CONNECTING || lastError == null;
                    state = State.CONNECTING;
                    lastError = e.getMessage();
                    if (first) {
                        LOG.warn("replication {}: {} ({}); trying again every {} s", name, e.getMessage(),
                                e instanceof SQLException sql ? "SQLState " + sql.getSQLState() : e.getClass().getSimpleName(),
                                RETRY_INTERVAL.toSeconds());
                    }
                }
                waitFor(RETRY_INTERVAL);
            }
        }
    }

    /** Steps 2 to 5, until stopped or a connection fails. */
    private void stream(Connection source, Connection target) throws SQLException {
        while (!stopping()) {
            LogPosition head = readHead(source);
            LogPosition at = applied();
            if (at.seq() > head.seq()) {
                throw new ApplyFailure("this replica is at " + at + " but its primary's log ends at " + head
                        + ": it does not follow this primary (re-attach it from a fresh copy)");
            }
            boolean behind = at.seq() < head.seq();
            synchronized (monitor) {
                sourceHead = head;
                if (!behind) {
                    oldestUnappliedAt = null;
                }
            }
            if (behind && !paused()) {
                List<Change> batch = readBatch(source, at.seq(), head.seq());
                synchronized (monitor) {
                    oldestUnappliedAt = batch.get(0).writtenAt().toInstant();
                    if (paused || stopping) {
                        continue;
                    }
                    applying = true;
                }
                try {
                    apply(target, batch);
                } finally {
                    synchronized (monitor) {
                        applying = false;
                        monitor.notifyAll();
                    }
                }
                continue;
            }
            if (behind) {
                Instant oldest = writtenAt(source, at.seq() + 1);
                synchronized (monitor) {
                    oldestUnappliedAt = oldest;
                }
            }
            waitFor(config.pollInterval());
        }
    }

    private Connection connectToSource() throws SQLException {
        Matcher m = CLIENT_URL.matcher(config.sourceUrl());
        if (!m.matches()) {
            throw new ApplyFailure("not a Derby client URL: " + config.sourceUrl());
        }
        BasicClientDataSource ds = new BasicClientDataSource();
        if (config.connectVia() != null) {
            ds.setServerName(config.connectVia().getAddress().getHostAddress());
            ds.setPortNumber(config.connectVia().getPort());
        } else {
            ds.setServerName(m.group(1));
            ds.setPortNumber(m.group(2) == null ? 1527 : Integer.parseInt(m.group(2)));
        }
        ds.setDatabaseName(m.group(3));
        ds.setUser(replUser);
        ds.setPassword(replPassword);
        ds.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
        Connection c = ds.getConnection();
        c.setAutoCommit(true);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        return c;
    }

    /** Step 2. */
    private static LogPosition readHead(Connection source) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT LAST_SEQ, LAST_TXN, LAST_WRITTEN_AT FROM " + ChangeLog.HEAD + " WHERE ID = 1")) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ApplyFailure("the primary has no change log head (" + ChangeLog.HEAD + " is empty)");
                }
                Timestamp at = rs.getTimestamp(3);
                return new LogPosition(rs.getLong(1), rs.getLong(2), at == null ? null : at.toInstant());
            }
        }
    }

    /** Step 3: the changes in (after, head], at most a batch, ending at the end of a transaction. */
    private List<Change> readBatch(Connection source, long after, long head) throws SQLException {
        long upTo = Math.min(head, after + config.batchSize());
        List<Change> batch = new ArrayList<>();
        for (LoggedTable table : tables) {
            readInto(batch, source, table, table.selectRange(), after, upTo);
        }
        batch.sort(Comparator.comparingLong(Change::seq));
        if (upTo < head && !batch.isEmpty()) {
            // the batch may end inside a transaction: read the rest of it, so that it is applied whole
            long txn = batch.get(batch.size() - 1).txn();
            for (LoggedTable table : tables) {
                readInto(batch, source, table, table.selectTransactionAfter(), txn, upTo);
            }
            batch.sort(Comparator.comparingLong(Change::seq));
        }
        long expected = after + 1;
        for (Change change : batch) {
            if (change.seq() != expected) {
                throw new ApplyFailure("the primary's log has no change " + expected + " in the logs of "
                        + tables.stream().map(LoggedTable::logTable).toList() + " (next is " + change.seq()
                        + "): it was purged, or it is in a table this replica does not know; re-attach it from a "
                        + "fresh copy");
            }
            expected++;
        }
        if (batch.isEmpty()) {
            throw new ApplyFailure("the primary's head is at " + head + " but its logs have no change after " + after);
        }
        return batch;
    }

    /** Runs one of a table's log queries, whose two parameters are {@code first} and {@code second}. */
    private static void readInto(List<Change> batch, Connection source, LoggedTable table, String sql, long first,
                                 long second) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(sql)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setLong(1, first);
            ps.setLong(2, second);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    batch.add(Change.read(table, rs));
                }
            }
        }
    }

    /** Step 4: one local transaction. */
    private void apply(Connection target, List<Change> batch) throws SQLException {
        Change last = batch.get(batch.size() - 1);
        try {
            for (Change change : batch) {
                applyOne(target, change);
            }
            try (PreparedStatement ps = target.prepareStatement("UPDATE " + ChangeLog.HEAD
                    + " SET LAST_SEQ = ?, LAST_TXN = ?, LAST_XID = NULL, LAST_WRITTEN_AT = ? WHERE ID = 1")) {
                ps.setLong(1, last.seq());
                ps.setLong(2, last.txn());
                ps.setTimestamp(3, last.writtenAt());
                ps.executeUpdate();
            }
            target.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(target);
            throw e;
        }
        synchronized (monitor) {
            applied = new LogPosition(last.seq(), last.txn(), last.writtenAt().toInstant());
            appliedTotal += batch.size();
        }
    }

    private void applyOne(Connection target, Change change) throws SQLException {
        LoggedTable table = change.table();
        int columns = table.columns().size();
        String sql = switch (change.op()) {
            case 'I' -> table.applyInsert();
            case 'U' -> table.applyUpdate();
            case 'D' -> table.applyDelete();
            default -> throw new ApplyFailure(change.describe() + ": unknown operation " + change.op());
        };
        int rows;
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            if (change.op() == 'D') {
                ps.setLong(1, change.oldKey());
            } else {
                for (int i = 0; i < columns; i++) {
                    ps.setObject(i + 1, change.values().get(i));
                }
                if (change.op() == 'U') {
                    ps.setLong(columns + 1, change.oldKey());
                }
            }
            rows = ps.executeUpdate();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                throw new ApplyFailure(change.describe() + " could not be applied: " + e.getMessage()
                        + " (SQLState " + e.getSQLState() + "): the replica no longer matches its primary");
            }
            throw e;
        }
        if (rows != 1) {
            throw new ApplyFailure(change.describe() + " changed " + rows + " rows here instead of 1: the replica "
                    + "no longer matches its primary");
        }
        try (PreparedStatement ps = target.prepareStatement(table.insertLogRow())) {
            ps.setLong(1, change.seq());
            ps.setLong(2, change.txn());
            ps.setString(3, String.valueOf(change.op()));
            ps.setTimestamp(4, change.writtenAt());
            if (change.oldKey() == null) {
                ps.setNull(5, java.sql.Types.BIGINT);
            } else {
                ps.setLong(5, change.oldKey());
            }
            for (int i = 0; i < columns; i++) {
                ps.setObject(LoggedTable.LOG_COLUMNS.size() + 1 + i, change.values().get(i));
            }
            ps.executeUpdate();
        }
    }

    /** When the change {@code seq} was written on the primary (for the lag of a paused replica). */
    private Instant writtenAt(Connection source, long seq) throws SQLException {
        for (LoggedTable table : tables) {
            try (PreparedStatement ps = source.prepareStatement(table.selectWrittenAt())) {
                ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getTimestamp(1).toInstant();
                    }
                }
            }
        }
        return null;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; so is the transaction
        }
    }

    private boolean stopping() {
        synchronized (monitor) {
            return stopping;
        }
    }

    private void waitFor(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (monitor) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    monitor.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (!paused && state == State.STREAMING && sourceHead != null && applied.seq() < sourceHead.seq()) {
                    return; // resumed while behind: apply now
                }
            }
        }
    }

    private void awaitQuietly() {
        try {
            monitor.wait(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A change that cannot be applied: the replica stops. */
    static final class ApplyFailure extends RuntimeException {
        ApplyFailure(String message) {
            super(message);
        }
    }
}
