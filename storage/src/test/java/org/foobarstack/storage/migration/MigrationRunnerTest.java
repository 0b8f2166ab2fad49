package org.foobarstack.storage.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.foobarstack.storage.StorageException;
import org.foobarstack.storage.StorageException.Problem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner against a throw-away in-memory Derby database (same SQL path as on disk, no files). The runner
 * works per schema, so each test gets its own schema in one database created for the class.
 */
class MigrationRunnerTest {

    private static final Migration V1 = Migration.of("V1__notes.sql",
            "-- first\nCREATE TABLE NOTES (\n  ID INTEGER NOT NULL PRIMARY KEY,\n  TEXT VARCHAR(100) NOT NULL\n);\n");
    private static final Migration V2 = Migration.of("V2__notes_author.sql",
            "ALTER TABLE NOTES ADD COLUMN AUTHOR VARCHAR(64);\nCREATE INDEX NOTES_AUTHOR ON NOTES (AUTHOR);\n");

    private static final String URL = "jdbc:derby:memory:migrations-" + UUID.randomUUID();

    private Connection connection;
    /** This test's schema: GUEST plus a unique suffix. */
    private String schema;

    @BeforeAll
    static void createDatabase() throws SQLException {
        DriverManager.getConnection(URL + ";create=true").close();
    }

    @AfterAll
    static void dropDatabase() {
        // Derby answers a successful drop with SQLState 08006.
        assertThatThrownBy(() -> DriverManager.getConnection(URL + ";drop=true"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08006"));
    }

    @BeforeEach
    void connect() throws SQLException {
        connection = DriverManager.getConnection(URL);
        schema = "GUEST_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toUpperCase();
    }

    @AfterEach
    void disconnect() throws SQLException {
        assertThat(connection.getAutoCommit()).as("the runner restores the caller's auto-commit mode").isTrue();
        connection.close();
    }

    private MigrationRunner runner() {
        return new MigrationRunner(connection, schema);
    }

    @Test
    void aFreshDatabaseGetsEveryMigrationInOrderAndRecordsThem() throws SQLException {
        MigrationRunner.Result result = runner().migrate(List.of(V1, V2));

        assertThat(result.previousVersion()).isZero();
        assertThat(result.currentVersion()).isEqualTo(2);
        assertThat(result.applied()).extracting(Migration::version).containsExactly(1, 2);
        assertThat(history()).containsExactly("1 notes " + V1.checksum(), "2 notes author " + V2.checksum());
        try (Statement st = connection.createStatement()) {
            st.executeUpdate("INSERT INTO " + schema + ".NOTES (ID, TEXT, AUTHOR) VALUES (1, 'x', 'ada')");
        }
    }

    @Test
    void runningAgainAppliesNothing() throws SQLException {
        runner().migrate(List.of(V1, V2));
        MigrationRunner.Result again = runner().migrate(List.of(V1, V2));

        assertThat(again.applied()).isEmpty();
        assertThat(again.previousVersion()).isEqualTo(2);
        assertThat(history()).hasSize(2);
    }

    @Test
    void upgradingFromThePreviousVersionAppliesOnlyTheNewMigrationAndKeepsTheData() throws SQLException {
        runner().migrate(List.of(V1));
        try (Statement st = connection.createStatement()) {
            st.executeUpdate("INSERT INTO " + schema + ".NOTES (ID, TEXT) VALUES (7, 'written at version 1')");
        }

        MigrationRunner.Result upgrade = runner().migrate(List.of(V1, V2));

        assertThat(upgrade.previousVersion()).isEqualTo(1);
        assertThat(upgrade.applied()).extracting(Migration::script).containsExactly("V2__notes_author.sql");
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT TEXT, AUTHOR FROM " + schema + ".NOTES WHERE ID = 7")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("written at version 1");
            assertThat(rs.getString(2)).isNull();
        }
    }

    @Test
    void refusesADatabaseNewerThanTheCode() throws SQLException {
        runner().migrate(List.of(V1, V2));

        assertThatThrownBy(() -> runner().migrate(List.of(V1)))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.DATABASE_NEWER_THAN_CODE))
                .hasMessageContaining("version 2").hasMessageContaining("up to 1");
    }

    @Test
    void refusesAnAppliedMigrationWhoseFileWasEdited() throws SQLException {
        runner().migrate(List.of(V1));
        Migration edited = Migration.of("V1__notes.sql", V1.sql().replace("100", "200"));

        assertThatThrownBy(() -> runner().migrate(List.of(edited)))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.MIGRATION_CHANGED))
                .hasMessageContaining("V1__notes.sql");
    }

    @Test
    void aFailingMigrationIsRolledBackWholeAndNotRecorded() throws SQLException {
        runner().migrate(List.of(V1));
        Migration broken = Migration.of("V2__broken.sql",
                "CREATE TABLE HALF_DONE (ID INTEGER);\nINSERT INTO NO_SUCH_TABLE VALUES (1);\n");

        assertThatThrownBy(() -> runner().migrate(List.of(V1, broken)))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.MIGRATION_FAILED))
                .hasMessageContaining("V2__broken.sql").hasMessageContaining("NO_SUCH_TABLE");

        assertThat(history()).hasSize(1);
        try (ResultSet rs = connection.getMetaData().getTables(null, schema, "HALF_DONE", null)) {
            assertThat(rs.next()).as("the first statement of the failed script was rolled back").isFalse();
        }
        assertThat(runner().currentVersion()).isEqualTo(1);
    }

    @Test
    void refusesAListWithAGap() {
        Migration v3 = Migration.of("V3__later.sql", "CREATE TABLE LATER (ID INTEGER);");
        assertThatThrownBy(() -> runner().migrate(List.of(V1, v3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected V2");
    }

    @Test
    void splitsScriptsIntoStatementsAndSkipsComments() {
        Migration m = Migration.of("V1__two_statements.sql",
                "-- a comment; with a semicolon\nCREATE TABLE A (\n  ID INTEGER\n);\n\nCREATE TABLE B (ID INTEGER);\nINSERT INTO B VALUES (1)\n");
        assertThat(m.statements()).containsExactly("CREATE TABLE A (\nID INTEGER\n)", "CREATE TABLE B (ID INTEGER)",
                "INSERT INTO B VALUES (1)");
        assertThat(m.version()).isEqualTo(1);
        assertThat(m.description()).isEqualTo("two statements");
    }

    @Test
    void rejectsFileNamesThatAreNotMigrations() {
        assertThatThrownBy(() -> Migration.of("V1_messages.sql", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("V<version>__<description>.sql");
        assertThatThrownBy(() -> Migration.of("V0__zero.sql", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theShippedMigrationsLoadFromTheClasspathInOrder() {
        List<Migration> shipped = ClasspathMigrations.load();
        assertThat(shipped).extracting(Migration::script)
                .containsExactly("V1__messages.sql", "V2__messages_created_at_index.sql",
                        "V3__messages_id_desc_index.sql", "V4__messages_id_by_default.sql");
        assertThat(shipped.get(0).statements()).hasSize(1);
        assertThat(shipped.get(0).statements().get(0)).contains("CREATE TABLE MESSAGES")
                .contains("ID BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
                .contains("AUTHOR VARCHAR(64) NOT NULL").contains("BODY VARCHAR(2000) NOT NULL")
                .contains("CREATED_AT TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL");
    }

    private List<String> history() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT VERSION, DESCRIPTION, CHECKSUM FROM " + schema + ".SCHEMA_HISTORY ORDER BY VERSION")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }
}
