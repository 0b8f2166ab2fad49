package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.foobarstack.launcher.hosts.HostRuntime;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code host NAME --listen-any}, as a container behind a Kubernetes Service runs it: the tiers listen on every
 * address, and still tell each other the topology's address (the database's URL above all).
 */
class ListenAnyTest {

    @Test
    void everyTierListensOnEveryAddressAndTheWholePathStillWorks(@TempDir Path dataDir) throws Exception {
        Topology simple = ShippedTopologies.resolve("simple").withEphemeralPorts();
        try (Stack stack = new Stack(StackConfig.builder().dataDir(dataDir).topology(simple).build())) {
            stack.context().listenOnAnyAddress();
            HostRuntime host = stack.startOnly("server-1", line -> { });

            TierRuntime web = stack.context().tier("server-1", Role.WEB);
            int port = web.address().getPort();
            assertThat(web.address().getAddress().getHostAddress()).as("others still use the topology's address")
                    .isEqualTo("127.0.0.1");
            // 127.0.0.77 is no address of this design: only a socket bound to every address answers there
            RawHttp other = RawHttp.get(new InetSocketAddress("127.0.0.77", port), "/api/messages");
            assertThat(other.status()).as("the web, app and database tiers answered through 127.0.0.77")
                    .isEqualTo(200);
            assertThat(host.state()).isEqualTo(HostRuntime.State.RUNNING);
            assertThat(((org.foobarstack.launcher.hosts.DbTierRuntime) stack.context().tier("server-1", Role.DB))
                    .jdbcUrl()).startsWith("jdbc:derby://127.0.0.1:");
        }
    }
}
