package org.foobarstack.storage.replication;

import java.sql.SQLException;

import org.apache.derby.iapi.sql.conn.ConnectionUtil;

/**
 * The SQL function {@code REPL.TRANSACTION_ID()}: the id Derby gives the transaction running now. The change-log
 * triggers compare it with the one the head row recorded, to tell "this transaction wrote before" (same
 * transaction number in the log) from "a new transaction" (the next number).
 *
 * <p>Derby has no SQL function for it (PostgreSQL has {@code txid_current()}, MySQL a GTID). Derby's own system
 * procedures reach the current connection's context through {@code ConnectionUtil}, an internal but public class of
 * the engine, and so does this one line; it is kept here, alone, so that it is easy to find if Derby ever moves it.
 * The function reads no SQL data ({@code NO SQL}): Derby calls it like arithmetic.
 */
public final class CurrentTransaction {

    private CurrentTransaction() {
    }

    /** Called by Derby for {@code REPL.TRANSACTION_ID()}. */
    public static String id() throws SQLException {
        return ConnectionUtil.getCurrentLCC().getTransactionExecute().getTransactionIdString();
    }
}
