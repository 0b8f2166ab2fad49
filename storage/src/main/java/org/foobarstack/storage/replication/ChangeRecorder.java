package org.foobarstack.storage.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The body of the stored procedure {@code REPL.RECORD_CHANGE}, which the change-log triggers call for every row
 * the application inserts, updates or deletes. It runs inside Derby, in the transaction of the change, so the log
 * row commits with the change or not at all: a crash can neither keep a change without its log row nor a log row
 * without its change.
 *
 * <p>For each row changed, on a primary:
 * <ol>
 *   <li>{@code UPDATE REPL.HEAD}: the next sequence number, and the next transaction number if this transaction
 *       has not written before. The update locks the head row until the transaction ends, so the transactions
 *       that write take their turn: changes are numbered in the order their transactions commit, and a replica
 *       that reads the log up to the head never skips a change that commits later with a smaller number. It is
 *       the same choice MySQL makes when it writes its binary log at commit, one transaction after another.</li>
 *   <li>{@code INSERT INTO REPL.<T>_LOG ... SELECT ... FROM <T>}: the row as it is now, read back by its key
 *       (for a delete, only the key: the row is gone).</li>
 * </ol>
 * On a standalone database, a replica or a fenced one it does nothing: a replica copies the primary's log rows
 * itself, with the primary's numbers.
 *
 * <p>Derby calls the static method below; it holds no state between calls (several databases can share a JVM).
 * The SQL texts are the same from call to call, so Derby compiles each once and finds it in its statement cache.
 */
public final class ChangeRecorder {

    private ChangeRecorder() {
    }

    /**
     * Called by Derby for {@code CALL REPL.RECORD_CHANGE(schema, table, key, columns, op, rowKey, oldKey)}.
     *
     * @param schema  the changed table's schema
     * @param table   its name
     * @param key     its key column
     * @param columns its columns, comma-separated, as the log table copies them
     * @param op      I, U or D
     * @param rowKey  the key of the row after the change (for D: before)
     * @param oldKey  the key before the change, for U and D; null for I
     */
    public static void record(String schema, String table, String key, String columns, String op, long rowKey,
                              Long oldKey) throws SQLException {
        // Derby's "default connection": the connection, and the transaction, of the statement that fired the trigger
        Connection c = DriverManager.getConnection("jdbc:default:connection");
        if (!isPrimary(c)) {
            return;
        }
        String xid = CurrentTransaction.id();
        try (PreparedStatement head = c.prepareStatement("UPDATE " + ChangeLog.HEAD + " SET LAST_SEQ = LAST_SEQ + 1, "
                + "LAST_TXN = CASE WHEN LAST_XID = ? THEN LAST_TXN ELSE LAST_TXN + 1 END, LAST_XID = ?, "
                + "LAST_WRITTEN_AT = CURRENT_TIMESTAMP WHERE ID = 1")) {
            head.setString(1, xid);
            head.setString(2, xid);
            head.executeUpdate();
        }
        String log = ChangeLog.SCHEMA + "." + table + "_LOG";
        String sql = "D".equals(op)
                ? "INSERT INTO " + log + " (SEQ, TXN, OP, WRITTEN_AT, OLD_KEY) SELECT LAST_SEQ, LAST_TXN, ?, "
                        + "LAST_WRITTEN_AT, ? FROM " + ChangeLog.HEAD + " WHERE ID = 1"
                : "INSERT INTO " + log + " (SEQ, TXN, OP, WRITTEN_AT, OLD_KEY, " + columns + ") SELECT H.LAST_SEQ, "
                        + "H.LAST_TXN, ?, H.LAST_WRITTEN_AT, ?, " + prefixed("T.", columns) + " FROM " + ChangeLog.HEAD
                        + " H, " + schema + "." + table + " T WHERE H.ID = 1 AND T." + key + " = ?";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            insert.setString(1, op);
            if (oldKey == null) {
                insert.setNull(2, Types.BIGINT);
            } else {
                insert.setLong(2, oldKey);
            }
            if (!"D".equals(op)) {
                insert.setLong(3, rowKey);
            }
            if (insert.executeUpdate() != 1) {
                throw new SQLException("change log: row " + rowKey + " of " + schema + "." + table
                        + " not found right after its " + op, "38000");
            }
        }
    }

    private static boolean isPrimary(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ROLE FROM " + ChangeLog.NODE + " WHERE ID = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && DatabaseRole.PRIMARY.name().equals(rs.getString(1));
        }
    }

    private static String prefixed(String prefix, String columns) {
        StringBuilder out = new StringBuilder();
        for (String column : columns.split(",")) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(prefix).append(column.trim());
        }
        return out.toString();
    }
}
