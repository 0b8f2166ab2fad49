package org.foobarstack.storage.replication;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.foobarstack.storage.StorageException;
import org.foobarstack.storage.StorageException.Problem;

/**
 * One application table whose changes are logged, and the SQL that logs and applies them, made from the table's
 * own metadata: {@code FOOBAR_APP.MESSAGES} gets the log table {@code REPL.MESSAGES_LOG}, with the log's own
 * columns first and then a copy of every column of the table.
 *
 * <pre>
 *   REPL.MESSAGES_LOG
 *     SEQ         BIGINT     the change's place in the log (the primary key)
 *     TXN         BIGINT     its transaction: changes with the same TXN are applied together
 *     OP          CHAR(1)    I insert, U update, D delete
 *     WRITTEN_AT  TIMESTAMP  when the primary wrote it (for lag in seconds)
 *     OLD_KEY     BIGINT     for U and D: the key of the row before the change
 *     ID, AUTHOR, BODY, CREATED_AT   the row after the change (I and U); empty for D
 * </pre>
 *
 * <p>The log is written by triggers ({@link #createTriggers()}), in plain SQL that a learner can read with
 * {@code SELECT TRIGGERNAME, TRIGGERDEFINITION FROM SYS.SYSTRIGGERS}.
 *
 * <p>A logged table needs a primary key of one integer column: that is how a replica finds the row an UPDATE or a
 * DELETE changed. The guestbook's tables have one ({@code ID}); a table without is refused with a clear error
 * rather than replicated wrongly.
 */
public record LoggedTable(String schema, String name, String key, List<Column> columns, String identityColumn) {

    /** The log's own columns, ahead of the table's. */
    static final List<String> LOG_COLUMNS = List.of("SEQ", "TXN", "OP", "WRITTEN_AT", "OLD_KEY");

    /** A column of the table: its name and its type as SQL DDL writes it ("VARCHAR(64)"). */
    public record Column(String name, String type) {
    }

    public LoggedTable {
        columns = List.copyOf(columns);
    }

    /** The log table, in schema REPL. */
    public String logTable() {
        return ChangeLog.SCHEMA + "." + name + "_LOG";
    }

    public String qualifiedName() {
        return schema + "." + name;
    }

    String columnList() {
        return columns.stream().map(Column::name).collect(Collectors.joining(", "));
    }

    private String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** {@code CREATE TABLE REPL.<T>_LOG (...)}: every copied column nullable, since a DELETE logs none. */
    String createLogTable() {
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(logTable()).append(" (")
                .append("SEQ BIGINT NOT NULL PRIMARY KEY, TXN BIGINT NOT NULL, OP CHAR(1) NOT NULL, ")
                .append("WRITTEN_AT TIMESTAMP NOT NULL, OLD_KEY BIGINT");
        for (Column c : columns) {
            sql.append(", ").append(c.name()).append(' ').append(c.type());
        }
        return sql.append(')').toString();
    }

    /**
     * The six triggers, two for each of INSERT, UPDATE and DELETE, each fired once per statement, in the
     * statement's transaction, and only on a primary (the NODE check); Derby fires the two of an event in the order
     * they were made:
     * <ol>
     *   <li>{@code <T>_<EVENT>_HEAD}: moves {@code REPL.HEAD} on by as many changes as the statement made, and to
     *       the next transaction number if this transaction has not written before. The update locks the head
     *       row until the transaction ends, so transactions that write take their turn: changes are numbered in
     *       the order their transactions commit, and a replica that reads the log up to the head never skips a
     *       change that commits later with a smaller number (MySQL too writes its binary log one transaction at a
     *       time, at commit);</li>
     *   <li>{@code <T>_<EVENT>_LOG}: copies the changed rows into the log, numbered up to the new head.</li>
     * </ol>
     * An UPDATE's rows are paired by key: a row whose key is in both OLD_TABLE and NEW_TABLE is logged as U; an
     * update that changed a key is logged as the D of the old key and the I of the new one, which leaves a replica
     * with the same rows.
     */
    List<String> createTriggers() {
        String insert = changes("SELECT 'I', CAST(NULL AS BIGINT), " + prefixed("N.") + " FROM NEW_TABLE N");
        String delete = changes("SELECT 'D', O." + key + ", " + nulls() + " FROM OLD_TABLE O");
        String update = changes("SELECT 'U', O." + key + ", " + prefixed("N.") + " FROM NEW_TABLE N JOIN OLD_TABLE O ON N."
                + key + " = O." + key
                + " UNION ALL SELECT 'D', O." + key + ", " + nulls() + " FROM OLD_TABLE O WHERE NOT EXISTS "
                + "(SELECT 1 FROM NEW_TABLE N WHERE N." + key + " = O." + key + ")"
                + " UNION ALL SELECT 'I', CAST(NULL AS BIGINT), " + prefixed("N.") + " FROM NEW_TABLE N WHERE NOT EXISTS "
                + "(SELECT 1 FROM OLD_TABLE O WHERE O." + key + " = N." + key + ")");
        String onInsert = " AFTER INSERT ON " + qualifiedName() + " REFERENCING NEW_TABLE AS NEW_TABLE FOR EACH STATEMENT ";
        String onDelete = " AFTER DELETE ON " + qualifiedName() + " REFERENCING OLD_TABLE AS OLD_TABLE FOR EACH STATEMENT ";
        String onUpdate = " AFTER UPDATE ON " + qualifiedName()
                + " REFERENCING OLD_TABLE AS OLD_TABLE NEW_TABLE AS NEW_TABLE FOR EACH STATEMENT ";
        return List.of(
                "CREATE TRIGGER " + triggerName("INSERT", "HEAD") + onInsert + moveHead(insert),
                "CREATE TRIGGER " + triggerName("INSERT", "LOG") + onInsert + copyRows(insert),
                "CREATE TRIGGER " + triggerName("UPDATE", "HEAD") + onUpdate + moveHead(update),
                "CREATE TRIGGER " + triggerName("UPDATE", "LOG") + onUpdate + copyRows(update),
                "CREATE TRIGGER " + triggerName("DELETE", "HEAD") + onDelete + moveHead(delete),
                "CREATE TRIGGER " + triggerName("DELETE", "LOG") + onDelete + copyRows(delete));
    }

    /** The trigger names, as {@link #createTriggers()} makes them (without the schema). */
    List<String> triggerNames() {
        List<String> names = new ArrayList<>();
        for (String event : List.of("INSERT", "UPDATE", "DELETE")) {
            for (String step : List.of("HEAD", "LOG")) {
                names.add(name + "_" + event + "_" + step);
            }
        }
        return names;
    }

    String triggerName(String event, String step) {
        return ChangeLog.SCHEMA + "." + name + "_" + event + "_" + step;
    }

    /** A statement's changes as a derived table with named columns: OP, OLD_KEY, then the table's columns. */
    private String changes(String select) {
        return "(" + select + ") AS CHANGES (OP, OLD_KEY, " + columnList() + ")";
    }

    private static final String ON_A_PRIMARY = "EXISTS (SELECT 1 FROM " + ChangeLog.NODE + " WHERE ROLE = 'PRIMARY')";

    private String moveHead(String changes) {
        return "UPDATE " + ChangeLog.HEAD + " SET LAST_SEQ = LAST_SEQ + (SELECT COUNT(*) FROM " + changes + "), "
                + "LAST_TXN = CASE WHEN LAST_XID = " + ChangeLog.TRANSACTION_ID + "() THEN LAST_TXN ELSE LAST_TXN + 1 END, "
                + "LAST_XID = " + ChangeLog.TRANSACTION_ID + "(), LAST_WRITTEN_AT = CURRENT_TIMESTAMP "
                + "WHERE ID = 1 AND EXISTS (SELECT 1 FROM " + changes + ") AND " + ON_A_PRIMARY;
    }

    private String copyRows(String changes) {
        return "INSERT INTO " + logTable() + " (" + String.join(", ", LOG_COLUMNS) + ", " + columnList() + ") "
                + "SELECT H.LAST_SEQ - (SELECT COUNT(*) FROM " + changes + ") + C.RN, H.LAST_TXN, C.OP, "
                + "H.LAST_WRITTEN_AT, C.OLD_KEY, " + prefixed("C.") + " FROM " + ChangeLog.HEAD + " H, "
                + "(SELECT ROW_NUMBER() OVER () AS RN, " + prefixed("CHANGES.", List.of("OP", "OLD_KEY")) + ", "
                + prefixed("CHANGES.") + " FROM " + changes + ") C WHERE H.ID = 1 AND " + ON_A_PRIMARY;
    }

    private String prefixed(String prefix) {
        return columns.stream().map(c -> prefix + c.name()).collect(Collectors.joining(", "));
    }

    private static String prefixed(String prefix, List<String> names) {
        return names.stream().map(n -> prefix + n).collect(Collectors.joining(", "));
    }

    /** A deleted row's image: a typed NULL for each column. */
    private String nulls() {
        return columns.stream().map(c -> "CAST(NULL AS " + c.type() + ")").collect(Collectors.joining(", "));
    }

    /** Reads a range of the log on the primary, oldest first. */
    String selectRange() {
        return "SELECT " + String.join(", ", LOG_COLUMNS) + ", " + columnList() + " FROM " + logTable()
                + " WHERE SEQ > ? AND SEQ <= ? ORDER BY SEQ";
    }

    /** The rest of one transaction, when a batch would cut it. */
    String selectTransactionAfter() {
        return "SELECT " + String.join(", ", LOG_COLUMNS) + ", " + columnList() + " FROM " + logTable()
                + " WHERE TXN = ? AND SEQ > ? ORDER BY SEQ";
    }

    /** When the change {@code seq} was written, if it is in this table's log. */
    String selectWrittenAt() {
        return "SELECT WRITTEN_AT FROM " + logTable() + " WHERE SEQ = ?";
    }

    /** Copies a log row, as read from the primary, into the replica's own log. */
    String insertLogRow() {
        return "INSERT INTO " + logTable() + " (" + String.join(", ", LOG_COLUMNS) + ", " + columnList()
                + ") VALUES (" + placeholders(LOG_COLUMNS.size() + columns.size()) + ")";
    }

    /** Applies an I: the row with all its columns, the key included, as the primary stored it. */
    String applyInsert() {
        return "INSERT INTO " + qualifiedName() + " (" + columnList() + ") VALUES (" + placeholders(columns.size())
                + ")";
    }

    /** Applies a U: every column set to the logged image, on the row the key named before the change. */
    String applyUpdate() {
        return "UPDATE " + qualifiedName() + " SET "
                + columns.stream().map(c -> c.name() + " = ?").collect(Collectors.joining(", "))
                + " WHERE " + key + " = ?";
    }

    /** Applies a D. */
    String applyDelete() {
        return "DELETE FROM " + qualifiedName() + " WHERE " + key + " = ?";
    }

    /**
     * Reads a table's description from the database's metadata.
     *
     * @throws StorageException REPLICATION_UNSUPPORTED_TABLE when the table has no single integer primary key, a
     *                          column of a type the log cannot copy, or a column named like one of the log's own
     */
    static LoggedTable describe(Connection c, String schema, String table) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        List<String> keys = new ArrayList<>();
        try (ResultSet rs = meta.getPrimaryKeys(null, schema, table)) {
            while (rs.next()) {
                keys.add(rs.getString("COLUMN_NAME"));
            }
        }
        List<Column> columns = new ArrayList<>();
        String identity = null;
        int keyType = Types.NULL;
        try (ResultSet rs = meta.getColumns(null, schema, table, "%")) {
            while (rs.next()) {
                String column = rs.getString("COLUMN_NAME");
                int type = rs.getInt("DATA_TYPE");
                if (LOG_COLUMNS.contains(column)) {
                    throw unsupported(schema, table, "its column " + column + " has the name of one of the log's "
                            + "own columns " + LOG_COLUMNS);
                }
                if (keys.size() == 1 && keys.get(0).equals(column)) {
                    keyType = type;
                }
                if ("YES".equals(rs.getString("IS_AUTOINCREMENT"))) {
                    identity = column;
                }
                columns.add(new Column(column, ddlType(schema, table, column, rs)));
            }
        }
        if (keys.size() != 1 || !Set.of(Types.BIGINT, Types.INTEGER, Types.SMALLINT).contains(keyType)) {
            throw unsupported(schema, table, "it has no primary key of one integer column (it has "
                    + (keys.isEmpty() ? "none" : keys) + "); a replica finds the row an UPDATE or DELETE changed by it");
        }
        return new LoggedTable(schema, table, keys.get(0), columns, identity);
    }

    private static String ddlType(String schema, String table, String column, ResultSet rs) throws SQLException {
        String typeName = rs.getString("TYPE_NAME").toUpperCase(Locale.ROOT);
        int size = rs.getInt("COLUMN_SIZE");
        int digits = rs.getInt("DECIMAL_DIGITS");
        return switch (typeName) {
            case "BIGINT", "INTEGER", "SMALLINT", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "DOUBLE", "REAL" -> typeName;
            case "VARCHAR", "CHAR" -> typeName + "(" + size + ")";
            case "DECIMAL", "NUMERIC" -> typeName + "(" + size + ", " + digits + ")";
            case "CLOB", "BLOB" -> typeName + "(" + size + ")";
            default -> throw unsupported(schema, table, "its column " + column + " is of type " + typeName
                    + ", which the change log does not copy");
        };
    }

    private static StorageException unsupported(String schema, String table, String why) {
        return new StorageException(Problem.REPLICATION_UNSUPPORTED_TABLE, schema + "." + table
                + " cannot be replicated: " + why + ".");
    }
}
