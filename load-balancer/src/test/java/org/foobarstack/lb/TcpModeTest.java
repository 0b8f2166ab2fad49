package org.foobarstack.lb;

import org.foobarstack.lb.config.Mode;
import org.foobarstack.lb.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mode tcp}: bytes relayed untouched, one server per connection, redispatch on a refused connect. */
class TcpModeTest {

    @RegisterExtension
    final Opened opened = new Opened();

    @Test
    void eachConnectionGoesToOneServerAndNothingIsAdded() throws IOException {
        TestBackend a = new TestBackend("web-1");
        TestBackend b = new TestBackend("web-2");
        opened.add(a);
        opened.add(b);
        LoadBalancer lb = Balancers.start(c -> c.mode(Mode.TCP), a, b);
        opened.add(lb);
        List<String> servers = new ArrayList<>();
        for (int connection = 0; connection < 4; connection++) {
            try (RawClient client = new RawClient(lb.address())) {
                RawClient.Response first = client.get("/echo");
                RawClient.Response second = client.get("/");
                // the whole connection stays on one server, whatever the requests
                assertThat(second.body()).isEqualTo(first.header("X-Served-By"));
                servers.add(second.body());
                // nothing was read, so nothing was added: no X-Forwarded-For, no Via, no X-Backend-Server
                assertThat(first.body()).doesNotContain("x-forwarded-for").doesNotContain("via:");
                assertThat(first.header("X-Backend-Server")).isNull();
            }
        }
        assertThat(servers).containsExactly("web-1", "web-2", "web-1", "web-2");
    }

    @Test
    void aRefusedServerIsReplacedBeforeTheClientNotices() throws IOException {
        TestBackend alive = new TestBackend("web-2");
        opened.add(alive);
        InetSocketAddress dead = ProxyTest.closedPort();
        LoadBalancer lb = Balancers.start(c -> c.mode(Mode.TCP).servers(List.of(ServerConfig.of("web-1", dead),
                ServerConfig.of("web-2", alive.address()))));
        opened.add(lb);
        for (int i = 0; i < 3; i++) {
            assertThat(RawClient.get(lb.address(), "/").body()).isEqualTo("web-2");
        }
        assertThat(lb.backend().server("web-1").orElseThrow().stats().redispatches()).isEqualTo(1);
    }
}
