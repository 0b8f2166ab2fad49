package org.foobarstack.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.foobarstack.storage.replication.Replicas.app;
import static org.foobarstack.storage.replication.Replicas.await;
import static org.foobarstack.storage.replication.Replicas.awaitCaughtUp;
import static org.foobarstack.storage.replication.Replicas.insert;
import static org.foobarstack.storage.replication.Replicas.log;
import static org.foobarstack.storage.replication.Replicas.messages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageException;
import org.foobarstack.storage.StorageException.Problem;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.replication.ReplicationStatus.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A primary and a replica in this JVM, each on its own port, the replica following over Derby's client driver. */
@Timeout(120)
class ReplicationTest {

    @TempDir
    Path dir;

    private StorageServer primary;
    private StorageServer replica;

    @BeforeEach
    void startPrimaryAndReplica() {
        primary = Replicas.primary(dir.resolve("primary"));
        replica = Replicas.replica(dir.resolve("replica"), primary.jdbcUrl());
    }

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.close();
        }
        primary.close();
    }

    @Test
    void everyKindOfWriteOnThePrimaryAppearsOnTheReplicaWithTheSameLog() throws Exception {
        long first = insert(primary, "ada", "first");
        try (Connection c = app(primary); Statement st = c.createStatement()) {
            c.setAutoCommit(false);  // one transaction with three changes, applied together
            insert(c, "bob", "in a transaction");
            insert(c, "cy", "in the same transaction");
            st.executeUpdate("UPDATE MESSAGES SET BODY = 'edited' WHERE ID = " + first);
            c.commit();
            st.executeUpdate("DELETE FROM MESSAGES WHERE AUTHOR = 'bob'");
            c.commit();
        }

        awaitCaughtUp(replica, primary);

        assertThat(messages(replica)).isEqualTo(messages(primary)).hasSize(2);
        assertThat(messages(replica).get(0)).contains("|ada|edited|");
        assertThat(log(replica)).isEqualTo(log(primary));
        assertThat(log(primary)).extracting(row -> row.split("\\|")[2]).containsExactly("I", "I", "I", "U", "D");
        // transaction numbers: the first insert alone, then three changes of one transaction, then the delete
        assertThat(log(primary)).extracting(row -> row.split("\\|")[1]).containsExactly("1", "2", "2", "2", "3");
        ReplicationStatus status = replica.replicationStatus();
        assertThat(status.role()).isEqualTo(DatabaseRole.REPLICA);
        assertThat(status.state()).isEqualTo(State.STREAMING);
        assertThat(status.applied().txn()).isEqualTo(3);
        assertThat(status.lagTransactions()).isZero();
        assertThat(status.appliedTotal()).isEqualTo(5);
    }

    @Test
    void aWriteOnTheReplicaIsRefusedWithDerbysPermissionErrorWhileReadsWork() throws Exception {
        insert(primary, "ada", "hello");
        awaitCaughtUp(replica, primary);

        try (Connection c = app(replica); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT AUTHOR FROM MESSAGES")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ada");
            }
            assertThatThrownBy(() -> insert(c, "eve", "sneaky"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42500"))
                    .hasMessageContaining("does not have INSERT permission");
            assertThatThrownBy(() -> st.executeUpdate("DELETE FROM MESSAGES"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42500"));
        }
        assertThat(messages(replica)).hasSize(1);
    }

    @Test
    void pausingCreatesMeasuredLagAndResumingClearsIt() throws Exception {
        replica.pauseReplication();
        long id = insert(primary, "ada", "written while the replica is paused");

        await("the paused replica to measure its lag", () -> {
            ReplicationStatus s = replica.replicationStatus();
            return s.lagTransactions() == 1 && s.lag().toMillis() > 0;
        });
        ReplicationStatus paused = replica.replicationStatus();
        assertThat(paused.state()).isEqualTo(State.PAUSED);
        assertThat(paused.sourceHead().seq()).isGreaterThan(paused.applied().seq());
        assertThat(find(replica, id)).as("a read on the paused replica misses the new message").isFalse();
        assertThat(find(primary, id)).isTrue();

        replica.resumeReplication();
        awaitCaughtUp(replica, primary);

        assertThat(find(replica, id)).isTrue();
        ReplicationStatus resumed = replica.replicationStatus();
        assertThat(resumed.state()).isEqualTo(State.STREAMING);
        assertThat(resumed.lagTransactions()).isZero();
        assertThat(resumed.lag()).isZero();
    }

    @Test
    void promotionMakesTheReplicaWritableAndTheFencedPrimaryRefusesWrites() throws Exception {
        long last = insert(primary, "ada", "before the failover");
        awaitCaughtUp(replica, primary);

        primary.fence();
        LogPosition promotedAt = replica.promote();

        assertThat(promotedAt.seq()).isEqualTo(primary.logHead().seq());
        assertThat(replica.role()).isEqualTo(DatabaseRole.PRIMARY);
        long next = insert(replica, "bob", "after the failover");
        assertThat(next).as("keys go on after the last one replicated").isGreaterThan(last);
        assertThat(replica.logHead().seq()).as("the new primary logs its writes, numbered on").isEqualTo(promotedAt.seq() + 1);
        assertThatThrownBy(() -> insert(primary, "eve", "to the old primary"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42500"));
        assertThat(primary.role()).isEqualTo(DatabaseRole.FENCED);
    }

    @Test
    void aFencedPrimaryComesBackFencedAndIsReattachedOnlyFromAFreshCopy() throws Exception {
        insert(primary, "ada", "on the old primary");
        awaitCaughtUp(replica, primary);
        replica.promote();
        insert(replica, "bob", "on the new primary");
        StorageConfig oldPrimary = primary.config();
        primary.close();

        // configured as a primary again: refused, it was a primary and another one took over
        // (first it must learn that it was fenced: a primary that was down during the promotion has not)
        StorageServer asReplica = new StorageServer(oldPrimary.toBuilder()
                .replication(ReplicationConfig.replicaOf(replica.jdbcUrl())).build());
        asReplica.start();
        try {
            assertThat(asReplica.role()).as("a former primary never follows on a configuration's word")
                    .isEqualTo(DatabaseRole.FENCED);
            assertThatThrownBy(() -> insert(asReplica, "eve", "x"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42500"));
        } finally {
            asReplica.close();
        }
        StorageServer asPrimary = new StorageServer(oldPrimary);
        assertThatThrownBy(asPrimary::start).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.FENCED));

        Path aside = StorageServer.moveAside(oldPrimary);
        primary = new StorageServer(oldPrimary.toBuilder()
                .replication(ReplicationConfig.replicaOf(replica.jdbcUrl())).build());
        primary.start();

        assertThat(Files.isDirectory(aside)).as("the old copy is kept").isTrue();
        assertThat(primary.role()).isEqualTo(DatabaseRole.REPLICA);
        insert(replica, "cy", "after the re-attachment");
        awaitCaughtUp(primary, replica);
        assertThat(messages(primary)).isEqualTo(messages(replica)).hasSize(3);
    }

    @Test
    void aReplicaThatIsNotACopyIsMovedAsideAndCopiedAfresh() throws Exception {
        insert(primary, "ada", "on the primary");
        awaitCaughtUp(replica, primary);
        StorageConfig config = replica.config();
        replica.close();
        // the same directory, now as a standalone database that took a write of its own
        StorageServer standalone = new StorageServer(config.toBuilder().replication(ReplicationConfig.STANDALONE).build());
        standalone.start();
        insert(standalone, "eve", "not on the primary");
        standalone.close();

        replica = new StorageServer(config);
        replica.start();

        try (var files = Files.list(config.dataDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("foobar.replaced-"));
        }
        awaitCaughtUp(replica, primary);
        assertThat(messages(replica)).isEqualTo(messages(primary));
    }

    private static boolean find(StorageServer server, long id) throws SQLException {
        try (Connection c = app(server);
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM MESSAGES WHERE ID = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
