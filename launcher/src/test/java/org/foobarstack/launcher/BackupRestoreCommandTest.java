package org.foobarstack.launcher;

import org.foobarstack.storage.StorageException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code backup} copies a running stack's database; {@code restore} puts it back into a stopped stack. */
class BackupRestoreCommandTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path backups;

    @Test
    void aRestoredStackHasWhatWasThereAtBackupTimeAndNothingAfter() throws Exception {
        StackConfig config = StackConfig.ephemeral(dataDir);
        String copy;
        try (Stack stack = new Stack(config)) {
            stack.start(line -> { });
            assertThat(RawHttp.postJson(stack.web().httpAddress(), "/api/messages",
                    "{\"author\":\"ada\",\"body\":\"before the backup\"}").status()).isEqualTo(201);

            StringWriter out = new StringWriter();
            int code = Main.commandLine().setOut(new PrintWriter(out)).execute("backup",
                    "--to", backups.toString(),
                    "--db-port", String.valueOf(stack.storage().address().getPort()),
                    "--data-dir", dataDir.toString());
            assertThat(code).as("backup exit code, output: %s", out).isZero();
            assertThat(out.toString()).contains("backed up");
            copy = backups.resolve("foobar").toString();

            // written while the stack keeps serving: the backup must not contain it
            assertThat(RawHttp.postJson(stack.web().httpAddress(), "/api/messages",
                    "{\"author\":\"ada\",\"body\":\"after the backup\"}").status()).isEqualTo(201);
        }

        StringWriter err = new StringWriter();
        int code = Main.commandLine().setErr(new PrintWriter(err)).execute("restore",
                "--from", copy, "--data-dir", dataDir.toString());
        assertThat(code).as("restore exit code, errors: %s", err).isZero();

        try (Stack restored = new Stack(config)) {
            restored.start(line -> { });
            String list = RawHttp.get(restored.web().httpAddress(), "/api/messages").body();
            assertThat(list).contains("before the backup").doesNotContain("after the backup");
        }
    }

    @Test
    void restoreRefusesWhileAnotherProcessRunsTheStackAndChangesNothing() throws Exception {
        try (ChildStack stack = ChildStack.start(dataDir)) {
            assertThat(RawHttp.postJson(stack.web(), "/api/messages",
                    "{\"author\":\"ada\",\"body\":\"kept\"}").status()).isEqualTo(201);
            assertThat(Main.commandLine().execute("backup", "--to", backups.toString(),
                    "--db-port", String.valueOf(stack.database().getPort()),
                    "--data-dir", dataDir.toString())).isZero();
            assertThat(RawHttp.postJson(stack.web(), "/api/messages",
                    "{\"author\":\"ada\",\"body\":\"newer\"}").status()).isEqualTo(201);

            StringWriter err = new StringWriter();
            int code = Main.commandLine().setErr(new PrintWriter(err)).execute("restore",
                    "--from", backups.resolve("foobar").toString(), "--data-dir", dataDir.toString());

            // refused because the other JVM holds the database (Derby's XSDB6), not for any other reason
            Path database = Stack.storageConfig(StackConfig.builder().dataDir(dataDir).build()).databaseDir();
            Problem locked = Problem.DATABASE_LOCKED;
            assertThat(code).as("restore exit code, errors: %s", err).isEqualTo(1);
            assertThat(err.toString())
                    .startsWith("restore failed: storage: " + locked.meaning() + " [DATABASE_LOCKED, Derby SQLState XSDB6]"
                            + " restore refused, nothing changed: " + database + ": ")
                    .containsPattern("\\(SQLStates \\[[^]]*XSDB6[^]]*\\]\\)")
                    .endsWith(" -> What to do: " + locked.whatToDo() + System.lineSeparator());
            assertThat(RawHttp.get(stack.web(), "/api/messages").body()).contains("kept").contains("newer");
        }
    }
}
