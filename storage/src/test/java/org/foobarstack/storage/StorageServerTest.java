package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;

import java.time.Duration;
import java.util.List;

import org.foobarstack.storage.migration.ClasspathMigrations;
import org.foobarstack.storage.migration.Migration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageServerTest {

    @TempDir
    Path dir;

    private StorageConfig config(Path dataDir) {
        return StorageConfig.builder().port(0).dataDir(dataDir).build();
    }

    @Test
    void startsOnAFreePortCreatesTheGuestbookAndServesTheClientDriver() throws Exception {
        try (StorageServer server = new StorageServer(config(dir.resolve("storage")))) {
            server.start();

            assertThat(server.address().getPort()).isPositive();
            assertThat(server.jdbcUrl()).startsWith("jdbc:derby://127.0.0.1:" + server.port() + "/");
            try (Socket s = new Socket(server.address().getAddress(), server.port())) {
                assertThat(s.isConnected()).isTrue();
            }
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword())) {
                long id;
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)", new String[] {"ID"})) {
                    insert.setString(1, "ada");
                    insert.setString(2, "hello from the client driver");
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        assertThat(keys.next()).isTrue();
                        id = keys.getLong(1);
                    }
                }
                try (PreparedStatement read = c.prepareStatement(
                        "SELECT ID, AUTHOR, BODY, CREATED_AT FROM MESSAGES WHERE ID = ?")) {
                    read.setLong(1, id);
                    try (ResultSet rs = read.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString("AUTHOR")).isEqualTo("ada");
                        assertThat(rs.getString("BODY")).isEqualTo("hello from the client driver");
                        Timestamp created = rs.getTimestamp("CREATED_AT");
                        assertThat(created).isNotNull();
                    }
                }
            }
            assertThat(server.healthy()).isTrue();
            assertThat(server.schemaVersion()).isEqualTo(4);
        }
    }

    /** The lock-wait timeout is the database's own setting, a restart with another value changes it, in seconds. */
    @Test
    void theLockWaitTimeoutIsSetOnTheDatabaseAndFollowsTheConfig() throws Exception {
        Path data = dir.resolve("locks");
        try (StorageServer server = new StorageServer(config(data))) {
            server.start();
            assertThat(lockWaitTimeout(server)).isEqualTo(String.valueOf(StorageConfig.DEFAULT_LOCK_WAIT_SECONDS));
        }
        try (StorageServer server = new StorageServer(config(data).toBuilder()
                .lockWaitTimeout(Duration.ofSeconds(2)).build())) {
            server.start();
            assertThat(lockWaitTimeout(server)).isEqualTo("2");
        }
        assertThatThrownBy(() -> config(data).toBuilder().lockWaitTimeout(Duration.ofMillis(1500)).build())
                .hasMessageContaining("whole seconds");
    }

    private static String lockWaitTimeout(StorageServer server) throws Exception {
        // database properties are the owner's to read (SQL authorization is on)
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.config().ownerUser(),
                server.config().ownerPassword());
             PreparedStatement ps = c.prepareStatement(
                     "VALUES SYSCS_UTIL.SYSCS_GET_DATABASE_PROPERTY('derby.locks.waitTimeout')");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void thePlannedAddressIsKnownBeforeStartAndIsWhereTheServerThenListens() throws Exception {
        try (StorageServer server = new StorageServer(config(TemplateDatabase.copyInto(dir.resolve("storage"))))) {
            String plannedUrl = server.plannedJdbcUrl();
            int planned = server.plannedAddress().getPort();
            assertThat(planned).isPositive();
            assertThat(server.plannedAddress().getPort()).as("chosen once").isEqualTo(planned);

            server.start();

            assertThat(server.port()).isEqualTo(planned);
            assertThat(server.jdbcUrl()).isEqualTo(plannedUrl);
            try (Connection c = DriverManager.getConnection(plannedUrl, server.appUser(), server.appPassword())) {
                assertThat(c.isValid(5)).isTrue();
            }
        }
    }

    @Test
    void aRestartKeepsTheRowsAndDoesNotMigrateAgain() throws Exception {
        StorageConfig config = config(TemplateDatabase.copyInto(dir.resolve("storage")));
        try (StorageServer first = new StorageServer(config)) {
            first.start();
            try (Connection c = DriverManager.getConnection(first.jdbcUrl(), first.appUser(), first.appPassword());
                 Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES ('grace', 'still here?')");
            }
        }
        try (StorageServer second = new StorageServer(config)) {
            second.start();
            try (Connection c = DriverManager.getConnection(second.jdbcUrl(), second.appUser(), second.appPassword());
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT AUTHOR, BODY FROM MESSAGES")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("grace");
                assertThat(rs.getString(2)).isEqualTo("still here?");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void aDatabaseFromThePreviousVersionIsUpgradedOnStartAndKeepsItsRows() throws Exception {
        StorageConfig config = config(dir.resolve("storage"));
        List<Migration> shipped = ClasspathMigrations.load();
        try (StorageServer previous = new StorageServer(config, shipped.subList(0, shipped.size() - 1))) {
            previous.start();
            assertThat(previous.schemaVersion()).isEqualTo(shipped.size() - 1);
            try (Connection c = DriverManager.getConnection(previous.jdbcUrl(), previous.appUser(), previous.appPassword());
                 Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES ('old', 'written before the upgrade')");
            }
        }
        try (StorageServer current = new StorageServer(config)) {
            current.start();
            assertThat(current.schemaVersion()).isEqualTo(shipped.size());
            assertThat(count(current)).isEqualTo(1);
            try (Connection c = DriverManager.getConnection(current.jdbcUrl(), config.ownerUser(), config.ownerPassword());
                 ResultSet idx = c.getMetaData().getIndexInfo(null, config.appUser().toUpperCase(), "MESSAGES", false, false)) {
                List<String> indexes = new java.util.ArrayList<>();
                while (idx.next()) {
                    indexes.add(idx.getString("INDEX_NAME"));
                }
                assertThat(indexes).as("V2 added its index").contains("MESSAGES_CREATED_AT");
            }
        }
    }

    @Test
    void aFirstStartInterruptedAfterTheOwnerWasCreatedIsCompletedOnTheNextStart() throws Exception {
        StorageConfig config = config(dir.resolve("storage"));
        // What a first start leaves behind when killed right after creating the owner's credentials.
        String url = "jdbc:derby:" + config.databaseDir();
        try (Connection c = DriverManager.getConnection(url + ";create=true;user=" + config.ownerUser());
             var cs = c.prepareCall("CALL SYSCS_UTIL.SYSCS_CREATE_USER(?, ?)")) {
            cs.setString(1, config.ownerUser());
            cs.setString(2, config.ownerPassword());
            cs.execute();
        }
        try {
            DriverManager.getConnection(url + ";shutdown=true", config.ownerUser(), config.ownerPassword());
        } catch (SQLException expected) {
            assertThat(expected.getSQLState()).isEqualTo("08006");
        }

        try (StorageServer server = new StorageServer(config)) {
            server.start();
            assertThat(server.healthy()).isTrue();
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword());
                 Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.execute("DROP TABLE MESSAGES"))
                        .as("SQL authorization is on after the repair: the app user may not drop the owner's table")
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("42507"));
            }
        }
    }

    @Test
    void twoServersInOneJvmServeTwoSeparateDatabases() throws Exception {
        try (StorageServer a = new StorageServer(config(TemplateDatabase.copyInto(dir.resolve("a"))));
             StorageServer b = new StorageServer(config(TemplateDatabase.copyInto(dir.resolve("b"))))) {
            a.start();
            b.start();
            assertThat(a.port()).isNotEqualTo(b.port());
            try (Connection c = DriverManager.getConnection(a.jdbcUrl(), a.appUser(), a.appPassword());
                 Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES ('only', 'in a')");
            }
            assertThat(count(b)).isZero();
            assertThat(count(a)).isEqualTo(1);
            a.close();
            assertThat(b.healthy()).as("closing one server leaves the other serving").isTrue();
            assertThat(a.healthy()).isFalse();
        }
    }

    @Test
    void closeIsIdempotentAndReleasesThePort() throws Exception {
        StorageServer server = new StorageServer(config(TemplateDatabase.copyInto(dir.resolve("storage"))));
        server.start();
        int port = server.port();
        server.close();
        server.close();
        try (java.net.ServerSocket rebind = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThat(rebind.getLocalPort()).as("the port is free again").isEqualTo(port);
        }
        assertThat(server.healthy()).isFalse();
        assertThat(Files.exists(dir.resolve("storage/foobar/service.properties"))).isTrue();
    }

    static long count(StorageServer server) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM MESSAGES")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
