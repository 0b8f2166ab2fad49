package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code firewall export}: a host's rules from a topology file, as nftables and iptables would load them. */
class FirewallCommandTest {

    @TempDir
    Path dir;

    Path topology() throws Exception {
        Path file = dir.resolve("fw.yaml");
        Files.writeString(file, """
                name: fw
                hosts:
                  lb-1: { address: 127.0.0.10, tiers: { lb: { servers: [ { host: server-1 } ] } } }
                  server-1:
                    address: 127.0.0.11
                    tiers: { web: {}, app: {}, db: {} }
                    firewall:
                      default: drop
                      rules:
                        - { accept: tcp/8080, from: lb-1, comment: the balancer }
                        - { reject: tcp/1527 }
                """);
        return file;
    }

    /** The tool's check mode on {@code rules}; fails when the tool is missing in CI, skips elsewhere. */
    static void check(Path rules, String... command) throws Exception {
        Path tool = Path.of(command[0]);
        boolean ci = String.valueOf(System.getenv("CI")).matches("true|1");
        if (!Files.isExecutable(tool)) {
            if (ci) {
                throw new AssertionError(tool + " is missing: CI installs it (.ci/run)");
            }
            assumeTrue(false, tool + " is not installed");
        }
        Process p = new ProcessBuilder(command).redirectInput(rules.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    @Test
    void theNftablesRulesetSaysTheSameAndNftAcceptsIt() throws Exception {
        AnalyzeCommandTest.Run run = AnalyzeCommandTest.run("firewall", "export", "server-1", "--topology",
                topology().toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("policy drop;",
                "ip daddr 127.0.0.11 ip saddr 127.0.0.10 tcp dport 8080 counter accept comment \"rule 1: accept "
                        + "tcp/8080 from 127.0.0.10 (the balancer)\"",
                "tcp dport 1527 counter reject with tcp reset");
        Path rules = dir.resolve("server-1.nft");
        Files.writeString(rules, run.out());
        check(rules, "/usr/sbin/nft", "-c", "-f", rules.toString());
    }

    @Test
    void theIptablesRulesLoadInIptablesRestoresTestMode() throws Exception {
        AnalyzeCommandTest.Run run = AnalyzeCommandTest.run("firewall", "export", "server-1", "--topology",
                topology().toString(), "--format", "iptables");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("*filter", "COMMIT");
        Path rules = dir.resolve("server-1.iptables");
        Files.writeString(rules, run.out());
        check(rules, "/usr/sbin/iptables-restore", "--test");
    }

    @Test
    void aHostWithoutAFirewallHasNothingToExport() throws Exception {
        AnalyzeCommandTest.Run run = AnalyzeCommandTest.run("firewall", "export", "lb-1", "--topology",
                topology().toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("lb-1 has no firewall");
    }
}
