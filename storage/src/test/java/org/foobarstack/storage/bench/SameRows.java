package org.foobarstack.storage.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * Whether one query returns the same rows on two databases: every row, every column, in the query's order. The two
 * results are read side by side, one row of each at a time, so a table of any size is compared in constant memory,
 * and the first difference is named (row, column, both values) rather than a bare "not equal".
 *
 * @param rows            rows read from the first database
 * @param firstDifference null when the results are equal
 */
record SameRows(long rows, String firstDifference) {

    boolean equal() {
        return firstDifference == null;
    }

    /** Runs {@code sql} (which must have an ORDER BY on a key) on both connections and compares the results. */
    static SameRows compare(Connection first, String firstName, Connection second, String secondName, String sql)
            throws SQLException {
        try (Statement a = first.createStatement(); Statement b = second.createStatement();
             ResultSet ra = a.executeQuery(sql); ResultSet rb = b.executeQuery(sql)) {
            ResultSetMetaData meta = ra.getMetaData();
            int columns = meta.getColumnCount();
            if (columns != rb.getMetaData().getColumnCount()) {
                return new SameRows(0, firstName + " has " + columns + " columns, " + secondName + " "
                        + rb.getMetaData().getColumnCount());
            }
            long row = 0;
            while (true) {
                boolean moreA = ra.next();
                boolean moreB = rb.next();
                if (!moreA || !moreB) {
                    if (moreA != moreB) {
                        return new SameRows(row, (moreA ? firstName : secondName) + " has more rows: it goes on after "
                                + "row " + row + " where " + (moreA ? secondName : firstName) + " ends");
                    }
                    return new SameRows(row, null);
                }
                row++;
                for (int c = 1; c <= columns; c++) {
                    // the guestbook's columns are numbers, strings and timestamps, whose getObject values compare
                    // by content (a CLOB's would not: it would need reading first)
                    Object va = ra.getObject(c);
                    Object vb = rb.getObject(c);
                    if (!Objects.equals(va, vb)) {
                        return new SameRows(row, "row " + row + ", column " + meta.getColumnName(c) + ": " + firstName
                                + " has " + va + ", " + secondName + " has " + vb);
                    }
                }
            }
        }
    }
}
