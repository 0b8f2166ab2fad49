package org.foobarstack.storage.replication;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.foobarstack.storage.migration.MigrationRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change log's tables in a database, schema {@code REPL}, owned by the database owner:
 * <pre>
 *   REPL.NODE          one row: this database's {@link DatabaseRole}, and the primary it follows
 *   REPL.HEAD          one row: the last change logged or applied (LAST_SEQ, LAST_TXN, LAST_WRITTEN_AT)
 *   REPL.&lt;T&gt;_LOG      one row per change to table T (see {@link LoggedTable})
 *   REPL.TRANSACTION_ID() the function the triggers call to tell one transaction from the next
 *                      ({@link CurrentTransaction})
 * </pre>
 * Every database has them, whatever its role, so that a standalone database can become a primary, and a replica
 * a primary, without a schema change.
 *
 * <p>{@link #install} is idempotent and runs at every start, after the schema migrations: a table that a
 * migration added gets its log table and triggers, a column a migration added is added to the log table, and the
 * triggers are made again so that they copy every column. Schema changes themselves are not replicated: every
 * server runs the same migrations at its own start.
 *
 * <p>Who may read what: the replication account reads NODE, HEAD and the logs (and may run the online backup
 * that copies a database for a new replica); the application's account reads HEAD, to know which of its own
 * writes a replica has applied. Neither may write them.
 */
public final class ChangeLog {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeLog.class);

    public static final String SCHEMA = "REPL";
    static final String NODE = SCHEMA + ".NODE";
    public static final String HEAD = SCHEMA + ".HEAD";
    static final String TRANSACTION_ID = SCHEMA + ".TRANSACTION_ID";

    private final Connection owner;
    private final String appSchema;
    private final String appUser;
    private final String replUser;

    /**
     * @param owner     a connection as the database owner (embedded), left open
     * @param appSchema the schema of the application's tables (named after the app user)
     */
    public ChangeLog(Connection owner, String appSchema, String appUser, String replUser) {
        this.owner = owner;
        this.appSchema = appSchema.toUpperCase(Locale.ROOT);
        this.appUser = appUser;
        this.replUser = replUser;
    }

    /** Creates what is missing and brings the logs and triggers up to the tables; returns the logged tables. */
    public List<LoggedTable> install() throws SQLException {
        boolean autoCommit = owner.getAutoCommit();
        owner.setAutoCommit(false);
        try (Statement st = owner.createStatement()) {
            if (!schemaExists(SCHEMA)) {
                st.execute("CREATE SCHEMA " + SCHEMA);
                LOG.info("change log: schema {} created", SCHEMA);
            }
            if (!tableExists(SCHEMA, "NODE")) {
                st.execute("CREATE TABLE " + NODE + " (ID SMALLINT NOT NULL PRIMARY KEY CHECK (ID = 1), "
                        + "ROLE VARCHAR(10) NOT NULL, SOURCE VARCHAR(1000), CHANGED_AT TIMESTAMP NOT NULL)");
                st.execute("INSERT INTO " + NODE + " VALUES (1, 'STANDALONE', NULL, CURRENT_TIMESTAMP)");
            }
            if (!tableExists(SCHEMA, "HEAD")) {
                st.execute("CREATE TABLE " + HEAD + " (ID SMALLINT NOT NULL PRIMARY KEY CHECK (ID = 1), "
                        + "LAST_SEQ BIGINT NOT NULL, LAST_TXN BIGINT NOT NULL, LAST_XID VARCHAR(64), "
                        + "LAST_WRITTEN_AT TIMESTAMP)");
                st.execute("INSERT INTO " + HEAD + " VALUES (1, 0, 0, NULL, NULL)");
            }
            if (!functionExists()) {
                st.execute("CREATE FUNCTION " + TRANSACTION_ID + "() RETURNS VARCHAR(64) LANGUAGE JAVA "
                        + "PARAMETER STYLE JAVA NO SQL NOT DETERMINISTIC "
                        + "EXTERNAL NAME '" + CurrentTransaction.class.getName() + ".id'");
            }
            List<LoggedTable> tables = new ArrayList<>();
            for (String name : appTables()) {
                LoggedTable table = LoggedTable.describe(owner, appSchema, name);
                String logName = name + "_LOG";
                if (!tableExists(SCHEMA, logName)) {
                    st.execute(table.createLogTable());
                    LOG.info("change log: {} created for {}", table.logTable(), table.qualifiedName());
                } else {
                    addMissingColumns(st, table, logName);
                }
                for (String trigger : table.triggerNames()) {
                    if (triggerExists(trigger)) {
                        st.execute("DROP TRIGGER " + SCHEMA + "." + trigger);
                    }
                }
                for (String trigger : table.createTriggers()) {
                    st.execute(trigger);
                }
                st.execute("GRANT SELECT ON " + table.logTable() + " TO " + replUser);
                tables.add(table);
            }
            st.execute("GRANT SELECT ON " + NODE + " TO " + replUser);
            st.execute("GRANT SELECT ON " + HEAD + " TO " + replUser + ", " + appUser);
            // the copy a new replica starts from is an online backup, which the replication account may make
            st.execute("GRANT EXECUTE ON PROCEDURE SYSCS_UTIL.SYSCS_BACKUP_DATABASE TO " + replUser);
            owner.commit();
            return tables;
        } catch (SQLException | RuntimeException e) {
            owner.rollback();
            throw e;
        } finally {
            owner.setAutoCommit(autoCommit);
        }
    }

    /** Whether this database has a change log yet (databases made before replication existed have none). */
    public boolean installed() throws SQLException {
        return tableExists(SCHEMA, "NODE");
    }

        /** This database's role, as stored. */
    public DatabaseRole role() throws SQLException {
        try (PreparedStatement ps = owner.prepareStatement("SELECT ROLE FROM " + NODE + " WHERE ID = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? DatabaseRole.valueOf(rs.getString(1)) : DatabaseRole.STANDALONE;
        }
    }

    /** Stores the role (and, for a replica, the primary it follows), and gives the app user the rights it implies. */
    public void setRole(DatabaseRole role, String source) throws SQLException {
        boolean autoCommit = owner.getAutoCommit();
        owner.setAutoCommit(false);
        try {
            try (PreparedStatement ps = owner.prepareStatement("UPDATE " + NODE
                    + " SET ROLE = ?, SOURCE = ?, CHANGED_AT = CURRENT_TIMESTAMP WHERE ID = 1")) {
                ps.setString(1, role.name());
                ps.setString(2, source);
                ps.executeUpdate();
            }
            // a new transaction on this database starts a new transaction number, whatever the last one was
            try (Statement st = owner.createStatement()) {
                st.executeUpdate("UPDATE " + HEAD + " SET LAST_XID = NULL WHERE ID = 1");
            }
            grantAppWrites(role.acceptsWrites());
            owner.commit();
        } catch (SQLException | RuntimeException e) {
            owner.rollback();
            throw e;
        } finally {
            owner.setAutoCommit(autoCommit);
        }
    }

    /**
     * SQL authorization does the read-only part of a replica: the app user keeps SELECT and loses INSERT, UPDATE
     * and DELETE, so a write sent to a replica fails with Derby's own "does not have INSERT permission" (42500).
     */
    private void grantAppWrites(boolean writable) throws SQLException {
        try (Statement st = owner.createStatement()) {
            for (String table : appTables()) {
                String qualified = appSchema + "." + table;
                st.execute("GRANT SELECT ON " + qualified + " TO " + appUser);
                st.execute((writable ? "GRANT INSERT, UPDATE, DELETE ON " : "REVOKE INSERT, UPDATE, DELETE ON ")
                        + qualified + (writable ? " TO " : " FROM ") + appUser);
            }
        }
    }

    /** The last change logged (a primary) or applied (a replica). */
    public LogPosition head() throws SQLException {
        try (PreparedStatement ps = owner.prepareStatement(
                "SELECT LAST_SEQ, LAST_TXN, LAST_WRITTEN_AT FROM " + HEAD + " WHERE ID = 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return LogPosition.START;
            }
            Timestamp at = rs.getTimestamp(3);
            return new LogPosition(rs.getLong(1), rs.getLong(2), at == null ? null : at.toInstant());
        }
    }

    /**
     * For a promotion: the identity columns go on after the highest key the replica holds. A replica inserts rows
     * with the primary's keys, so its own generator never moved; left alone, its first insert as a primary would
     * take key 1 again.
     */
    public void restartIdentities(List<LoggedTable> tables) throws SQLException {
        try (Statement st = owner.createStatement()) {
            for (LoggedTable table : tables) {
                if (table.identityColumn() == null) {
                    continue;
                }
                long next;
                try (ResultSet rs = st.executeQuery("SELECT MAX(" + table.identityColumn() + ") FROM "
                        + table.qualifiedName())) {
                    rs.next();
                    next = rs.getLong(1) + 1;
                }
                st.execute("ALTER TABLE " + table.qualifiedName() + " ALTER COLUMN " + table.identityColumn()
                        + " RESTART WITH " + next);
            }
        }
    }

    /** The application's tables: every table of its schema but the migrations' history. */
    private List<String> appTables() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = owner.getMetaData().getTables(null, appSchema, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String table = rs.getString("TABLE_NAME");
                if (!MigrationRunner.HISTORY_TABLE.equals(table)) {
                    tables.add(table);
                }
            }
        }
        tables.sort(null);
        return tables;
    }

    private void addMissingColumns(Statement st, LoggedTable table, String logName) throws SQLException {
        Set<String> present = new HashSet<>();
        try (ResultSet rs = owner.getMetaData().getColumns(null, SCHEMA, logName, "%")) {
            while (rs.next()) {
                present.add(rs.getString("COLUMN_NAME"));
            }
        }
        for (LoggedTable.Column column : table.columns()) {
            if (!present.contains(column.name())) {
                st.execute("ALTER TABLE " + table.logTable() + " ADD COLUMN " + column.name() + " " + column.type());
                LOG.info("change log: column {} added to {}", column.name(), table.logTable());
            }
        }
    }

    private boolean schemaExists(String schema) throws SQLException {
        try (ResultSet rs = owner.getMetaData().getSchemas(null, schema)) {
            return rs.next();
        }
    }

    private boolean tableExists(String schema, String table) throws SQLException {
        DatabaseMetaData meta = owner.getMetaData();
        try (ResultSet rs = meta.getTables(null, schema, table, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    private boolean functionExists() throws SQLException {
        try (ResultSet rs = owner.getMetaData().getFunctions(null, SCHEMA, "TRANSACTION_ID")) {
            return rs.next();
        }
    }

    private boolean triggerExists(String name) throws SQLException {
        try (PreparedStatement ps = owner.prepareStatement("SELECT 1 FROM SYS.SYSTRIGGERS T JOIN SYS.SYSSCHEMAS S "
                + "ON T.SCHEMAID = S.SCHEMAID WHERE S.SCHEMANAME = ? AND T.TRIGGERNAME = ?")) {
            ps.setString(1, SCHEMA);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
