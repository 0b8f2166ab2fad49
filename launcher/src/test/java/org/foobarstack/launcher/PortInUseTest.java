package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code run} with a port already taken: which tier, address and port, what holds it, the flag; exit code 2. */
class PortInUseTest {

    @TempDir
    Path dataDir;

    private record Run(int exitCode, String err) {
    }

    private Run run(String... flags) {
        StringWriter err = new StringWriter();
        CommandLine main = Main.commandLine();
        main.setErr(new PrintWriter(err, true));
        String[] args = new String[flags.length + 3];
        args[0] = "run";
        args[1] = "--data-dir";
        args[2] = dataDir.toString();
        System.arraycopy(flags, 0, args, 3, flags.length);
        return new Run(main.execute(args), err.toString());
    }

    @Test
    void aTakenHttpPortNamesTheTierTheAddressWhatHoldsItAndTheFlag() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int taken = squatter.getLocalPort();

            Run run = run("--dns-port", "0", "--http-port", String.valueOf(taken), "--https-port", "0",
                    "--app-port", "0", "--db-port", "0", "--admin-port", "0");

            assertThat(run.exitCode()).isEqualTo(RunCommand.PORT_IN_USE).isEqualTo(2);
            assertThat(run.err().lines()).containsExactly(
                    "foobar-stack could not start: the web server cannot listen on 127.0.0.1:" + taken
                            + ": the port is already in use.",
                    "  what holds it:  ss -ltnp 'sport = :" + taken + "'   (another foobar-stack? bin/foobar-stack"
                            + " ctl status asks it; Ctrl+C where it runs stops it)",
                    "  to move it:     run --http-port N   (0 picks a free port)",
                    "  (--verbose prints the whole error)");
        }
    }

    @Test
    void aTakenDnsPortPointsAtUdpToo() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int taken = squatter.getLocalPort();

            Run run = run("--dns-port", String.valueOf(taken), "--http-port", "0", "--https-port", "0",
                    "--app-port", "0", "--db-port", "0", "--admin-port", "0");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("the DNS server cannot listen on 127.0.0.1:" + taken)
                    .contains("ss -ltunp 'sport = :" + taken + "'")
                    .contains("run --dns-port N")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void verbosePrintsTheStackTraceToo() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int taken = squatter.getLocalPort();

            Run run = run("--verbose", "--dns-port", "0", "--http-port", "0", "--https-port", "0",
                    "--app-port", "0", "--db-port", "0", "--admin-port", String.valueOf(taken));

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("Stack$TierStartException", "\tat ")
                    .contains("the admin cannot listen on 127.0.0.1:" + taken)
                    .contains("run --admin-port N")
                    .doesNotContain("--verbose prints");
        }
    }
}
