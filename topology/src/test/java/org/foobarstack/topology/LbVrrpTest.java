package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** A balancer pair in a topology file: the virtual address is where www points, and mistakes are named by line. */
class LbVrrpTest {

    private static String pair(String first, String second) {
        return """
                name: t
                hosts:
                  lb-1:
                    address: 127.0.0.10
                    tiers:
                      lb: { servers: [ { host: s } ], vrrp: %s }
                  lb-2:
                    address: 127.0.0.20
                    tiers:
                      lb: { servers: [ { host: s } ], vrrp: %s }
                  s:
                    address: 127.0.0.11
                    tiers: { web: {}, app: {}, db: {} }
                """.formatted(first, second);
    }

    @Test
    void wwwPointsAtTheVirtualAddressAndRelocationMovesIt() {
        Topology t = TopologyLoader.load("t.yaml", pair("{ address: 127.0.0.100, router-id: 51, priority: 150 }",
                "{ address: 127.0.0.100, router-id: 51 }"));

        assertThat(t.wwwAddresses()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.100");
        assertThat(t.balancers().get(1).tier().vrrp()).hasValueSatisfying(v -> {
            assertThat(v.priority()).isEqualTo(LbVrrp.DEFAULT_PRIORITY);
            assertThat(v.preempt()).isTrue();
            assertThat(v.port()).isEqualTo(LbVrrp.DEFAULT_PORT);
        });
        assertThat(t.relocated(9).wwwAddresses()).extracting(a -> a.getHostAddress()).containsExactly("127.0.9.100");
    }

    @Test
    void twoBalancersWithoutAPairAreBothInWwwActiveActive() {
        Topology t = TopologyLoader.load("t.yaml", pair("{ address: 127.0.0.100, router-id: 51 }",
                "{ address: 127.0.0.100, router-id: 51 }").replace(", vrrp: { address: 127.0.0.100, router-id: 51 }",
                ""));

        assertThat(t.wwwAddresses()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.10", "127.0.0.20");
    }

    @Test
    void mistakesAreNamedWhereTheyAre() {
        TopologyException e = catchThrowableOfType(TopologyException.class, () -> TopologyLoader.load("t.yaml",
                pair("{ address: 127.0.0.11, router-id: 0, priority: 255 }",
                        "{ address: 127.0.0.101, router-id: 51 }")));

        assertThat(e.problems()).extracting(Object::toString).containsExactly(
                "t.yaml:6:79: router-id must be 1..255 (keepalived's virtual_router_id), the same on both balancers "
                        + "of the pair",
                "t.yaml:6:92: priority must be 1..254, got 255 (higher is master)",
                "t.yaml:12:14: 127.0.0.11 is the virtual address of a balancer pair (line 6)");
    }
}
