package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The designs shipped with the stack: what a user gets from {@code --topology simple} or {@code distributed}. */
class ShippedTopologiesTest {

    @Test
    void theShippedNamesAreSimpleThenDistributed() {
        assertThat(ShippedTopologies.names()).containsExactly("simple", "distributed", "secured", "scaled");
    }

    @Test
    void simpleIsTheSingleServerStackOnItsUsualPorts() {
        Topology simple = ShippedTopologies.load("simple");

        assertThat(simple.name()).isEqualTo("simple");
        assertThat(simple.domain()).isEqualTo("foobar.com");
        assertThat(simple.www()).isEqualTo(WwwRecord.A);
        assertThat(simple.hosts()).extracting(HostSpec::name).containsExactly("server-1");
        HostSpec server = simple.host("server-1").orElseThrow();
        assertThat(server.address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(server.tiers()).containsExactly(
                new DnsTier(5300),
                new WebTier(8080, 8443, "server-1"),
                new AppTier(9000, "server-1"),
                new DbTier(1527));
        assertThat(simple.nameServer()).map(Placed::host).contains(server);
        assertThat(simple.balancers()).isEmpty();
        assertThat(addresses(simple.wwwAddresses())).containsExactly("127.0.0.1");
    }

    @Test
    void simpleSaysWhereTheNameServerRunsOnTheInternet() {
        String description = ShippedTopologies.load("simple").description();

        assertThat(description.lines().findFirst()).contains("The seeds' single-server design: one host runs every tier.");
        assertThat(description).contains("registrar or a DNS host");
    }

    @Test
    void distributedPutsABalancerInFrontOfTwoServers() {
        Topology distributed = ShippedTopologies.load("distributed");

        assertThat(distributed.hosts()).extracting(HostSpec::name)
                .containsExactly("ns1", "lb-1", "server-1", "server-2");
        assertThat(distributed.hosts()).extracting(host -> host.address().getHostAddress())
                .containsExactly("127.0.0.2", "127.0.0.10", "127.0.0.11", "127.0.0.12");
        assertThat(distributed.host("ns1").orElseThrow().tiers()).containsExactly(new DnsTier(5300));
        assertThat(distributed.host("server-1").orElseThrow().tiers()).containsExactly(
                new WebTier(8080, 8443, "server-1"), new AppTier(9000, "server-1"), new DbTier(1527));
        assertThat(distributed.host("server-2").orElseThrow().tiers()).containsExactly(
                new WebTier(8080, 8443, "server-2"), new AppTier(9000, "server-1"),
                new DbTier(1527, "server-1", DbTier.Failover.MANUAL));
        assertThat(distributed.primaryOf("server-2")).isEqualTo("server-1");
        assertThat(distributed.replicasOf("server-1")).containsExactly("server-2");
    }

    @Test
    void distributedBalancerIsRoundRobinWithHttpHealthChecks() {
        LbTier lb = ShippedTopologies.load("distributed").balancers().get(0).tier();

        assertThat(lb.port()).isEqualTo(8080);
        assertThat(lb.statsPort()).isEqualTo(8404);
        assertThat(lb.mode()).isEqualTo(LbMode.HTTP);
        assertThat(lb.balance()).isEqualTo(Balance.ROUNDROBIN);
        assertThat(lb.check()).isEqualTo(new HealthCheckSpec(CheckType.HTTP, "/health",
                Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
        assertThat(lb.retries()).isEqualTo(3);
        assertThat(lb.redispatch()).isTrue();
        assertThat(lb.timeouts()).isEqualTo(LbTimeouts.DEFAULT);
        assertThat(lb.servers()).containsExactly(LbServer.of("server-1"), LbServer.of("server-2"));
    }

    @Test
    void distributedRetriesARequestWhoseServerDiedOnTheOtherServer() {
        LbTier lb = ShippedTopologies.load("distributed").balancers().get(0).tier();

        assertThat(lb.retryOn()).containsExactly(RetryOn.CONN_FAILURE, RetryOn.EMPTY_RESPONSE);
        assertThat(lb.redispatch()).isTrue();
    }

    @Test
    void distributedWwwPointsAtTheBalancerOnly() {
        Topology distributed = ShippedTopologies.load("distributed");

        assertThat(addresses(distributed.wwwAddresses())).containsExactly("127.0.0.10");
        assertThat(distributed.nameServer()).map(ns -> ns.host().name()).contains("ns1");
    }

    @Test
    void describeGivesEachNameAndTheFirstLineOfItsDescription() {
        assertThat(ShippedTopologies.describe()).isEqualTo("""
                simple       The seeds' single-server design: one host runs every tier.
                distributed  The course's second design: a load balancer in front of two servers, and the name server on a host of its own.
                secured      The course's third design: the distributed design with a firewall on every host, HTTPS at the balancer and a monitoring client on every host.
                scaled       The course's fourth design: every component on a server of its own, and two load balancers clustered as an active-passive pair behind one virtual address.""");
    }

    @Test
    void resolveTakesAShippedNameFirst() {
        assertThat(ShippedTopologies.resolve("distributed")).isEqualTo(ShippedTopologies.load("distributed"));
    }

    @Test
    void resolveReadsAFileWhenTheNameIsNotShipped(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mine.yaml");
        Files.writeString(file, """
                name: mine
                hosts:
                  box:
                    address: 127.0.0.50
                    tiers: { db: {} }
                """);

        Topology mine = ShippedTopologies.resolve(file.toString());

        assertThat(mine.name()).isEqualTo("mine");
        assertThat(mine.host("box").orElseThrow().tiers()).containsExactly(new DbTier(1527));
    }

    @Test
    void resolveNamesTheFileInErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mine.yaml");
        Files.writeString(file, "name: mine\n");

        assertThatThrownBy(() -> ShippedTopologies.resolve(file.toString()))
                .hasMessage(file + ":1:1: missing required key \"hosts\"");
    }

    @Test
    void resolveListsTheShippedNamesWhenNeitherExists() {
        assertThatThrownBy(() -> ShippedTopologies.resolve("distribute"))
                .isInstanceOf(TopologyException.class)
                .hasMessage("distribute: neither a shipped topology (simple, distributed, secured, scaled) nor a topology file");
    }

    @Test
    void loadRefusesAnUnknownName() {
        assertThatThrownBy(() -> ShippedTopologies.load("huge"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no shipped topology named \"huge\" (shipped: simple, distributed, secured, scaled)");
    }

    static List<String> addresses(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }
}
