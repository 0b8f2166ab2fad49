package org.foobarstack.launcher;

import org.foobarstack.admin.HostAction;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code failover: auto}: the distributed design with server-2's replica set to promote itself after two failed
 * checks of the primary. Killing server-1 costs writes for a few seconds, then they come back on server-2 without
 * anyone running {@code ctl promote}.
 */
class AutoFailoverTest {

    @TempDir
    Path data;

    @Test
    @Timeout(120)
    void theReplicaPromotesItselfAfterThePrimaryFailsItsChecks() throws Exception {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/org/foobarstack/topology/shipped/distributed.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String auto = yaml.replace("replica-of: server-1, failover: manual",
                "replica-of: server-1, failover: auto, failover-after: 2");
        assertThat(auto).isNotEqualTo(yaml);
        Topology topology = TopologyLoader.load("distributed.yaml", auto).relocated(95).withEphemeralPorts();

        try (Stack stack = new Stack(StackConfig.builder().topology(topology).adminPort(0).dataDir(data).build())) {
            stack.start(line -> { });
            assertThat(RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"ada\",\"body\":\"before\"}")
                    .status()).isEqualTo(201);

            stack.act("server-1", HostAction.KILL);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!stack.context().dbCluster().orElseThrow().primary().equals("server-2")) {
                assertThat(System.nanoTime()).as("server-2 promoted itself").isLessThan(deadline);
                Thread.sleep(50);
            }

            RawHttp written = RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"bob\",\"body\":\"after\"}");
            assertThat(written.status()).isEqualTo(201);
            assertThat(written.header("X-Database")).isEqualTo("db-2 (primary)");
            assertThat(RawHttp.get(stack.front(), "/api/messages").body()).contains("before").contains("after");
        }
    }

}
