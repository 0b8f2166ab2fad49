package org.foobarstack.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.foobarstack.lb.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A balancer taking and giving up a shared (virtual) address, as the active member of a balancer pair does: it
 * serves on that address with the same ports, and once it lets go, the address answers no more and the other
 * member can take it.
 */
class VirtualAddressTest {

    @RegisterExtension
    final Opened opened = new Opened();

    private static final InetAddress VIP = address("127.0.88.100");

    static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text); // a literal: never asks DNS
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSharedAddressServesWhileHeldAndIsFreeAfterwards() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer first = opened.balancer(c -> c.servers(List.of(ServerConfig.of("web-1", web.address()))), web);

        List<InetSocketAddress> bound = first.listenOn(VIP);

        InetSocketAddress shared = new InetSocketAddress(VIP, first.address().getPort());
        assertThat(bound).containsExactly(shared);
        try (RawClient client = new RawClient(shared)) {
            assertThat(client.get("/").header("X-Backend-Server")).isEqualTo("web-1");
        }
        assertThat(first.virtualAddresses()).containsExactly(VIP);

        first.stopListeningOn(VIP);

        assertThat(first.virtualAddresses()).isEmpty();
        assertThatThrownBy(() -> new RawClient(shared).get("/")).isInstanceOf(IOException.class);
        assertThat(first.listenOn(VIP)).as("free again: it can be taken (by this or another balancer)")
                .containsExactly(shared);
    }

    @Test
    void anAddressHeldByAnotherBalancerCannotBeTakenTwice() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer first = opened.balancer(c -> c.servers(List.of(ServerConfig.of("web-1", web.address()))), web);
        first.listenOn(VIP);
        int port = first.address().getPort();
        LoadBalancer second = opened.balancer(c -> c.port(port).servers(List.of(ServerConfig.of("web-1",
                web.address()))).bindAddress("127.0.88.2"), web);

        assertThatThrownBy(() -> second.listenOn(VIP)).isInstanceOf(IOException.class)
                .hasMessageContaining("127.0.88.100:" + port).hasMessageContaining("in use");
    }
}
