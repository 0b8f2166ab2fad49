package org.foobarstack.storage.migration;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.foobarstack.storage.StorageException;
import org.foobarstack.storage.StorageException.Problem;

/**
 * Applies versioned SQL migrations to one schema, in order, each exactly once.
 *
 * <p>Why our own runner: Flyway, the usual choice, moved Derby out of its core into a separate module,
 * {@code org.flywaydb:flyway-database-derby}, documented as verified against Derby 10.11 and 10.15 only,
 * and that module's current releases (11.17.0, 12.0.0) are not published on Maven Central. Derby itself was
 * retired by its developers in 2025. Rather than depend on support that is fading, the project keeps this
 * small runner, with its tests ({@code MigrationRunnerTest}).
 *
 * <p>What {@link #migrate} does, step by step:
 * <ol>
 *   <li>creates the schema and the history table {@value #HISTORY_TABLE} if they are missing;</li>
 *   <li>reads which versions the database already has;</li>
 *   <li>refuses to go on if the database has a version this code does not know (it was written by a newer
 *       program: running old code on it could corrupt it), or if an applied file has since been edited
 *       (its SHA-256 checksum changed);</li>
 *   <li>applies each missing migration in its own transaction together with its history row, so a
 *       migration is either fully applied and recorded, or not at all: Derby runs DDL inside transactions,
 *       so a failed script rolls back completely.</li>
 * </ol>
 * All SQL here is standard (CREATE TABLE, INSERT, SELECT; the schema is chosen with JDBC's
 * {@link Connection#setSchema}), so the runner would work against another JDBC database as well.
 */
public final class MigrationRunner {

    /** The table that records which migrations ran. */
    public static final String HISTORY_TABLE = "SCHEMA_HISTORY";

    private static final String CREATE_HISTORY = "CREATE TABLE " + HISTORY_TABLE + " ("
            + "VERSION INTEGER NOT NULL PRIMARY KEY, "
            + "DESCRIPTION VARCHAR(200) NOT NULL, "
            + "SCRIPT VARCHAR(200) NOT NULL, "
            + "CHECKSUM VARCHAR(64) NOT NULL, "
            + "APPLIED_BY VARCHAR(128) NOT NULL, "
            + "APPLIED_AT TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)";

    private final Connection connection;
    private final String schema;

    /**
     * @param connection a connection as the schema's owner; the runner sets its current schema, restores
     *                   its auto-commit mode when done, and leaves it open
     * @param schema     the schema that holds the tables and the history, an unquoted SQL identifier
     */
    public MigrationRunner(Connection connection, String schema) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.schema = schema.toUpperCase(java.util.Locale.ROOT);
    }

    /** What a run did: the version before and after, and which migrations it applied just now. */
    public record Result(int previousVersion, int currentVersion, List<Migration> applied) {
        public Result {
            applied = List.copyOf(applied);
        }
    }

    /**
     * Brings the schema up to the last of {@code migrations} (sorted by version, 1..n without gaps).
     *
     * @throws StorageException DATABASE_NEWER_THAN_CODE, MIGRATION_CHANGED or MIGRATION_FAILED
     * @throws SQLException     when the database itself fails (connection lost, disk full...)
     */
    public Result migrate(List<Migration> migrations) throws SQLException {
        ClasspathMigrations.requireContiguous(migrations, "the given list");
        boolean callerAutoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            return migrateInTransactions(migrations);
        } finally {
            if (!connection.isClosed()) {
                connection.rollback(); // nothing is pending after a successful run; after a failure, undo the rest
                connection.setAutoCommit(callerAutoCommit);
            }
        }
    }

    private Result migrateInTransactions(List<Migration> migrations) throws SQLException {
        createSchemaAndHistoryIfMissing();

        Map<Integer, String> appliedChecksums = appliedChecksums();
        int previousVersion = appliedChecksums.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        int codeVersion = migrations.size();
        if (previousVersion > codeVersion) {
            throw new StorageException(Problem.DATABASE_NEWER_THAN_CODE,
                    "the database is at schema version " + previousVersion + ", this program knows versions up to "
                            + codeVersion + " (" + HISTORY_TABLE + " in schema " + schema + ").");
        }
        for (Migration m : migrations) {
            String recorded = appliedChecksums.get(m.version());
            if (recorded != null && !recorded.equals(m.checksum())) {
                throw new StorageException(Problem.MIGRATION_CHANGED,
                        m.script() + " was applied with checksum " + recorded + " but the file now has " + m.checksum() + ".");
            }
        }

        List<Migration> applied = new ArrayList<>();
        for (Migration m : migrations) {
            if (!appliedChecksums.containsKey(m.version())) {
                apply(m);
                applied.add(m);
            }
        }
        return new Result(previousVersion, Math.max(previousVersion, codeVersion), applied);
    }

    /** The version the schema is at now: the highest recorded version, 0 for an empty schema. */
    public int currentVersion() throws SQLException {
        connection.setSchema(schema);
        if (!historyExists()) {
            return 0;
        }
        return appliedChecksums().keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private void createSchemaAndHistoryIfMissing() throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        boolean schemaExists;
        try (ResultSet rs = meta.getSchemas(null, schema)) {
            schemaExists = rs.next();
        }
        try (Statement st = connection.createStatement()) {
            if (!schemaExists) {
                st.execute("CREATE SCHEMA " + schema);
            }
            connection.setSchema(schema);
            if (!historyExists()) {
                st.execute(CREATE_HISTORY);
            }
        }
        connection.commit();
    }

    private boolean historyExists() throws SQLException {
        try (ResultSet rs = connection.getMetaData().getTables(null, schema, HISTORY_TABLE, new String[] {"TABLE"})) {
            return rs.next();
        }
    }

    private Map<Integer, String> appliedChecksums() throws SQLException {
        Map<Integer, String> applied = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT VERSION, CHECKSUM FROM " + HISTORY_TABLE + " ORDER BY VERSION")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        connection.commit();
        return applied;
    }

    private void apply(Migration m) throws SQLException {
        String current = null;
        try (Statement st = connection.createStatement()) {
            for (String sql : m.statements()) {
                current = sql;
                st.execute(sql);
            }
            current = "INSERT INTO " + HISTORY_TABLE;
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + HISTORY_TABLE
                    + " (VERSION, DESCRIPTION, SCRIPT, CHECKSUM, APPLIED_BY) VALUES (?, ?, ?, ?, CURRENT_USER)")) {
                insert.setInt(1, m.version());
                insert.setString(2, m.description());
                insert.setString(3, m.script());
                insert.setString(4, m.checksum());
                insert.executeUpdate();
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw new StorageException(Problem.MIGRATION_FAILED,
                    m.script() + " failed at statement [" + current + "]: " + e.getMessage()
                            + " (SQLState " + e.getSQLState() + ")", e);
        }
    }
}
