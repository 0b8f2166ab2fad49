package org.foobarstack.app;

import org.foobarstack.app.guestbook.AppVersion;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AppServerMainTest {

    private static AppServerMain parse(String... args) {
        CommandLine cmd = AppServerMain.commandLine();
        cmd.parseArgs(args);
        return cmd.getCommand();
    }

    @Test
    void withoutFlagsTheConfigIsTheBuildersDefault() {
        AppServerMain main = parse();
        assertThat(main.config()).isEqualTo(AppServerConfig.builder().build());
        assertThat(main.trace).isTrue();
    }

    @Test
    void everyLimitHasAFlag() {
        AppServerConfig config = parse("--bind", "127.0.0.12", "--port", "0", "--instance", "app-2",
                "--jdbc-url", "jdbc:derby://127.0.0.21:1528/foobar", "--db-user", "u", "--db-password", "p",
                "--workers", "3", "--db-pool-size", "5", "--io-threads", "2", "--max-conns", "7",
                "--max-reqs-per-conn", "1", "--max-queued", "9", "--max-params-bytes", "2048",
                "--max-stdin-bytes", "4096", "--max-buffered-bytes", "8192", "--request-timeout-ms", "1500",
                "--idle-timeout-ms", "60000", "--shutdown-timeout-ms", "250", "--db-connection-timeout-ms", "700",
                "--statement-timeout-s", "2", "--sql-trace-comments", "on", "--app-version", "v2",
                "--capacity", "4x25ms,queue=16").config();
        assertThat(config).isEqualTo(AppServerConfig.builder().bindAddress("127.0.0.12").port(0)
                .instanceName("app-2").jdbcUrl("jdbc:derby://127.0.0.21:1528/foobar").dbUser("u").dbPassword("p")
                .workerThreads(3).dbPoolSize(5).ioThreads(2).maxConnections(7).maxRequestsPerConnection(1)
                .maxQueuedRequests(9).maxParamsBytes(2048).maxStdinBytes(4096).maxBufferedBytes(8192)
                .requestTimeout(Duration.ofMillis(1500)).idleTimeout(Duration.ofMinutes(1))
                .shutdownTimeout(Duration.ofMillis(250)).dbConnectionTimeout(Duration.ofMillis(700))
                .statementTimeout(Duration.ofSeconds(2)).sqlTraceComments(true).appVersion(AppVersion.V2)
                .capacity(new Capacity(4, Duration.ofMillis(25), 16)).build());
        assertThat(config.multiplexes()).isFalse();
    }

    @Test
    void thePoolFollowsTheWorkersUnlessSetAndTracingSwitchesOff() {
        AppServerMain main = parse("--workers", "4", "--trace", "off");
        assertThat(main.config().dbPoolSize()).isEqualTo(4);
        assertThat(main.trace).isFalse();
    }

    @Test
    void aVersionOrCapacityThatCannotBeReadIsRefusedWithItsOwnReason() {
        assertThatThrownBy(() -> parse("--app-version", "v3")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("the known versions are v1, v2");
        assertThatThrownBy(() -> parse("--capacity", "4x25")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("without a unit; write it as 25ms or 1s");
        assertThat(parse().config().capacity()).as("no flag, nothing emulated").isNull();
    }

    @Test
    void aSwitchTakesOnOrOffOnly() {
        assertThatThrownBy(() -> parse("--trace", "maybe")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("takes on or off, not 'maybe'");
    }

    /** A value outside a limit's range stops the server before it binds, naming the flag and the rule; exit 2. */
    @Test
    void aValueOutsideALimitIsRefusedNamingTheFlag() {
        StringWriter err = new StringWriter();
        CommandLine cmd = AppServerMain.commandLine().setErr(new PrintWriter(err));
        assertThat(cmd.execute("--max-reqs-per-conn", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains(
                "app-server: --max-reqs-per-conn: maxRequestsPerConnection must be 1..65535, got 70000");
    }

    @Test
    void helpListsEveryFlagAndTheConfigsDefaults() {
        CommandLine cmd = AppServerMain.commandLine();
        String help = cmd.getUsageMessage();
        for (CommandLine.Model.OptionSpec option : cmd.getCommandSpec().options()) {
            assertThat(help).contains(option.longestName());
        }
        AppServerConfig defaults = AppServerConfig.builder().build();
        assertThat(help).contains("(default: " + defaults.maxParamsBytes() + ")",
                "(default: " + defaults.maxQueuedRequests() + ")",
                "(default: " + defaults.idleTimeout().toMillis() + ")",
                "(default: " + defaults.statementTimeout().toSeconds() + ")");
    }
}
