package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.foobarstack.admin.Operation;
import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.WebTier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaled design (on 127.0.88.x), whose tiers have hosts of their own, scales its web tier alone: a web server
 * added is a host running a web server and nothing else, which both balancers of the pair take once its health
 * check rises; app servers are not scaled this way, and the refusal says why.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ScaleOneTierTest {

    @TempDir
    Path data;

    @Test
    void scaleWebAddsAWebServerAndNothingElse() throws Exception {
        Topology scaled = ShippedTopologies.load("scaled").relocated(88);
        Stack stack = new Stack(StackConfig.builder().topology(scaled).adminPort(0).dataDir(data).build());
        try {
            stack.start(line -> { });
            int hostsBefore = stack.topologySpec().hosts().size();

            Operation.Snapshot done = finished(stack, stack.scale("web", 3));

            HostSpec added = stack.topologySpec().host("web-3").orElseThrow();
            assertThat(added.address().getHostAddress()).isEqualTo("127.0.88.23");
            assertThat(added.tiers()).extracting(t -> t.role()).containsExactly(Role.WEB);
            // app-1 and app-2 each had one web server: the first of them gets the new one
            assertThat(added.tier(WebTier.class).orElseThrow().appHost()).isEqualTo("app-1");
            assertThat(stack.topologySpec().hosts()).hasSize(hostsBefore + 1);
            for (String lb : new String[] {"lb-1", "lb-2"}) {
                assertThat(((LbTierRuntime) stack.context().tier(lb, Role.LB)).serverHosts()).as(lb)
                        .containsExactly("web-1", "web-2", "web-3");
            }
            assertThat(done.steps()).extracting(Operation.Step::text)
                    .anyMatch(t -> t.contains("passing /api/* to app-1"))
                    .anyMatch(t -> t.startsWith("health check passed"));

            assertThatThrownBy(() -> stack.scale("app", 3)).isInstanceOf(ControlException.class)
                    .hasMessageContaining("scale web=N adds or removes web servers");

            finished(stack, stack.scale("web", 2));
            assertThat(stack.topologySpec().host("web-3")).isEmpty();
            assertThat(((LbTierRuntime) stack.context().tier("lb-1", Role.LB)).serverHosts())
                    .containsExactly("web-1", "web-2");
        } finally {
            stack.close();
        }
    }

    private static Operation.Snapshot finished(Stack stack, Operation op) throws InterruptedException {
        assertThat(stack.operations().await(90, TimeUnit.SECONDS)).as("the operation ended").isTrue();
        Operation.Snapshot done = op.snapshot();
        assertThat(done.state()).as("%s", done).isEqualTo(Operation.State.DONE);
        return done;
    }
}
