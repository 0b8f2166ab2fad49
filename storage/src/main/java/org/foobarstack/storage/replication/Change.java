package org.foobarstack.storage.replication;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

/**
 * One row of a primary's change log, as a replica reads it: which change ({@code seq}), in which of the primary's
 * transactions, what it did to which row, and the row's image after it.
 *
 * @param table     the table changed
 * @param seq       the change's place in the log
 * @param txn       its transaction on the primary
 * @param op        'I', 'U' or 'D'
 * @param writtenAt when the primary wrote it
 * @param oldKey    for U and D: the row's key before the change; null for I
 * @param values    for I and U: the row after the change, in the order of {@code table.columns()}; nulls for D
 */
public record Change(LoggedTable table, long seq, long txn, char op, Timestamp writtenAt, Long oldKey,
                     List<Object> values) {

    public Change {
        values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
    }

    /** Reads the current row of a {@link LoggedTable#selectRange()} result. */
    static Change read(LoggedTable table, ResultSet rs) throws SQLException {
        long seq = rs.getLong(1);
        long txn = rs.getLong(2);
        char op = rs.getString(3).charAt(0);
        Timestamp writtenAt = rs.getTimestamp(4);
        long old = rs.getLong(5);
        Long oldKey = rs.wasNull() ? null : old;
        int first = LoggedTable.LOG_COLUMNS.size() + 1;
        java.util.List<Object> values = new java.util.ArrayList<>(table.columns().size());
        for (int i = 0; i < table.columns().size(); i++) {
            String type = table.columns().get(i).type();
            // large objects are read out now: a Clob or Blob lives only as long as the primary's result set
            Object value = type.startsWith("CLOB") ? rs.getString(first + i)
                    : type.startsWith("BLOB") ? rs.getBytes(first + i)
                    : rs.getObject(first + i);
            values.add(value);
        }
        return new Change(table, seq, txn, op, writtenAt, oldKey, values);
    }

    /** "change 41 (transaction 37): INSERT into FOOBAR_APP.MESSAGES, key 12", for logs and errors. */
    public String describe() {
        String what = switch (op) {
            case 'I' -> "INSERT into";
            case 'U' -> "UPDATE of";
            default -> "DELETE from";
        };
        Object key = op == 'I' ? values.get(table.columns().stream().map(LoggedTable.Column::name).toList()
                .indexOf(table.key())) : oldKey;
        return "change " + seq + " (transaction " + txn + "): " + what + " " + table.qualifiedName() + ", key " + key;
    }
}
