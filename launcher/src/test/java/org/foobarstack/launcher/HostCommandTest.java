package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code foobar-stack host}: what it refuses, before it binds anything, and how it says so. */
class HostCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void aHostTheDesignDoesNotHaveIsAUsageErrorThatListsTheHosts() {
        assertThat(run("host", "server-9", "--topology", "distributed")).isEqualTo(2);
        assertThat(err.toString()).contains("no host server-9 in the topology distributed (hosts: ns1, lb-1, "
                + "server-1, server-2)");
    }

    @Test
    void theTopologyIsRequired() {
        assertThat(run("host", "server-1")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--topology=NAME|FILE'");
    }

    @Test
    void aNetworkMustBeIpv4() {
        assertThat(run("host", "server-1", "--topology", "distributed", "--network", "::1")).isEqualTo(2);
        assertThat(err.toString()).contains("not an IPv4 network");
    }

    @Test
    void listeningOnEveryAddressIsRefusedWhereTheHostsOwnAddressMatters() {
        assertThat(run("host", "server-1", "--topology", "secured", "--listen-any")).isEqualTo(2);
        assertThat(err.toString()).contains("--listen-any: server-1's firewall judges connections by the topology's "
                + "addresses");
        assertThat(run("host", "lb-1", "--topology", "scaled", "--listen-any")).isEqualTo(2);
        assertThat(err.toString()).contains("lb-1 shares a virtual address by VRRP");
    }
}
