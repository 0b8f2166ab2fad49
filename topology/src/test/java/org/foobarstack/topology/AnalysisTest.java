package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code analyze} finds in each shipped design: each step of the course removes some findings. */
class AnalysisTest {

    static List<String> findings(Topology topology) {
        return Analysis.of(topology).stream().map(f -> f.kind().key() + ": " + f.subject()).toList();
    }

    @Test
    void theOneServerDesignHasEveryWeakness() {
        assertThat(findings(ShippedTopologies.load("simple"))).containsExactly(
                "spof: the name server (server-1)",
                "spof: the web server (server-1)",
                "spof: the application server (server-1)",
                "spof: the database (server-1)",
                "security: server-1",
                "security: the database on server-1",
                "security: the site's entry point (the web server)",
                "monitoring: the whole design",
                "scaling: server-1");
    }

    @Test
    void theDistributedDesignRemovesTheSingleServersButNotTheOneBalancerOrTheOnePrimary() {
        assertThat(findings(ShippedTopologies.load("distributed"))).containsExactly(
                "spof: the name server (ns1)",
                "spof: the load balancer (lb-1)",
                "spof: the write primary (server-1)",
                "security: ns1",
                "security: lb-1",
                "security: server-1",
                "security: server-2",
                "security: the database on server-1",
                "security: the database on server-2",
                "security: the site's entry point (the load balancer)",
                "monitoring: the whole design",
                "scaling: server-1",
                "scaling: server-2");
    }

    @Test
    void theSecuredDesignRemovesTheFirewallPlainHttpAndMonitoringFindingsButTlsEndsAtTheBalancer() {
        assertThat(findings(ShippedTopologies.load("secured"))).containsExactly(
                "spof: the name server (ns1)",
                "spof: the load balancer (lb-1)",
                "spof: the write primary (server-1)",
                "security: TLS ends at the load balancer (lb-1)",
                "scaling: server-1",
                "scaling: server-2");
    }

    @Test
    void theScaledDesignLeavesTheNameServerTheOnePrimaryTlsAtTheBalancerAndTheIdleBackup() {
        assertThat(findings(ShippedTopologies.load("scaled"))).containsExactly(
                "spof: the name server (ns1)",
                "spof: the write primary (db-1)",
                "security: TLS ends at the load balancer (lb-1)",
                "scaling: the passive balancer (lb-2)");
    }

    @Test
    void aFirewallThatLetsOnlyTheAppServersReachTheDatabaseRemovesThatFinding() {
        Topology t = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers: { web: {}, app: {}, db: {} }
                    firewall:
                      default: drop
                      rules:
                        - { accept: tcp/8080 }
                        - { accept: tcp/1527, from: app }
                """);

        assertThat(findings(t)).doesNotContain("security: s", "security: the database on s")
                .contains("security: the site's entry point (the web server)");
        assertThat(Analysis.of(t)).allSatisfy(f -> {
            assertThat(f.explanation()).isNotBlank();
            assertThat(f.demonstrate()).isNotBlank();
        });
    }
}
