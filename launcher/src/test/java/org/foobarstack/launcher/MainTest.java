package org.foobarstack.launcher;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run} is parsed by a command line of its own (a faster start): the user must not see a difference. */
class MainTest {

    @Test
    void runAloneHasTheSameUsageAsRunAmongEveryCommand() {
        StringWriter alone = new StringWriter();
        StringWriter among = new StringWriter();

        int aloneCode = Main.runCommandLine().setOut(new PrintWriter(alone, true)).execute("--help");
        CommandLine every = Main.commandLine().setOut(new PrintWriter(among, true));
        int amongCode = every.execute("run", "--help");

        assertThat(aloneCode).isZero().isEqualTo(amongCode);
        assertThat(alone.toString()).startsWith("Usage: foobar-stack run ").contains("--dns-port=<dnsPort>")
                .isEqualTo(among.toString());
    }

    @Test
    void aBadRunFlagIsTheSameUsageErrorEitherWay() {
        StringWriter alone = new StringWriter();
        StringWriter among = new StringWriter();

        int aloneCode = Main.runCommandLine().setErr(new PrintWriter(alone, true)).execute("--dns-port", "x");
        int amongCode = Main.commandLine().setErr(new PrintWriter(among, true)).execute("run", "--dns-port", "x");

        assertThat(aloneCode).isEqualTo(2).isEqualTo(amongCode);
        assertThat(alone.toString()).startsWith("Invalid value for option '--dns-port': 'x' is not an int")
                .isEqualTo(among.toString());
    }
}
