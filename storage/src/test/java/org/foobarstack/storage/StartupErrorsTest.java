package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.foobarstack.storage.StorageException.Problem;
import org.foobarstack.storage.migration.ClasspathMigrations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a start can fail that a learner can cause, and the message each one gets. */
class StartupErrorsTest {

    @TempDir
    Path dir;

    private StorageConfig.Builder config() {
        return StorageConfig.builder().port(0).dataDir(dir.resolve("storage"));
    }

    /** A config whose data directory already holds a ready database. */
    private StorageConfig.Builder existing() {
        return StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir.resolve("storage")));
    }

    private static void assertProblem(StorageServer server, Problem problem, String... messageParts) {
        assertThatThrownBy(server::start)
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.problem()).isEqualTo(problem))
                .hasMessageContaining("What to do:")
                .hasMessageContaining(problem.whatToDo())
                .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
        server.close();
    }

    @Test
    void aTakenPortIsNamedWithTheAddress() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = squatter.getLocalPort();
            assertProblem(new StorageServer(existing().port(port).build()), Problem.PORT_TAKEN,
                    "127.0.0.1:" + port + " is already in use");
        }
        // the database was opened before the port check: a failed start must release it again
        try (StorageServer retry = new StorageServer(config().build())) {
            retry.start();
            assertThat(retry.healthy()).isTrue();
        }
    }

    @Test
    void anAddressThisMachineDoesNotHaveIsNamed() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
        assertProblem(new StorageServer(existing().host("192.0.2.1").build()), Problem.ADDRESS_UNUSABLE, "192.0.2.1");
    }

    @Test
    void aForeignDirectoryIsNotTakenForADatabase() throws Exception {
        Path databaseDir = dir.resolve("storage/foobar");
        Files.createDirectories(databaseDir);
        Files.writeString(databaseDir.resolve("notes.txt"), "someone else's files");

        assertProblem(new StorageServer(config().build()), Problem.NOT_A_DATABASE, databaseDir.toString());
        assertThat(Files.readString(databaseDir.resolve("notes.txt"))).isEqualTo("someone else's files");
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsReported() throws Exception {
        Path aFile = Files.writeString(dir.resolve("plain-file"), "x");
        // Works even as root, for whom permission bits do not stop writes: a directory cannot live under a file.
        assertProblem(new StorageServer(config().dataDir(aFile.resolve("storage")).build()), Problem.NOT_WRITABLE,
                "cannot create");
    }

    @Test
    void aJvmThatSkipsLogSyncingIsRefused() {
        String before = System.getProperty(StorageServer.DURABILITY_PROPERTY);
        System.setProperty(StorageServer.DURABILITY_PROPERTY, "test");
        try {
            assertProblem(new StorageServer(config().build()), Problem.UNSAFE_DURABILITY, "derby.system.durability=test");
        } finally {
            if (before == null) {
                System.clearProperty(StorageServer.DURABILITY_PROPERTY);
            } else {
                System.setProperty(StorageServer.DURABILITY_PROPERTY, before);
            }
        }
        assertThat(Files.exists(dir.resolve("storage/foobar"))).as("nothing was created").isFalse();
    }

    @Test
    void aDamagedDatabaseIsReportedAsCorruptWithTheRestoreAdvice() throws Exception {
        StorageConfig config = existing().build();
        deleteTree(config.databaseDir().resolve("seg0")); // the data files

        assertProblem(new StorageServer(config), Problem.CORRUPT_DATABASE, config.databaseDir().toString(), "XJ040");
    }

    @Test
    void aDatabaseWrittenByNewerCodeIsRefused() {
        StorageConfig config = existing().build();
        StorageServer older = new StorageServer(config, ClasspathMigrations.load().subList(0, 1));
        assertProblem(older, Problem.DATABASE_NEWER_THAN_CODE,
                "schema version " + ClasspathMigrations.load().size(), "up to 1");
    }

    @Test
    void aWrongOwnerPasswordIsNamed() {
        StorageConfig config = existing().build();
        assertProblem(new StorageServer(config.toBuilder().ownerPassword("not-the-password").build()),
                Problem.WRONG_CREDENTIALS, "08004");
    }

    @Test
    void aWrongAppPasswordIsNamed() {
        StorageConfig config = existing().build();
        assertProblem(new StorageServer(config.toBuilder().appPassword("not-the-password").build()),
                Problem.WRONG_CREDENTIALS, config.appUser(), "08004");
    }

    @Test
    void anotherAppUserNameIsRefusedInsteadOfOpeningAnEmptySchema() {
        StorageConfig config = existing().build();
        assertProblem(new StorageServer(config.toBuilder().app("someone_else", "pw").build()),
                Problem.WRONG_CREDENTIALS, "created for the app user FOOBAR_APP, not SOMEONE_ELSE");
    }

    @Test
    void invalidConfigurationIsRejectedAtBuildTime() {
        assertThatThrownBy(() -> StorageConfig.builder().port(70_000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> StorageConfig.builder().app("x'; DROP TABLE MESSAGES --", "pw").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("appUser");
        assertThatThrownBy(() -> StorageConfig.builder().app("foobar_owner", "pw").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different accounts");
        assertThat(StorageConfig.builder().ownerPassword("secret").build().toString()).doesNotContain("secret");
    }

    static void deleteTree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}
