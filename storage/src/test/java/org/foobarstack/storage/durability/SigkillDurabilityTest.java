package org.foobarstack.storage.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageException;
import org.foobarstack.storage.StorageException.Problem;
import org.foobarstack.storage.StorageRestore;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.TemplateDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing storage tier with SIGKILL and checks that nothing it acknowledged was lost.
 *
 * <ol>
 *   <li>a child JVM ({@link AcknowledgedWriter}) runs a StorageServer and inserts rows, one committed
 *       transaction each, printing the id of every row whose commit returned;</li>
 *   <li>while it writes, a second engine (this JVM) must be refused the same database, and so must a
 *       restore into its data directory: DATABASE_LOCKED, nothing changed;</li>
 *   <li>after at least {@value #ACKS_BEFORE_KILL} acknowledgements the child gets SIGKILL (no shutdown hook,
 *       no clean database shutdown) in the middle of its stream;</li>
 *   <li>the database is booted again here (Derby replays its log: crash recovery) and every acknowledged
 *       row must be there, byte for byte, with no partial row and no hole in the sequence.</li>
 * </ol>
 * The same check will also be run through the whole stack's HTTP API once the web and app tiers exist;
 * this one pins down the storage tier's own promise at the JDBC level.
 */
class SigkillDurabilityTest {

    static final int ACKS_BEFORE_KILL = 1_000;
    /** Upper bound so the child stops by itself if the kill never comes. */
    static final int MAX_ROWS = 100_000;
    /** The lock check runs once this many writes are acknowledged, i.e. mid-stream. */
    static final int ACKS_BEFORE_LOCK_CHECK = 50;

    @TempDir
    Path dir;

    /**
     * Longer than the default two minutes, and longer than the test's own bounds added up: the child's start,
     * its {@link AcknowledgedWriter#MAX_RUN} of 90 s, 30 s for it to die, and the restart with crash recovery.
     * A slow machine then fails on the assertion that shows the child's stderr, not on the timeout.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Path dataDir = TemplateDatabase.copyInto(dir.resolve("storage"));
        Path childErr = dir.resolve("writer.stderr");
        Process child = ChildJvm.start(AcknowledgedWriter.class, childErr, dataDir.toString(), String.valueOf(MAX_ROWS));
        Map<Long, Long> acknowledged = new LinkedHashMap<>(); // id -> seq
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String first = lines.readLine();
            assertThat(first).as("child stderr: %s", readQuietly(childErr)).startsWith("READY ");

            boolean lockChecked = false;
            String line;
            while (acknowledged.size() < ACKS_BEFORE_KILL && (line = lines.readLine()) != null) {
                record(line, acknowledged);
                if (!lockChecked && acknowledged.size() >= ACKS_BEFORE_LOCK_CHECK) {
                    assertSecondEngineIsRefused(dataDir);
                    assertRestoreIsRefused(dataDir, TemplateDatabase.copyInto(dir.resolve("not-now")));
                    lockChecked = true;
                }
            }
            assertThat(acknowledged).as("child stderr: %s", readQuietly(childErr)).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

            // SIGKILL on Unix: the JVM gets no chance to shut anything down. Through the ProcessHandle, because
            // Process.destroyForcibly() would also close our end of its stdout before we read the rest.
            assertThat(child.toHandle().destroyForcibly()).isTrue();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // Lines already in the pipe were printed after their commit returned: acknowledged too.
            while ((line = lines.readLine()) != null) {
                record(line, acknowledged);
            }
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed, not finished").isEqualTo(128 + 9);

        Map<Long, Long> survived = new TreeMap<>(); // seq -> id
        try (StorageServer restarted = new StorageServer(StorageConfig.builder().port(0).dataDir(dataDir).build())) {
            restarted.start();
            try (Connection c = DriverManager.getConnection(restarted.jdbcUrl(), restarted.appUser(), restarted.appPassword());
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT ID, AUTHOR, BODY FROM MESSAGES ORDER BY ID")) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    String author = rs.getString(2);
                    assertThat(author).startsWith("writer-");
                    long seq = Long.parseLong(author.substring("writer-".length()));
                    assertThat(rs.getString(3)).as("row %d is whole", id).isEqualTo(AcknowledgedWriter.body(seq));
                    assertThat(survived.put(seq, id)).as("seq %d stored once", seq).isNull();
                }
            }
        }

        for (Map.Entry<Long, Long> ack : acknowledged.entrySet()) {
            assertThat(survived.get(ack.getValue())).as("acknowledged row seq %d", ack.getValue()).isEqualTo(ack.getKey());
        }
        long lost = acknowledged.values().stream().filter(seq -> !survived.containsKey(seq)).count();
        assertThat(lost).isZero();
        // Commits were sequential, so the survivors are 1..n without a hole (n may exceed the acknowledged
        // count by the one write that committed but was not yet printed when the kill came).
        assertThat(survived.keySet()).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, survived.size()).boxed().toList());
        assertThat(survived.size()).isGreaterThanOrEqualTo(acknowledged.size());
        System.out.printf("SIGKILL durability: %d writes acknowledged, %d rows after restart, %d lost%n",
                acknowledged.size(), survived.size(), lost);
    }

    private static void record(String line, Map<Long, Long> acknowledged) {
        if (line.startsWith("ACK ")) {
            String[] parts = line.split(" ");
            acknowledged.put(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }
    }

    /** Derby allows one engine per database directory; a second process gets a clear DATABASE_LOCKED. */
    private static void assertSecondEngineIsRefused(Path dataDir) {
        StorageServer intruder = new StorageServer(StorageConfig.builder().port(0).dataDir(dataDir).build());
        assertThatThrownBy(intruder::start)
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.DATABASE_LOCKED))
                .hasMessageContaining("XSDB6")
                .hasMessageContaining(Problem.DATABASE_LOCKED.whatToDo());
    }

    /** Restoring under a running server would pull its files away: refused, and the writes go on. */
    private static void assertRestoreIsRefused(Path dataDir, Path someBackupDataDir) {
        StorageConfig config = StorageConfig.builder().port(0).dataDir(dataDir).build();
        assertThatThrownBy(() -> new StorageRestore(config).restoreFrom(someBackupDataDir.resolve("foobar")))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.DATABASE_LOCKED))
                .hasMessageContaining("nothing changed");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(none)";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
