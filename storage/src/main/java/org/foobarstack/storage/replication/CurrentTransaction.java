package org.foobarstack.storage.replication;

import java.sql.SQLException;

import org.apache.derby.iapi.sql.conn.ConnectionUtil;

/**
 * The id Derby gives the transaction running now, for {@link ChangeRecorder} to tell "this transaction wrote
 * before" from "a new transaction": changes with the same id get the same transaction number in the log.
 *
 * <p>Derby has no SQL function for it (PostgreSQL has {@code txid_current()}, MySQL a GTID). Derby's own system
 * procedures reach the current connection's context through {@code ConnectionUtil}, an internal but public class of
 * the engine, and so does this one line; it is kept here, alone, so that it is easy to find if Derby ever moves it.
 * The id is only compared with the one the head row recorded, never stored as a position.
 */
final class CurrentTransaction {

    private CurrentTransaction() {
    }

    static String id() throws SQLException {
        return ConnectionUtil.getCurrentLCC().getTransactionExecute().getTransactionIdString();
    }
}
