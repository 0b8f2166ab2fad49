package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.ShippedTopologies;
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
    void listeningOnEveryAddressLeavesTheFirewallAndThePairsElectionToTheClusterAndSaysSo() {
        HostCommand.ListenAny server = HostCommand.ListenAny.of(ShippedTopologies.resolve("secured"), "server-1");
        assertThat(server.design().host("server-1").orElseThrow().firewall()).isEmpty();
        assertThat(server.design().host("server-2").orElseThrow().firewall()).as("another host's file is as written")
                .isPresent();
        assertThat(server.notes()).containsExactly("  server-1's firewall is left to the cluster (a NetworkPolicy): "
                + "with --listen-any, connections come from the pods' own addresses, which its rules do not name");

        HostCommand.ListenAny balancer = HostCommand.ListenAny.of(ShippedTopologies.resolve("scaled"), "lb-1");
        assertThat(balancer.design().host("lb-1").orElseThrow().tier(LbTier.class).orElseThrow().vrrp()).isEmpty();
        assertThat(balancer.notes()).hasSize(2).last().asString()
                .isEqualTo("  lb-1 serves on its own address without the pair's election: the virtual address "
                        + "127.0.0.100 is a Service in front of both balancers");

        HostCommand.ListenAny plain = HostCommand.ListenAny.of(ShippedTopologies.resolve("distributed"), "server-1");
        assertThat(plain.notes()).isEmpty();
        assertThat(plain.design()).isEqualTo(ShippedTopologies.resolve("distributed"));
    }
}
