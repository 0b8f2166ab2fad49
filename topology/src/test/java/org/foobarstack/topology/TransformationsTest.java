package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The two changes tests and demos make to a design: free ports, and another block of loopback addresses. */
class TransformationsTest {

    final Topology distributed = ShippedTopologies.load("distributed");

    @Test
    void ephemeralPortsAreAllZeroAndNothingElseChanges() {
        Topology ephemeral = distributed.withEphemeralPorts();

        assertThat(ephemeral.hosts()).flatExtracting(HostSpec::tiers)
                .flatExtracting(TierSpec::listeners)
                .extracting(TierSpec.Listener::port)
                .isNotEmpty()
                .containsOnly(0);
        assertThat(ephemeral.host("server-2").orElseThrow().tiers())
                .containsExactly(new WebTier(0, 0, "server-2"), new AppTier(0, "server-1"),
                        new DbTier(0, "server-1", DbTier.Failover.MANUAL));
        LbTier lb = ephemeral.balancers().get(0).tier();
        assertThat(lb.statsPort()).isZero();
        assertThat(lb).usingRecursiveComparison().ignoringFields("port", "statsPort")
                .isEqualTo(distributed.balancers().get(0).tier());
        assertThat(ephemeral.hosts()).extracting(HostSpec::address)
                .isEqualTo(distributed.hosts().stream().map(HostSpec::address).toList());
        assertThat(references(ephemeral)).isEqualTo(references(distributed));
    }

    @Test
    void aPortThatIsOffStaysOff() {
        Topology noHttps = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  s: { address: 127.0.0.11, tiers: { web: { https-port: off }, app: {}, db: {} } }
                """);

        assertThat(noHttps.withEphemeralPorts().host("s").orElseThrow().tier(WebTier.class))
                .contains(new WebTier(0, TierSpec.OFF, "s"));
    }

    @Test
    void relocatedMovesEveryAddressToAnotherThirdOctet() {
        Topology moved = distributed.relocated(7);

        assertThat(ShippedTopologiesTest.addresses(moved.hosts().stream().map(HostSpec::address).toList()))
                .containsExactly("127.0.7.2", "127.0.7.10", "127.0.7.11", "127.0.7.12");
        assertThat(ShippedTopologiesTest.addresses(moved.wwwAddresses())).containsExactly("127.0.7.10");
        assertThat(moved.hosts()).extracting(HostSpec::name).isEqualTo(List.of("ns1", "lb-1", "server-1", "server-2"));
        assertThat(moved.hosts()).extracting(HostSpec::tiers)
                .isEqualTo(distributed.hosts().stream().map(HostSpec::tiers).toList());
        assertThat(moved.relocated(0)).isEqualTo(distributed);
    }

    @Test
    void relocatedRefusesAnOctetOutOfRangeOrAddressesThatWouldCollide() {
        assertThatThrownBy(() -> distributed.relocated(256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("thirdOctet must be 0..255, got 256");
        Topology spread = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  a: { address: 127.0.1.11, tiers: { db: {} } }
                  b: { address: 127.0.2.11, tiers: { db: {} } }
                """);
        assertThatThrownBy(() -> spread.relocated(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("b and a have the same address 127.0.3.11");
    }

    @Test
    void renumberedMovesTheDesignToAnotherNetworkKeepingEachHostsLastOctet() throws Exception {
        Topology moved = distributed.renumbered(java.net.InetAddress.getByName("198.18.0.0"));

        assertThat(ShippedTopologiesTest.addresses(moved.hosts().stream().map(HostSpec::address).toList()))
                .containsExactly("198.18.0.2", "198.18.0.10", "198.18.0.11", "198.18.0.12");
        assertThat(ShippedTopologiesTest.addresses(moved.wwwAddresses())).containsExactly("198.18.0.10");
        assertThat(moved.hosts()).extracting(HostSpec::tiers)
                .isEqualTo(distributed.hosts().stream().map(HostSpec::tiers).toList());

        Topology pair = ShippedTopologies.resolve("scaled").renumbered(java.net.InetAddress.getByName("10.96.18.0"));
        assertThat(pair.balancers()).allSatisfy(lb -> assertThat(lb.tier().vrrp())
                .hasValueSatisfying(v -> assertThat(v.address().getHostAddress()).startsWith("10.96.18.")));
    }

    @Test
    void renumberedMovesAFirewallsLoopbackSourcesButNotItsNamesOrWideRanges() throws Exception {
        Topology design = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  a:
                    address: 127.0.0.11
                    tiers: { db: {} }
                    firewall:
                      default: drop
                      rules:
                        - { accept: tcp/1527, from: [127.0.0.1, b, 127.0.0.0/24, 127.0.0.0/8] }
                  b: { address: 127.0.0.12, tiers: { db: {} } }
                """);

        Topology moved = design.renumbered(java.net.InetAddress.getByName("198.18.0.0"));

        assertThat(moved.host("a").orElseThrow().firewall().orElseThrow().rules().get(0).from())
                .containsExactly("198.18.0.1", "b", "198.18.0.0/24", "127.0.0.0/8");
    }

    @Test
    void renumberedRefusesAnIpv6NetworkAndAddressesThatWouldCollide() throws Exception {
        assertThatThrownBy(() -> distributed.renumbered(java.net.InetAddress.getByName("::1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not an IPv4 network: 0:0:0:0:0:0:0:1");
        Topology spread = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  a: { address: 127.0.1.11, tiers: { db: {} } }
                  b: { address: 127.0.2.11, tiers: { db: {} } }
                """);
        assertThatThrownBy(() -> spread.renumbered(java.net.InetAddress.getByName("198.18.0.0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("b and a have the same address 198.18.0.11");
    }

    static List<List<TierSpec.Reference>> references(Topology topology) {
        return topology.hosts().stream().flatMap(host -> host.tiers().stream()).map(TierSpec::references).toList();
    }
}
