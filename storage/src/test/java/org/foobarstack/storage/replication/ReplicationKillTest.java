package org.foobarstack.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.storage.replication.Replicas.await;
import static org.foobarstack.storage.replication.Replicas.awaitCaughtUp;
import static org.foobarstack.storage.replication.Replicas.insert;
import static org.foobarstack.storage.replication.Replicas.log;
import static org.foobarstack.storage.replication.Replicas.messages;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.StorageServerMain;
import org.foobarstack.storage.TemplateDatabase;
import org.foobarstack.storage.durability.ChildJvm;
import org.foobarstack.storage.replication.ReplicationStatus.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL in the middle of replication, to the replica and to the primary, each run as a child JVM
 * ({@link StorageServerMain}) so that the kill is a real one: no shutdown hook, no clean database shutdown, a
 * batch cut off wherever it was.
 */
@Timeout(180)
class ReplicationKillTest {

    /** The replica must have applied this many changes before the kill: the kill comes mid-stream. */
    static final int APPLIED_BEFORE_KILL = 200;
    /** The writer's bound: it stops by itself if the test never tells it to. */
    static final int MAX_WRITES = 20_000;

    @TempDir
    Path dir;

    @Test
    void aReplicaKilledMidStreamResumesWithNoGapAndNoDuplicate() throws Exception {
        try (StorageServer primary = Replicas.primary(dir.resolve("primary"))) {
            Writer writer = new Writer(primary.jdbcUrl(), primary.appUser(), primary.appPassword());
            Path replicaDir = dir.resolve("replica");
            Process child = ChildJvm.start(StorageServerMain.class, dir.resolve("replica.stderr"), "--port", "0",
                    "--data-dir", replicaDir.toString(), "--role", "replica", "--source", primary.jdbcUrl());
            try {
                int port = readyPort(child, dir.resolve("replica.stderr"));
                writer.start();
                String childUrl = "jdbc:derby://127.0.0.1:" + port + "/" + replicaDir.resolve("foobar");
                await(APPLIED_BEFORE_KILL + " changes applied by the child replica",
                        () -> count(childUrl, primary) >= APPLIED_BEFORE_KILL);

                assertThat(child.toHandle().destroyForcibly()).isTrue();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                int atKill = writer.acknowledged.size();
                await("more writes after the kill", () -> writer.acknowledged.size() >= atKill + 100);
            } finally {
                child.destroyForcibly();
                writer.stop();
            }
            assertThat(writer.failure).as("the primary took every write").isNull();

            try (StorageServer replica = Replicas.replica(replicaDir, primary.jdbcUrl())) {
                long resumedFrom = replica.replicationStatus().applied().seq();
                awaitCaughtUp(replica, primary);

                assertThat(resumedFrom).as("it resumed from where the kill left it, not from the start")
                        .isGreaterThanOrEqualTo(APPLIED_BEFORE_KILL).isLessThan(primary.logHead().seq());
                List<String> onReplica = messages(replica);
                assertThat(onReplica).as("no gap, no duplicate: the same rows").isEqualTo(messages(primary));
                assertThat(onReplica).hasSize(writer.acknowledged.size());
                assertThat(log(replica)).isEqualTo(log(primary));
            }
        }
    }

    @Test
    void aPrimaryKilledMidStreamLeavesTheReplicaOnlyWhatThePrimaryCommitted() throws Exception {
        Path primaryDir = TemplateDatabase.copyInto(dir.resolve("primary"));
        Process child = ChildJvm.start(StorageServerMain.class, dir.resolve("primary.stderr"), "--port", "0",
                "--data-dir", primaryDir.toString(), "--role", "primary");
        StorageServer replica = null;
        Writer writer = null;
        int port;
        try {
            port = readyPort(child, dir.resolve("primary.stderr"));
            StorageConfig defaults = StorageConfig.builder().build();
            String primaryUrl = "jdbc:derby://127.0.0.1:" + port + "/" + primaryDir.resolve("foobar");
            replica = Replicas.replica(dir.resolve("replica"), primaryUrl);
            writer = new Writer(primaryUrl, defaults.appUser(), defaults.appPassword());
            writer.start();
            StorageServer r = replica;
            await(APPLIED_BEFORE_KILL + " changes applied", () -> r.replicationStatus().applied().seq()
                    >= APPLIED_BEFORE_KILL);

            assertThat(child.toHandle().destroyForcibly()).isTrue();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            writer.stop();
            await("the replica to notice that its primary is gone",
                    () -> r.replicationStatus().state() == State.CONNECTING);

            List<String> applied = messages(replica);
            List<String> appliedLog = log(replica);
            assertThat(applied).hasSizeGreaterThanOrEqualTo(APPLIED_BEFORE_KILL);

            // the primary restarts (Derby replays its log) on the same port, and the replica follows it again
            try (StorageServer restarted = new StorageServer(StorageConfig.builder().port(port).dataDir(primaryDir)
                    .replication(ReplicationConfig.PRIMARY).build())) {
                restarted.start();
                List<String> committed = messages(restarted);
                assertThat(committed).as("everything the replica applied was committed on the primary")
                        .containsAll(applied);
                assertThat(log(restarted).subList(0, appliedLog.size())).isEqualTo(appliedLog);
                assertThat(committed.stream().map(row -> Long.parseLong(row.substring(0, row.indexOf('|')))))
                        .as("every write the primary acknowledged survived its kill")
                        .containsAll(writer.acknowledged);

                awaitCaughtUp(replica, restarted);
                assertThat(messages(replica)).isEqualTo(messages(restarted));
            }
        } finally {
            child.destroyForcibly();
            if (writer != null) {
                writer.stop();
            }
            if (replica != null) {
                replica.close();
            }
        }
    }

    /** The port of a child StorageServerMain, from its "READY <port>" line. */
    private static int readyPort(Process child, Path stderr) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.startsWith("READY ")) {
                return Integer.parseInt(line.substring("READY ".length()).trim());
            }
        }
        throw new AssertionError("the child ended before READY: " + Files.readString(stderr));
    }

    private static long count(String url, StorageServer any) {
        try (Connection c = DriverManager.getConnection(url, any.appUser(), any.appPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM MESSAGES")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return 0; // not up yet
        }
    }

    /** Inserts messages one committed transaction at a time, keeping the ids whose commit returned. */
    private static final class Writer {
        final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        volatile Exception failure;

        Writer(String url, String user, String password) {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, user, password)) {
                    for (int i = 0; i < MAX_WRITES && !stop.get(); i++) {
                        acknowledged.add(insert(c, "writer", "message " + i));
                    }
                } catch (SQLException e) {
                    if (!stop.get()) {
                        failure = e;
                    }
                }
            }, "writer");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
