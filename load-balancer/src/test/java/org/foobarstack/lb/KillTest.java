package org.foobarstack.lb;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** Killing a balancer cuts every connection at once, frees its ports, and a new one can take its place. */
class KillTest {

    @Test
    void killCutsOpenConnectionsAndANewBalancerTakesThePort() throws IOException {
        try (TestBackend web = new TestBackend("web-1")) {
            LoadBalancer first = Balancers.start(c -> c, web);
            InetSocketAddress address = first.address();
            try (RawClient client = new RawClient(address)) {
                assertThat(client.get("/").status()).isEqualTo(200);
                first.kill();
                assertThat(client.closedByServer()).isTrue();
            }
            try (LoadBalancer second = Balancers.start(c -> c.port(address.getPort()), web)) {
                assertThat(RawClient.get(second.address(), "/").body()).isEqualTo("web-1");
            }
        }
    }
}
