package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A design with HTTPS at the balancer, encrypted again to the web servers: a browser that trusts the balancer's
 * authority gets the page over TLS with Strict-Transport-Security, plain HTTP is sent to https, and the balancer
 * reaches the web servers over TLS, their certificates verified (the page would not come otherwise).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HttpsAtTheBalancerTest {

    @TempDir
    static Path data;

    static Stack stack;

    @BeforeAll
    static void start() {
        Topology topology = TopologyLoader.load("secured-lb.yaml", """
                name: tlsdemo
                hosts:
                  lb-1:
                    address: 127.0.95.10
                    tiers:
                      lb:
                        https: { port: 8443, to-servers: tls }
                        check: { type: http, path: /health, inter: 500ms, rise: 1, fall: 2 }
                        servers: [ { host: server-1 }, { host: server-2 } ]
                  server-1: { address: 127.0.95.11, tiers: { web: {}, app: {}, db: {} } }
                  server-2: { address: 127.0.95.12, tiers: { web: {}, app: { db: server-1 } } }
                """).withEphemeralPorts();
        stack = new Stack(StackConfig.builder().topology(topology).adminPort(0).dataDir(data).build());
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static LbTierRuntime balancer() {
        return (LbTierRuntime) stack.context().tiers(Role.LB).get(0);
    }

    static String overTls(String path) throws Exception {
        return BalancerTls.get(balancer(), balancer().httpsAddress(), path);
    }

    @Test
    void aBrowserTrustingTheBalancersAuthorityGetsThePageWithHsts() throws Exception {
        String response = overTls("/api/whoami");

        assertThat(response).startsWith("HTTP/1.1 200").contains("Strict-Transport-Security: max-age=31536000");
    }

    @Test
    void plainHttpIsSentToHttps() throws Exception {
        InetSocketAddress http = stack.front();
        try (Socket socket = new Socket(http.getAddress(), http.getPort())) {
            socket.getOutputStream().write("GET /guestbook?x=1 HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 301")
                    .contains("Location: https://www.foobar.com:" + balancer().httpsAddress().getPort() + "/guestbook?x=1")
                    .doesNotContain("Strict-Transport-Security");
        }
    }

    @Test
    void theBalancerReachesTheWebServersOverTheirHttpsPorts() {
        assertThat(stack.balancer().backend().servers()).extracting(s -> s.address())
                .containsExactly(
                        ((org.foobarstack.launcher.hosts.WebTierRuntime) stack.context().tier("server-1", Role.WEB))
                                .httpsAddress(),
                        ((org.foobarstack.launcher.hosts.WebTierRuntime) stack.context().tier("server-2", Role.WEB))
                                .httpsAddress());
        assertThat(stack.topology().hosts()).filteredOn(h -> h.name().equals("lb-1"))
                .flatExtracting(h -> h.tiers()).extracting(t -> t.endpoints().toString())
                .anySatisfy(e -> assertThat(e).contains("https").contains("tls to the servers too"));
    }
}
