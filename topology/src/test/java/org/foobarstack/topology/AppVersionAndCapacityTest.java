package org.foobarstack.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.foobarstack.topology.LoaderErrorsTest.problems;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An app tier's version and emulated capacity in a topology file, and the changes {@code scale} makes. */
class AppVersionAndCapacityTest {

    @Test
    void anAppTierRunsV1UnlessTheFileSaysOtherwise() {
        Topology t = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  s: { address: 127.0.0.11, tiers: { web: {}, app: {}, db: {} } }
                  u: { address: 127.0.0.12, tiers: { app: { version: v2, db: s } } }
                """);

        assertThat(t.host("s").orElseThrow().tier(AppTier.class).orElseThrow().version()).isEqualTo("v1");
        assertThat(t.host("u").orElseThrow().tier(AppTier.class).orElseThrow().version()).isEqualTo("v2");
    }

    @Test
    void capacityIsWorkersTimesServiceTimeWithAQueue() {
        Topology t = TopologyLoader.load("t.yaml", """
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      app: { capacity: { workers: 2, service-time: 40ms, queue: 8 } }
                      db: {}
                """);

        AppTier app = t.host("s").orElseThrow().tier(AppTier.class).orElseThrow();
        assertThat(app.capacity()).contains(new AppTier.Capacity(2, Duration.ofMillis(40), 8));
        assertThat(app.capacity().orElseThrow().maxPerSecond()).isEqualTo(50.0);
    }

    @Test
    void anUnknownVersionAndABadCapacityAreReportedWithTheirLines() {
        assertThat(problems("""
                name: t
                hosts:
                  s:
                    address: 127.0.0.11
                    tiers:
                      app: { version: v3, capacity: { workers: 0, queue: 1, speed: 3 } }
                      db: {}
                """)).containsExactly(
                "t.yaml:6:23: unknown app version \"v3\" (the versions that ship: v1, v2)",
                "t.yaml:6:27: missing required key \"service-time\" in the capacity of the app tier of s",
                "t.yaml:6:48: workers must be 1 or more, got 0",
                "t.yaml:6:61: unknown key \"speed\" in the capacity of the app tier of s (known keys: workers, "
                        + "service-time, queue)");
    }

    @Test
    void aHostAddedJoinsEveryBalancerAndLeavesItWhenRemoved() {
        Topology distributed = ShippedTopologies.load("distributed");
        HostSpec template = distributed.host("server-2").orElseThrow();
        HostSpec added = new HostSpec("server-3", distributed.nextFreeAddress(template.address()), "",
                java.util.List.of(new WebTier(8080, 8443, "server-3"), new AppTier(9000, "server-1")));

        Topology bigger = distributed.withHost(added);

        assertThat(added.address().getHostAddress()).isEqualTo("127.0.0.13");
        assertThat(bigger.balancers().get(0).tier().servers()).extracting(LbServer::host)
                .containsExactly("server-1", "server-2", "server-3");
        assertThat(bigger.withoutHost("server-3")).isEqualTo(distributed);
        assertThatThrownBy(() -> bigger.withHost(added)).hasMessageContaining("server-3");
        assertThatThrownBy(() -> distributed.withoutHost("server-1"))
                .hasMessageContaining("refers to server-1, which runs no db tier");
    }

    @Test
    void capacityCanBeGivenToEveryAppTierAtOnce() {
        AppTier.Capacity capacity = new AppTier.Capacity(2, Duration.ofMillis(40), 8);
        Topology limited = ShippedTopologies.load("distributed").withAppCapacity(capacity);

        assertThat(limited.tiers(AppTier.class)).extracting(placed -> placed.tier().capacity())
                .containsOnly(Optional.of(capacity));
    }
}
