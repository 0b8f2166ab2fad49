package org.foobarstack.storage.durability;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;

/**
 * The child JVM of {@link SigkillDurabilityTest}: starts a storage server on a data directory, then inserts
 * guestbook rows through the network client driver, one transaction each (auto-commit), and prints
 * {@code ACK <id> <seq>} only after the commit returned. Whatever it printed, the database promised to keep.
 *
 * <p>Bounded: it stops by itself after {@code maxRows} rows or {@link #MAX_RUN}, whichever comes first.
 *
 * <p>Arguments: {@code <dataDir> <maxRows>}.
 */
public final class AcknowledgedWriter {

    /** The writer stops by itself after this long even if nobody kills it. */
    static final Duration MAX_RUN = Duration.ofSeconds(90);

    private AcknowledgedWriter() {
    }

    /** The body of row number {@code seq}: long enough to span more than one log write, and checkable. */
    static String body(long seq) {
        return "message " + seq + " " + "x".repeat(500) + " end of message " + seq;
    }

    static String author(long seq) {
        return "writer-" + seq;
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        long maxRows = Long.parseLong(args[1]);
        PrintStream out = System.out;
        StorageServer server = new StorageServer(StorageConfig.builder().port(0).dataDir(dataDir).build());
        server.start();
        out.println("READY " + server.jdbcUrl());
        out.flush();
        long deadline = System.nanoTime() + MAX_RUN.toNanos();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword());
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)", new String[] {"ID"})) {
            for (long seq = 1; seq <= maxRows && System.nanoTime() < deadline; seq++) {
                insert.setString(1, author(seq));
                insert.setString(2, body(seq));
                insert.executeUpdate(); // auto-commit: returns once Derby has synced the commit to its log
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    out.println("ACK " + keys.getLong(1) + " " + seq);
                }
                out.flush();
            }
        }
        out.println("DONE");
        out.flush();
        server.close();
    }
}
