package org.foobarstack.launcher.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code up --netns} would do to the kernel, read from the plan alone: nothing runs, no root is needed (but for
 * the last test, which has nft check the rulesets).
 */
class NetnsPlanTest {

    private static final InetAddress NETWORK = NetnsPlan.DEFAULT_NETWORK;

    @TempDir
    Path dir;

    private static NetnsPlan plan(String design) {
        return NetnsPlan.of(ShippedTopologies.resolve(design), NETWORK);
    }

    private static List<String> lines(List<Step> steps) {
        return steps.stream().map(Step::line).toList();
    }

    @Test
    void distributedHasANamespacePerHostAndOneForTheClientOnTheBenchmarkingRange() {
        NetnsPlan plan = plan("distributed");

        assertThat(plan.namespaces()).extracting(Namespace::name)
                .containsExactly("fbs-ns1", "fbs-lb-1", "fbs-server-1", "fbs-server-2", "fbs-client");
        assertThat(plan.namespaces()).extracting(ns -> ns.address().getHostAddress())
                .containsExactly("198.18.0.2", "198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.254");
        assertThat(plan.bridgeAddress().getHostAddress()).isEqualTo("198.18.0.1");
        assertThat(plan.design().host("server-1").orElseThrow().address().getHostAddress()).isEqualTo("198.18.0.11");
        assertThat(plan.prefix("server-2")).containsExactly("ip", "netns", "exec", "fbs-server-2");
        assertThat(plan.client().client()).isTrue();
        assertThat(plan.hosts()).noneMatch(Namespace::client);
    }

    @Test
    void distributedIsBroughtUpInThisOrderCommandForCommand() {
        List<String> up = lines(plan("distributed").up());

        // the bridge first, then each namespace in the design's order, the client's last
        assertThat(up.subList(0, 3)).containsExactly(
                "ip link add fbs0 type bridge",
                "ip addr add 198.18.0.1/24 dev fbs0",
                "ip link set fbs0 up");
        assertThat(up.subList(3, 10)).containsExactly(
                "ip netns add fbs-ns1",
                "ip -n fbs-ns1 link set lo up",
                "ip link add fbs-ns1 type veth peer name eth0 netns fbs-ns1",
                "ip link set fbs-ns1 master fbs0",
                "ip link set fbs-ns1 up",
                "ip -n fbs-ns1 addr add 198.18.0.2/24 dev eth0",
                "ip -n fbs-ns1 link set eth0 up");
        assertThat(up).hasSize(3 + 5 * 7);
        assertThat(up.subList(up.size() - 7, up.size())).containsExactly(
                "ip netns add fbs-client",
                "ip -n fbs-client link set lo up",
                "ip link add fbs-client type veth peer name eth0 netns fbs-client",
                "ip link set fbs-client master fbs0",
                "ip link set fbs-client up",
                "ip -n fbs-client addr add 198.18.0.254/24 dev eth0",
                "ip -n fbs-client link set eth0 up");
        // no firewall and no balancer pair in this design: nothing but ip
        assertThat(up).noneMatch(line -> line.contains("nft") || line.contains("sysctl"));
    }

    @Test
    void teardownRemovesWhatWasMadeNewestFirst() {
        NetnsPlan plan = plan("distributed");

        assertThat(lines(plan.down())).containsExactly(
                "ip link del fbs-client", "ip netns del fbs-client",
                "ip link del fbs-server-2", "ip netns del fbs-server-2",
                "ip link del fbs-server-1", "ip netns del fbs-server-1",
                "ip link del fbs-lb-1", "ip netns del fbs-lb-1",
                "ip link del fbs-ns1", "ip netns del fbs-ns1",
                "ip link del fbs0");
        // exactly the reverse of the order things were made in
        List<NetObject> made = new ArrayList<>(plan.up().stream().map(Step::creates).flatMap(Optional::stream)
                .toList());
        Collections.reverse(made);
        assertThat(plan.down()).containsExactlyElementsOf(made.stream().map(NetObject::removal).toList());
    }

    @Test
    void aStartThatFailedHalfWayRemovesOnlyWhatItMade() {
        List<Step> up = plan("distributed").up();
        // stopped right after fbs-lb-1's veth was made: its address and link were never set
        int vethOfLb = lines(up).indexOf("ip link add fbs-lb-1 type veth peer name eth0 netns fbs-lb-1");

        assertThat(lines(NetnsPlan.teardownOf(up.subList(0, vethOfLb + 1)))).containsExactly(
                "ip link del fbs-lb-1", "ip netns del fbs-lb-1", "ip link del fbs-ns1", "ip netns del fbs-ns1",
                "ip link del fbs0");
        assertThat(NetnsPlan.teardownOf(List.of())).isEmpty();
    }

    @Test
    void securedLoadsEachHostsFirewallInItsNamespaceBeforeItsCableIsPlugged() {
        NetnsPlan plan = plan("secured");
        List<String> up = lines(plan.up());

        for (Namespace ns : plan.hosts()) {
            int firewall = up.indexOf("ip netns exec " + ns.name() + " nft -f -");
            assertThat(firewall).as(ns.host() + "'s firewall").isPositive();
            assertThat(firewall).isGreaterThan(up.indexOf("ip -n " + ns.name() + " link set lo up"))
                    .isLessThan(up.indexOf("ip link add " + ns.veth() + " type veth peer name eth0 netns "
                            + ns.name()));
        }
        assertThat(up).doesNotContain("ip netns exec fbs-client nft -f -");

        Step server1 = plan.up().stream().filter(s -> s.line().equals("ip netns exec fbs-server-1 nft -f -"))
                .findFirst().orElseThrow();
        // the design's rules, moved with the design: the balancer at its new address
        assertThat(server1.input()).contains("table inet foobar_server_1 {", "policy drop;",
                "ip daddr 198.18.0.11 ip saddr 198.18.0.10 tcp dport 8080 counter accept",
                "ip daddr 198.18.0.11 ip saddr { 198.18.0.11, 198.18.0.12 } tcp dport 1527 counter accept");
        // and the one rule that is not the design's: from the bridge, the supervisor's probes of the tiers' ports
        // and its collection of the host's hops from the host's admin API
        assertThat(server1.input()).contains("insert rule inet foobar_server_1 input ip saddr 198.18.0.1 "
                + "ip daddr 198.18.0.11 tcp dport { 8080, 9000, 1527, 9100 } counter accept");
        assertThat(server1.input()).doesNotContain("127.0.0.11");
        assertThat(server1.about()).startsWith("server-1's firewall as nftables rules (");
        assertThat(UpCommand.programs(plan)).containsExactly("ip", "nft");
    }

    @Test
    void scaledNamesTenHostsWithinIfnamsiz() {
        NetnsPlan plan = plan("scaled");
        List<String> up = lines(plan.up());

        assertThat(plan.hosts()).hasSize(10);
        assertThat(plan.namespaces()).allSatisfy(ns -> {
            assertThat(ns.veth()).hasSizeLessThanOrEqualTo(Namespace.MAX_INTERFACE_NAME).startsWith("fbs-");
            assertThat(ns.address().getHostAddress()).startsWith("198.18.0.");
        });
        assertThat(plan.namespaces()).extracting(Namespace::veth).doesNotHaveDuplicates();
        assertThat(plan.namespaceOf("db-2").orElseThrow().address().getHostAddress()).isEqualTo("198.18.0.42");
        assertThat(up).filteredOn(line -> line.endsWith(" nft -f -")).hasSize(10);
        assertThat(plan.down()).hasSize(2 * 11 + 1);
        // the pair's virtual address moves with the design; nothing in the plan puts it on an interface, which is
        // why up refuses this design
        assertThat(plan.design().balancers()).allSatisfy(lb ->
                assertThat(lb.tier().vrrp().orElseThrow().address().getHostAddress()).isEqualTo("198.18.0.100"));
        assertThat(up).noneMatch(line -> line.contains("198.18.0.100"));
        assertThat(UpCommand.programs(plan)).containsExactly("ip", "nft");
    }

    @Test
    void aLongHostNameGetsAShortInterfaceNameThatKeepsItsOctet() {
        assertThat(NetnsPlan.vethName("server-1", 11)).isEqualTo("fbs-server-1");
        assertThat(NetnsPlan.vethName("abcdefghijk", 7)).isEqualTo("fbs-abcdefghijk");
        assertThat(NetnsPlan.vethName("database-primary", 41)).isEqualTo("fbs-databas-41");
        assertThat(NetnsPlan.vethName("a-host-named-at-length-thirty-1", 200)).hasSize(15);
    }

    @Test
    void aDesignThatDoesNotFitIsRefusedWithTheReason() throws Exception {
        // simple's one host is 127.0.0.1, which would be the bridge's address
        assertThatThrownBy(() -> plan("simple")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("198.18.0.1").hasMessageContaining("bridge");
        assertThatThrownBy(() -> NetnsPlan.of(ShippedTopologies.resolve("distributed"),
                InetAddress.getByName("198.18.0.5"))).hasMessageContaining("A.B.C.0");
        Path client = dir.resolve("client.yaml");
        Files.writeString(client, """
                name: visitors
                hosts:
                  client: { address: 127.0.0.5, tiers: { dns: {} } }
                """);
        assertThatThrownBy(() -> NetnsPlan.of(ShippedTopologies.resolve(client.toString()), NETWORK))
                .hasMessageContaining("client");
        Path last = dir.resolve("last.yaml");
        Files.writeString(last, """
                name: last
                hosts:
                  ns1: { address: 127.0.0.254, tiers: { dns: {} } }
                """);
        assertThatThrownBy(() -> NetnsPlan.of(ShippedTopologies.resolve(last.toString()), NETWORK))
                .hasMessageContaining("client's");
    }

    @Test
    void anotherNetworkMovesEverything() throws Exception {
        NetnsPlan plan = NetnsPlan.of(ShippedTopologies.resolve("distributed"), InetAddress.getByName("10.99.7.0"));

        assertThat(plan.bridgeAddress().getHostAddress()).isEqualTo("10.99.7.1");
        assertThat(plan.client().address().getHostAddress()).isEqualTo("10.99.7.254");
        assertThat(lines(plan.up())).contains("ip -n fbs-lb-1 addr add 10.99.7.10/24 dev eth0");
    }

    @Test
    void aStepReadsAsAShellWouldRunIt() {
        Step step = Step.of(List.of("nft", "insert", "rule", "tcp dport { 1, 2 }", "it's"));

        assertThat(step.line()).isEqualTo("nft insert rule 'tcp dport { 1, 2 }' 'it'\\''s'");
    }

    @Test
    void downFindsWhatUpMadeByItsNames() {
        Leftovers found = Leftovers.parse("""
                        fbs-server-1 (id: 2)
                        fbs-client (id: 4)
                        other-ns
                        """, """
                        1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT
                        2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT
                        7: fbs0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT
                        9: fbs-server-1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master fbs0
                        11: fbsx: <BROADCAST> mtu 1500
                        """);

        assertThat(found.namespaces()).containsExactly("fbs-server-1", "fbs-client");
        assertThat(found.links()).containsExactly("fbs0", "fbs-server-1");
        assertThat(found.describe()).isEqualTo("namespaces fbs-server-1, fbs-client; interfaces fbs0, fbs-server-1");
        assertThat(Leftovers.parse("", "1: lo: <LOOPBACK>\n").none()).isTrue();
    }

    /** The kernel's own parser, in check mode, on every secured host's ruleset, the extra rule included. */
    @Test
    void nftAcceptsEverySecuredRuleset() throws Exception {
        Optional<Path> nft = IpRunner.find("nft");
        boolean ci = String.valueOf(System.getenv("CI")).matches("true|1");
        if (nft.isEmpty() || !IpRunner.root()) {
            if (ci) {
                throw new AssertionError("nft -c needs nft (CI installs nftables, .ci/run) and root");
            }
            assumeTrue(false, "nft is not installed, or this is not root");
        }
        int checked = 0;
        for (Step step : plan("secured").up()) {
            if (step.input() == null) {
                continue;
            }
            Path rules = dir.resolve(step.command().get(3) + ".nft");
            Files.writeString(rules, step.input());
            Process p = new ProcessBuilder(nft.get().toString(), "-c", "-f", rules.toString())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(step.line() + ": " + new String(p.getInputStream().readAllBytes()))
                    .isZero();
            checked++;
        }
        assertThat(checked).isEqualTo(5);
    }
}
