package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.foobarstack.launcher.hosts.HostFirewall;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyLoader;
import org.foobarstack.vrrp.State;
import org.foobarstack.vrrp.Transition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * VRRP advertisements pass through the host's firewall like any other datagram (on 127.0.89.x). lb-2's rules
 * forget to let lb-1's advertisements in: lb-2 hears nothing, believes lb-1 dead and enters MASTER while lb-1 is
 * still master (split brain), and its firewall counts every advertisement it dropped.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class VrrpThroughTheFirewallTest {

    @TempDir
    Path data;

    @Test
    void aFirewallThatDropsTheAdvertisementsSplitsThePair() throws Exception {
        Topology topology = TopologyLoader.load("split-brain.yaml", """
                name: split-brain
                hosts:
                  lb-1:
                    address: 127.0.89.10
                    tiers:
                      lb:
                        servers: [ { host: server-1 } ]
                        vrrp: { address: 127.0.89.100, router-id: 7, priority: 150 }
                    firewall:
                      default: drop
                      rules:
                        - { accept: tcp/8080 }
                        - { accept: udp/11200, from: lb-2, comment: VRRP advertisements }
                  lb-2:
                    address: 127.0.89.20
                    tiers:
                      lb:
                        servers: [ { host: server-1 } ]
                        vrrp: { address: 127.0.89.100, router-id: 7, priority: 100 }
                    firewall:
                      default: drop
                      rules:
                        - { accept: tcp/8080 }
                  server-1:
                    address: 127.0.89.11
                    tiers: { web: { https-port: off }, app: {}, db: {} }
                """);
        Stack stack = new Stack(StackConfig.builder().topology(topology).adminPort(0).dataDir(data).build());
        try {
            stack.start(line -> { });
            LbTierRuntime lb1 = (LbTierRuntime) stack.context().tier("lb-1", Role.LB);
            LbTierRuntime lb2 = (LbTierRuntime) stack.context().tier("lb-2", Role.LB);

            CompletableFuture<Transition> lb2Master = new CompletableFuture<>();
            lb2.onVrrpTransition(t -> {
                if (t.to() == State.MASTER) {
                    lb2Master.complete(t);
                }
            });
            lb2.vrrpTransitions().stream().filter(t -> t.to() == State.MASTER).findFirst()
                    .ifPresent(lb2Master::complete);

            Transition split = lb2Master.get(30, TimeUnit.SECONDS);
            assertThat(split.reason()).as("lb-2 never heard lb-1").startsWith("no advertisement");
            assertThat(lb1.vrrpTransitions()).as("lb-1 never left MASTER")
                    .filteredOn(t -> t.from() == State.MASTER).isEmpty();
            HostFirewall lb2Firewall = stack.context().firewall(stack.topologySpec().host("lb-2").orElseThrow());
            HostFirewall lb1Firewall = stack.context().firewall(stack.topologySpec().host("lb-1").orElseThrow());
            assertThat(lb2Firewall.blockedByDefault()).as("lb-1's advertisements, dropped at lb-2").isPositive();
            assertThat(lb1Firewall.blocked(2)).as("lb-2's advertisements are let in at lb-1 by rule 2").isZero();
            assertThat(lb1Firewall.blockedByDefault()).isZero();
        } finally {
            stack.close();
        }
    }
}
