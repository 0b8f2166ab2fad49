package org.foobarstack.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.TemplateDatabase;

/** What the replication tests share: servers in each role, the app user's writes, and whole-table reads. */
final class Replicas {

    /** How long a replica may take to catch up in a test before it fails. */
    static final Duration CATCH_UP = Duration.ofSeconds(30);

    private Replicas() {
    }

    /** A primary on a free port, from a copy of the template database. */
    static StorageServer primary(Path dir) {
        StorageServer server = new StorageServer(StorageConfig.builder().port(0)
                .dataDir(TemplateDatabase.copyInto(dir)).replication(ReplicationConfig.PRIMARY).build());
        server.start();
        return server;
    }

    static StorageConfig replicaConfig(Path dir, String sourceUrl) {
        return StorageConfig.builder().port(0).dataDir(dir).replication(ReplicationConfig.replicaOf(sourceUrl))
                .build();
    }

    /** A replica of {@code sourceUrl} in {@code dir}: it makes its own copy of the primary when it has none. */
    static StorageServer replica(Path dir, String sourceUrl) {
        StorageServer server = new StorageServer(replicaConfig(dir, sourceUrl));
        server.start();
        return server;
    }

    static Connection app(StorageServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword());
    }

    /** Inserts a message as the app user, autocommit; returns its id. */
    static long insert(StorageServer server, String author, String body) throws SQLException {
        try (Connection c = app(server)) {
            return insert(c, author, body);
        }
    }

    static long insert(Connection c, String author, String body) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, author);
            ps.setString(2, body);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** Every message, by id, each as "id|author|body|created_at": two databases match when these lists are equal. */
    static List<String> messages(StorageServer server) throws SQLException {
        try (Connection c = app(server); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ID, AUTHOR, BODY, CREATED_AT FROM MESSAGES ORDER BY ID")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getTimestamp(4));
            }
            return rows;
        }
    }

    /** The change log, as the owner reads it: "seq|txn|op|old_key|id|author|body". */
    static List<String> log(StorageServer server) throws SQLException {
        StorageConfig config = server.config();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), config.ownerUser(), config.ownerPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SEQ, TXN, OP, OLD_KEY, ID, AUTHOR, BODY FROM REPL.MESSAGES_LOG "
                     + "ORDER BY SEQ")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getString(3) + "|" + rs.getObject(4) + "|"
                        + rs.getObject(5) + "|" + rs.getString(6) + "|" + rs.getString(7));
            }
            return rows;
        }
    }

    /** Waits until the replica has applied everything up to the primary's head now. */
    static void awaitCaughtUp(StorageServer replica, StorageServer primary) {
        long target = primary.logHead().seq();
        await("replica applied up to seq " + target + " (" + replica.replicationStatus() + ")",
                () -> replica.replicationStatus().applied().seq() >= target);
    }

    /** Polls a condition every 10 ms until it holds, failing the test after {@link #CATCH_UP}. */
    static void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("waited %s for: %s", CATCH_UP, what).isLessThan(deadline);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }
}
