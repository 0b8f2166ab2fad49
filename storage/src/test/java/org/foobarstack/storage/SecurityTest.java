package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication (NATIVE users) and authorization (SQL GRANTs) as seen by a client over the network. */
class SecurityTest {

    @TempDir
    static Path dir;

    private static StorageServer server;

    @BeforeAll
    static void start() {
        server = new StorageServer(StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir.resolve("storage"))).build());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Connection app() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword());
    }

    private static Connection owner() throws SQLException {
        StorageConfig c = server.config();
        return DriverManager.getConnection(server.jdbcUrl(), c.ownerUser(), c.ownerPassword());
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.appUser(), "guess").close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08004"));
    }

    @Test
    void anUnknownUserAndNoCredentialsAtAllAreRefused() {
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), "mallory", "pw").close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08004"));
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl()).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08004"));
    }

    @Test
    void theAppUserReadsAndWritesItsTableButCannotDropOrAlterIt() throws SQLException {
        try (Connection c = app(); Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES ('app', 'allowed')")).isEqualTo(1);
            assertThat(st.executeUpdate("UPDATE MESSAGES SET BODY = 'edited' WHERE AUTHOR = 'app'")).isEqualTo(1);
            assertThat(st.executeUpdate("DELETE FROM MESSAGES WHERE AUTHOR = 'app'")).isEqualTo(1);

            // 42507: "User 'FOOBAR_APP' can not perform the operation in schema 'FOOBAR_APP'": the schema is
            // named after the app user, yet its objects belong to the owner, so DDL there is the owner's alone
            assertThatThrownBy(() -> st.execute("DROP TABLE MESSAGES"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42507"));
            assertThatThrownBy(() -> st.execute("ALTER TABLE MESSAGES ADD COLUMN EXTRA INTEGER"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42507"));
            assertThatThrownBy(() -> st.execute("CREATE TABLE SNEAKY (ID INTEGER)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42507"));
            // 42502: no SELECT permission on a column of the table (Derby checks SELECT column by column)
            assertThatThrownBy(() -> st.executeQuery("SELECT * FROM SCHEMA_HISTORY").close())
                    .as("the migration history is the owner's business")
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42502"));
        }
        try (Connection c = app(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM MESSAGES")) {
            assertThat(rs.next()).as("MESSAGES is still there").isTrue();
        }
    }

    @Test
    void theAppUserCannotChangeDatabaseProperties() throws SQLException {
        try (Connection c = app();
             CallableStatement cs = c.prepareCall("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY(?, ?)")) {
            cs.setString(1, "derby.database.sqlAuthorization");
            cs.setString(2, "false");
            // 42504: no EXECUTE permission on the routine SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY
            assertThatThrownBy(cs::execute)
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42504"));
        }
    }

    @Test
    void theOwnerSeesTheHistoryOfEveryMigration() throws SQLException {
        String schema = server.appUser().toUpperCase(java.util.Locale.ROOT);
        try (Connection c = owner(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT VERSION, SCRIPT, APPLIED_BY FROM " + schema
                     + ".SCHEMA_HISTORY ORDER BY VERSION")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEqualTo("V1__messages.sql");
            assertThat(rs.getString(3)).isEqualToIgnoringCase(server.config().ownerUser());
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(2);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(3);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(4);
            assertThat(rs.next()).isFalse();
        }
    }
}
