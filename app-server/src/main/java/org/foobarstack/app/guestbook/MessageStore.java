package org.foobarstack.app.guestbook;

import org.foobarstack.app.AppMetrics;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of the guestbook, one method per statement. Every statement gets the configured query timeout, and
 * every connection goes back to the pool when the method returns.
 *
 * <p>Each statement run is:
 * <ol>
 *   <li>prepared once per pooled connection and reused ({@link Database#prepared}), unless
 *       {@code sqlTraceComments} is on: then its text starts with the request's trace id,
 *       {@code /* traceparent=00-... *}{@code /}, and is prepared anew (a new text each time; see the README);</li>
 *   <li>timed from execute to the last row read, into {@code foobar_app_db_statement_duration_seconds};</li>
 *   <li>recorded, when tracing is on, as one SQL hop under the request's trace id: the text, the parameters, the
 *       row count, the duration.</li>
 * </ol>
 */
public final class MessageStore {

    /**
     * CREATED_AT travels as its fields, computed by Derby from the stored value (see {@link TimestampText} for why
     * not as a TIMESTAMP or its text): columns 4 to 9.
     */
    private static final String COLUMNS = "ID, AUTHOR, BODY, YEAR(CREATED_AT), MONTH(CREATED_AT), DAY(CREATED_AT), "
            + "HOUR(CREATED_AT), MINUTE(CREATED_AT), SECOND(CREATED_AT)";
    /**
     * Read the newest rows from the descending index MESSAGES_ID_DESC (storage migration V3). Derby's optimizer
     * does not take FETCH FIRST into account, so left alone it scans the whole table and sorts it to return 21
     * rows; the {@code --DERBY-PROPERTIES} comment (which must end its line) names the index, and Derby then reads
     * exactly the rows of the page, already in order. Other databases read it as a plain comment.
     */
    private static final String FROM_NEWEST = " FROM MESSAGES --DERBY-PROPERTIES index=MESSAGES_ID_DESC\n";
    static final String LIST = "SELECT " + COLUMNS + FROM_NEWEST + "ORDER BY ID DESC FETCH FIRST ? ROWS ONLY";
    static final String LIST_BEFORE = "SELECT " + COLUMNS + FROM_NEWEST + "WHERE ID < ? ORDER BY ID DESC "
            + "FETCH FIRST ? ROWS ONLY";
    static final String FIND = "SELECT " + COLUMNS + " FROM MESSAGES WHERE ID = ?";
    static final String INSERT = "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)";
    static final String NOW = "VALUES CURRENT_TIMESTAMP";
    /** Version 2's count of all messages (Derby counts the entries of the table's smallest index). */
    static final String COUNT = "SELECT COUNT(*) FROM MESSAGES";
    private static final double NANOS_PER_MILLI = 1e6;

    /** The change log's head, which the app user may read: how far a database has logged or applied. */
    static final String POSITION = "SELECT LAST_SEQ FROM REPL.HEAD WHERE ID = 1";

    private final DatabaseCluster cluster;
    private final TraceRecorder recorder;
    private final AppMetrics metrics;
    private final boolean traceComments;
    /** CREATED_AT is the database's local time (CURRENT_TIMESTAMP), read as getTimestamp would: in this JVM's zone. */
    private final TimestampText createdAt = new TimestampText(ZoneId.systemDefault());

    public MessageStore(DatabaseCluster cluster, TraceRecorder recorder, AppMetrics metrics, boolean traceComments) {
        this.cluster = cluster;
        this.recorder = recorder;
        this.metrics = metrics;
        this.traceComments = traceComments;
    }

    /**
     * What a read or a write produced, and which database answered.
     *
     * @param position for a write: the primary's change-log position just after it (0 without replicas), which
     *                 the writer's next reads hand back so that they see it
     */
    public record Served<T>(T value, Database database, long position) {
    }

    /**
     * A page of messages, and the number of all messages when it was asked for.
     *
     * @param total how many messages there are in all; -1 when not counted
     */
    public record Page(List<Message> messages, long total) {
    }

    /**
     * A page of messages, newest first; ids below {@code beforeId} when it is given. With {@code count} (version
     * 2), also the number of all messages, read on the same connection so that both come from the same database.
     */
    public Served<Page> list(TraceContext trace, long afterWrite, int limit, Long beforeId, boolean count)
            throws SQLException {
        return read(trace, afterWrite, (c, db) -> {
            List<Message> page = new ArrayList<>(limit);
            if (beforeId == null) {
                run(c, db, trace, "list", LIST, Statement.NO_GENERATED_KEYS, ps -> readAll(ps, page), limit);
            } else {
                run(c, db, trace, "list_before", LIST_BEFORE, Statement.NO_GENERATED_KEYS, ps -> readAll(ps, page),
                        beforeId, limit);
            }
            long total = !count ? -1 : run(c, db, trace, "count", COUNT, Statement.NO_GENERATED_KEYS, ps -> {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Rows<>(rs.getLong(1), 1);
                }
            });
            return new Page(page, total);
        });
    }

    public Served<Optional<Message>> find(TraceContext trace, long afterWrite, long id) throws SQLException {
        return read(trace, afterWrite, (c, db) -> run(c, db, trace, "find", FIND, Statement.NO_GENERATED_KEYS,
                this::readOne, id));
    }

    /**
     * Stores a message on the primary and returns it as stored (the id and CREATED_AT come from the database), with
     * the primary's log position after it when there are replicas.
     */
    public Served<Message> insert(TraceContext trace, String author, String body) throws SQLException {
        Database primary = cluster.primary();
        try (Connection c = primary.connection()) {
            long id = run(c, primary, trace, "insert", INSERT, Statement.RETURN_GENERATED_KEYS, ps -> {
                int count = ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("INSERT returned no generated key");
                    }
                    return new Rows<>(keys.getLong(1), count);
                }
            }, author, body);
            Message stored = run(c, primary, trace, "find", FIND, Statement.NO_GENERATED_KEYS, this::readOne, id)
                    .orElseThrow(() -> new SQLException("message " + id + " vanished right after INSERT"));
            long position = cluster.replicated() ? position(c, primary, trace) : 0;
            return new Served<>(stored, primary, position);
        } catch (SQLException e) {
            if (Database.isConnectionLost(e) || Database.isReadOnly(e)) {
                cluster.primaryFailed(); // it went away, or it is not the primary any more: ask DNS again
            }
            throw e;
        }
    }

    /** What whoami reports about the database: product and version, and one real round trip. */
    public record DatabaseInfo(String product, String version, String serverTime, long roundTripMicros) {
    }

    public Served<DatabaseInfo> info(TraceContext trace, long afterWrite) throws SQLException {
        return read(trace, afterWrite, (c, db) -> {
            DatabaseMetaData meta = c.getMetaData();
            long start = System.nanoTime();
            String serverTime = run(c, db, trace, "now", NOW, Statement.NO_GENERATED_KEYS, ps -> {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Rows<>(rs.getTimestamp(1).toInstant().toString(), 1);
                }
            });
            long micros = (System.nanoTime() - start) / 1000;
            return new DatabaseInfo(meta.getDatabaseProductName(), meta.getDatabaseProductVersion(), serverTime,
                    micros);
        });
    }

    /** Work on one borrowed connection of one database. */
    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c, Database db) throws SQLException;
    }

    /**
     * A read: on a replica when there is one that answers and has applied {@code afterWrite} (the reader's own
     * last write), else on the primary. A replica that cannot be reached is skipped; when the primary cannot be
     * reached, DNS is asked again at once and a newly named primary is tried; when none answers, a replica that
     * was skipped only for being behind answers after all: an older page is better than none.
     */
    private <T> Served<T> read(TraceContext trace, long afterWrite, Read<T> work) throws SQLException {
        Database behind = null;
        for (Database replica : cluster.replicas()) {
            try (Connection c = replica.connection()) {
                if (afterWrite > 0 && position(c, replica, trace) < afterWrite) {
                    behind = replica;
                    continue;
                }
                return new Served<>(work.run(c, replica), replica, 0);
            } catch (SQLException e) {
                if (!Database.isUnavailable(e)) {
                    throw e;
                }
                cluster.replicaFailed(replica); // the next reads go elsewhere at once
            }
        }
        try {
            Database primary = cluster.primary();
            try {
                return readOn(primary, work);
            } catch (SQLException e) {
                if (!Database.isConnectionLost(e)) {
                    throw e;
                }
                // gone: ask DNS again at once, a failover may have named another primary since the last answer
                cluster.primaryFailed();
                Database now = cluster.primary();
                if (now == primary) {
                    throw e;
                }
                return readOn(now, work);
            }
        } catch (SQLException e) {
            if (Database.isConnectionLost(e)) {
                cluster.primaryFailed();
            }
            if (behind == null || !Database.isUnavailable(e)) {
                throw e;
            }
        }
        try (Connection c = behind.connection()) {
            return new Served<>(work.run(c, behind), behind, 0);
        }
    }

    private static <T> Served<T> readOn(Database db, Read<T> work) throws SQLException {
        try (Connection c = db.connection()) {
            return new Served<>(work.run(c, db), db, 0);
        }
    }

    /** The database's change-log position: the last change it logged (primary) or applied (replica). */
    private long position(Connection c, Database db, TraceContext trace) throws SQLException {
        return run(c, db, trace, "position", POSITION, Statement.NO_GENERATED_KEYS, ps -> {
            try (ResultSet rs = ps.executeQuery()) {
                return new Rows<>(rs.next() ? rs.getLong(1) : 0L, 1);
            }
        });
    }

    /** What a statement produced, and how many rows it read or wrote (for the trace). */
    private record Rows<T>(T value, int count) {
    }

    @FunctionalInterface
    private interface Work<T> {
        Rows<T> run(PreparedStatement ps) throws SQLException;
    }

    /** Prepares (or reuses), binds, runs, times and traces one statement. */
    private <T> T run(Connection c, Database database, TraceContext trace, String name, String sql, int keys,
                      Work<T> work, Object... parameters) throws SQLException {
        String text = traceComments ? "/* traceparent=" + trace.toHeader() + " */ " + sql : sql;
        PreparedStatement ps;
        try {
            ps = traceComments ? c.prepareStatement(text, keys) : database.prepared(c, text, keys);
        } catch (SQLException e) {
            evictIfBroken(c, database, e);
            throw e;
        }
        long start = System.nanoTime();
        Rows<T> rows;
        try {
            if (traceComments) {
                ps.setQueryTimeout(database.statementTimeoutSeconds());
            }
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            rows = work.run(ps);
        } catch (SQLException e) {
            evictIfBroken(c, database, e);
            throw e;
        } finally {
            if (traceComments) {
                ps.close();
            }
        }
        long end = System.nanoTime();
        metrics.statement(name, end - start);
        if (recorder.enabled()) {
            int count = rows.count();
            // the fields are built only if someone reads the hop; parameters are immutable values
            recorder.record(recorder.hop(trace.traceId(), Protocol.SQL, Direction.SENT)
                    .summary(sql.replace('\n', ' ') + " -> " + rows.count() + (rows.count() == 1 ? " row" : " rows"))
                    .peer(database.peer()).timing(start, end)
                    .fields(() -> fields(text, database, trace, parameters, count, end - start)).build());
        }
        return rows.value();
    }

    /** A connection whose statement failed because the database went away must not go back to the pool. */
    private static void evictIfBroken(Connection c, Database database, SQLException e) {
        if (Database.isConnectionLost(e)) {
            database.evict(c);
        }
    }

    private List<Field> fields(String text, Database database, TraceContext trace, Object[] parameters, int rows,
                               long nanos) {
        List<Field> fields = new ArrayList<>(7);
        fields.add(Field.info("Statement", text));
        fields.add(Field.info("Database", database.name() + (cluster.replicated()
                ? " (" + cluster.roleOf(database) + ")" : "") + ", " + database.peer()));
        fields.add(Field.info("Trace id", traceComments
                ? "sent to the database as the comment prefix /* traceparent=" + trace.toHeader() + " */"
                : "not in the SQL text, which stays the same for every request so that Derby reuses its compiled "
                        + "plan (sqlTraceComments off); this request's traceparent is " + trace.toHeader()));
        if (parameters.length > 0) {
            List<Field> values = new ArrayList<>(parameters.length);
            for (int i = 0; i < parameters.length; i++) {
                Object p = parameters[i];
                values.add(Field.info("?" + (i + 1), p == null ? "NULL" : p instanceof String s
                        ? "'" + s + "' (VARCHAR)" : p + " (" + (p instanceof Long ? "BIGINT" : "INTEGER") + ")"));
            }
            fields.add(new Field("Parameters", Field.NO_OFFSET, 0, Integer.toString(parameters.length), values));
        }
        fields.add(Field.info("Rows", Integer.toString(rows)));
        fields.add(Field.info("Duration", String.format("%.3f ms (execute to last row)", nanos / NANOS_PER_MILLI)));
        fields.add(Field.info("Prepared", traceComments ? "now, for this statement only (its text is unique)"
                : "once per pooled connection, reused"));
        return fields;
    }

    private Rows<Void> readAll(PreparedStatement ps, List<Message> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(read(rs));
            }
        }
        return new Rows<>(null, into.size());
    }

    private Rows<Optional<Message>> readOne(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            Optional<Message> message = rs.next() ? Optional.of(read(rs)) : Optional.empty();
            return new Rows<>(message, message.isPresent() ? 1 : 0);
        }
    }

    /** One row; CREATED_AT comes as its fields (see {@link #COLUMNS}) and is put together here. */
    private Message read(ResultSet rs) throws SQLException {
        return new Message(rs.getLong(1), rs.getString(2), rs.getString(3), createdAt.toIsoInstant(rs.getInt(4),
                rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getDouble(9)));
    }
}
