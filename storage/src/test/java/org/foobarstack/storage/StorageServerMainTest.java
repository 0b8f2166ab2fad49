package org.foobarstack.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StorageServerMainTest {

    @Test
    void parsesTheDocumentedFlags() {
        StorageConfig c = StorageServerMain.parse(new String[] {
            "--bind", "127.0.0.12", "--port", "0", "--data-dir", "some/dir", "--app-password", "p1", "--owner-password", "p2"});
        assertThat(c.host()).isEqualTo("127.0.0.12");
        assertThat(c.port()).isZero();
        assertThat(c.dataDir()).isEqualTo(Path.of("some/dir").toAbsolutePath().normalize());
        assertThat(c.appPassword()).isEqualTo("p1");
        assertThat(c.ownerPassword()).isEqualTo("p2");
    }

    @Test
    void defaultsMatchTheReadme() {
        StorageConfig c = StorageServerMain.parse(new String[0]);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(1527);
        assertThat(c.dataDir()).isEqualTo(Path.of("data/storage").toAbsolutePath().normalize());
        assertThat(c.databaseName()).isEqualTo("foobar");
        assertThat(c.appUser()).isEqualTo("foobar_app");
        assertThat(c.appPassword()).isEqualTo("app-local-only");
        assertThat(c.ownerUser()).isEqualTo("foobar_owner");
        assertThat(c.ownerPassword()).isEqualTo("owner-local-only");
    }

    @Test
    void rejectsBadFlagsWithAMessage() {
        assertThatThrownBy(() -> StorageServerMain.parse("--port", "http"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--port");
        assertThatThrownBy(() -> StorageServerMain.parse("--colour", "red"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--colour");
        assertThatThrownBy(() -> StorageServerMain.parse("--bind"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--bind");
        assertThatThrownBy(() -> StorageServerMain.parse("--role", "leader"))
                .hasMessageContaining("--role is standalone, primary or replica, got 'leader'");
        assertThatThrownBy(() -> StorageServerMain.parse("--role", "replica"))
                .hasMessageContaining("--role replica needs --source");
        assertThat(StorageServerMain.parse("--help")).isNull();
    }

    @Test
    void aBadCommandLineExitsWithExUsageAndSaysWhy() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = StorageServerMain.commandLine();
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(commandLine.execute("--colour", "red")).isEqualTo(64);
        assertThat(err.toString()).contains("--colour").contains("--data-dir");
    }
}
