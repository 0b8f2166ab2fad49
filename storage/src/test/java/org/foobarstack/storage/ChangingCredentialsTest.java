package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.foobarstack.storage.StorageException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The password change the README describes, done over the network as a learner would in ij. */
class ChangingCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void theOwnerResetsTheAppPasswordAndTheServerStartsWithTheNewOne() throws Exception {
        StorageConfig config = StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir)).build();
        try (StorageServer server = new StorageServer(config);) {
            server.start();
            try (Connection owner = DriverManager.getConnection(server.jdbcUrl(), config.ownerUser(), config.ownerPassword());
                 CallableStatement cs = owner.prepareCall("CALL SYSCS_UTIL.SYSCS_RESET_PASSWORD(?, ?)")) {
                cs.setString(1, "FOOBAR_APP");
                cs.setString(2, "a-new-app-password");
                cs.execute();
            }
            assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), "foobar_app", "app-local-only").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08004"));
            DriverManager.getConnection(server.jdbcUrl(), "foobar_app", "a-new-app-password").close();
        }

        StorageServer stale = new StorageServer(config);
        assertThatThrownBy(stale::start).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.WRONG_CREDENTIALS));
        try (StorageServer updated = new StorageServer(config.toBuilder().appPassword("a-new-app-password").build())) {
            updated.start();
            assertThat(updated.healthy()).isTrue();
        }
    }

    @Test
    void theOwnerChangesItsOwnPassword() throws Exception {
        StorageConfig config = StorageConfig.builder().port(0).dataDir(TemplateDatabase.copyInto(dir)).build();
        try (StorageServer server = new StorageServer(config)) {
            server.start();
            try (Connection owner = DriverManager.getConnection(server.jdbcUrl(), config.ownerUser(), config.ownerPassword());
                 CallableStatement cs = owner.prepareCall("CALL SYSCS_UTIL.SYSCS_MODIFY_PASSWORD(?)")) {
                cs.setString(1, "a-new-owner-password");
                cs.execute();
            }
        }
        try (StorageServer server = new StorageServer(config.toBuilder().ownerPassword("a-new-owner-password").build())) {
            server.start();
            assertThat(server.healthy()).isTrue();
        }
    }
}
