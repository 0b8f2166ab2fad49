package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.foobarstack.storage.StorageException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRestoreTest {

    @TempDir
    Path dir;

    @Test
    void anOnlineBackupRestoresExactlyWhatWasThereWhenItWasTaken() throws Exception {
        StorageConfig config = StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir.resolve("storage"))).build();
        Path backup;
        try (StorageServer server = new StorageServer(config)) {
            server.start();
            insert(server, "before backup 1");
            insert(server, "before backup 2");

            backup = server.backup(dir.resolve("backups/first"));
            assertThat(backup).isEqualTo(dir.resolve("backups/first/foobar"));
            assertThat(backup.resolve("service.properties")).isRegularFile();

            insert(server, "after backup");
            assertThat(bodies(server)).hasSize(3);
        }

        new StorageRestore(config).restoreFrom(backup);

        try (StorageServer restored = new StorageServer(config)) {
            restored.start();
            assertThat(bodies(restored)).containsExactly("before backup 1", "before backup 2");
            insert(restored, "after restore");
            assertThat(bodies(restored)).containsExactly("before backup 1", "before backup 2", "after restore");
        }
    }

    @Test
    void aBackupCanBeTakenOverTheNetworkByAnotherProgram() throws Exception {
        StorageConfig config = StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir.resolve("live"))).build();
        Path backup;
        try (StorageServer server = new StorageServer(config)) {
            server.start();
            insert(server, "backed up over DRDA");
            // what the launcher's backup subcommand does against a stack running in another process
            backup = StorageBackup.of(config.toBuilder().port(server.port()).build())
                    .backupTo(dir.resolve("remote-backup"), config.databaseName());

            assertThatThrownBy(() -> new StorageBackup(server.jdbcUrl(), config.appUser(), config.appPassword())
                    .backupTo(dir.resolve("not-allowed"), config.databaseName()))
                    .as("only the owner may take a backup")
                    .isInstanceOfSatisfying(StorageException.class,
                            e -> assertThat(e.problem()).isEqualTo(Problem.BACKUP_FAILED));
        }
        StorageConfig copy = config.toBuilder().dataDir(dir.resolve("copy")).build();
        new StorageRestore(copy).restoreFrom(backup);
        try (StorageServer server = new StorageServer(copy)) {
            server.start();
            assertThat(bodies(server)).containsExactly("backed up over DRDA");
        }
    }

    @Test
    void aBackupFromAnotherProcessNeedsTheRealPort() {
        assertThatThrownBy(() -> StorageBackup.of(StorageConfig.builder().port(0).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("real port");
    }

    @Test
    void restoreWithTheWrongOwnerPasswordIsRefusedAndChangesNothing() throws Exception {
        StorageConfig config = StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir.resolve("s"))).build();
        Path backup;
        try (StorageServer server = new StorageServer(config)) {
            server.start();
            backup = server.backup(dir.resolve("b"));
            insert(server, "newer than the backup");
        }
        StorageConfig wrong = config.toBuilder().ownerPassword("guess").build();
        assertThatThrownBy(() -> new StorageRestore(wrong).restoreFrom(backup))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.WRONG_CREDENTIALS))
                .hasMessageContaining("nothing changed");
        try (StorageServer server = new StorageServer(config)) {
            server.start();
            assertThat(bodies(server)).containsExactly("newer than the backup");
        }
    }

    @Test
    void restoreIntoAnEmptyDataDirectoryRebuildsTheDatabaseElsewhere() throws Exception {
        StorageConfig original = StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir.resolve("a"))).build();
        Path backup;
        try (StorageServer server = new StorageServer(original)) {
            server.start();
            insert(server, "moved");
            backup = server.backup(dir.resolve("backups"));
        }
        StorageConfig elsewhere = original.toBuilder().dataDir(dir.resolve("b")).build();
        new StorageRestore(elsewhere).restoreFrom(backup);
        try (StorageServer server = new StorageServer(elsewhere)) {
            server.start();
            assertThat(bodies(server)).containsExactly("moved");
        }
    }

    @Test
    void restoringFromSomethingThatIsNotABackupIsRefusedAndChangesNothing() throws Exception {
        StorageConfig config = StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir.resolve("storage"))).build();
        try (StorageServer server = new StorageServer(config)) {
            server.start();
            insert(server, "keep me");
        }
        Path notABackup = Files.createDirectories(dir.resolve("random"));

        assertThatThrownBy(() -> new StorageRestore(config).restoreFrom(notABackup))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.RESTORE_FAILED))
                .hasMessageContaining("service.properties");

        try (StorageServer server = new StorageServer(config)) {
            server.start();
            assertThat(bodies(server)).containsExactly("keep me");
        }
    }

    static void insert(StorageServer server, String body) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword());
             var ps = c.prepareStatement("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES ('test', ?)")) {
            ps.setString(1, body);
            ps.executeUpdate();
        }
    }

    static List<String> bodies(StorageServer server) throws SQLException {
        List<String> bodies = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.appUser(), server.appPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT BODY FROM MESSAGES ORDER BY ID")) {
            while (rs.next()) {
                bodies.add(rs.getString(1));
            }
        }
        return bodies;
    }
}
