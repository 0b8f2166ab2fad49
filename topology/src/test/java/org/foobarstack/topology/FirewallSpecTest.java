package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.topology.LoaderErrorsTest.problems;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A host's firewall in a topology file: its rules in order, and what is wrong with a bad one, by line. */
class FirewallSpecTest {

    @Test
    void rulesAreReadInOrderWithTheirSources() {
        Topology t = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  lb-1: { address: 127.0.0.10, tiers: { lb: { servers: [ { host: s } ] } } }
                  s:
                    address: 127.0.0.11
                    tiers: { web: {}, app: {}, db: {} }
                    firewall:
                      default: drop
                      rules:
                        - { accept: tcp/8080, from: lb-1, comment: the balancer }
                        - { accept: tcp/1527, from: [app, 127.0.0.0/24] }
                        - { reject: tcp }
                        - { accept: any, from: any }
                """);

        FirewallSpec firewall = t.host("s").orElseThrow().firewall().orElseThrow();
        assertThat(firewall.defaultPolicy()).isEqualTo(FirewallSpec.Policy.DROP);
        assertThat(firewall.rules()).containsExactly(
                new FirewallSpec.RuleSpec(FirewallSpec.Policy.ACCEPT, "tcp", 8080, List.of("lb-1"), "the balancer"),
                new FirewallSpec.RuleSpec(FirewallSpec.Policy.ACCEPT, "tcp", 1527, List.of("app", "127.0.0.0/24"), ""),
                new FirewallSpec.RuleSpec(FirewallSpec.Policy.REJECT, "tcp", 0, List.of(), ""),
                new FirewallSpec.RuleSpec(FirewallSpec.Policy.ACCEPT, null, 0, List.of(), ""));
        assertThat(t.host("lb-1").orElseThrow().firewall()).isEmpty();
    }

    @Test
    void aBadRuleIsReportedWhereItIs() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers: { web: {}, app: {}, db: {} }
                    firewall:
                      rules:
                        - { accept: tcp/80, drop: tcp/81 }
                        - { accept: http }
                        - { accept: tcp/70000 }
                        - { accept: tcp/8080, from: [nobody, 10.0.0.0/33] }
                """)).containsExactly(
                "t.yaml:6:5: missing required key \"default\" in the firewall of s",
                "t.yaml:8:11: rule 1 of the firewall of s says what it does with exactly one of accept:, drop: or "
                        + "reject:, as in { accept: tcp/8080, from: lb-1 }",
                "t.yaml:9:21: \"http\" is not what a rule matches: tcp/PORT, udp/PORT, tcp, udp or any",
                "t.yaml:10:21: port 70000 is out of range 1..65535",
                "t.yaml:11:38: \"nobody\" in from: is neither a host of this topology (s), a role (dns, lb, web, app, "
                        + "db, monitor), an IPv4 address or block (127.0.0.0/24), nor any",
                "t.yaml:11:46: \"10.0.0.0/33\" in from: is neither a host of this topology (s), a role (dns, lb, web, "
                        + "app, db, monitor), an IPv4 address or block (127.0.0.0/24), nor any");
    }
}
