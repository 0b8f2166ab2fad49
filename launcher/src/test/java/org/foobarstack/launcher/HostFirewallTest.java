package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.foobarstack.launcher.hosts.HostFirewall;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts with firewalls, running: the site works through the balancer (the app server may reach the database, the
 * balancer the web server), while a stranger is reset at the database's port (reject) and gets no answer at the
 * web server's (drop); each block is counted on its rule and listed as a hop.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HostFirewallTest {

    @TempDir
    static Path data;

    static Stack stack;

    @BeforeAll
    static void start() {
        Topology topology = TopologyLoader.load("firewalled.yaml", """
                name: firewalled
                hosts:
                  lb-1:
                    address: 127.0.99.10
                    tiers: { lb: { servers: [ { host: server-1 } ] } }
                  server-1:
                    address: 127.0.99.11
                    tiers: { web: { https-port: off }, app: {} }
                    firewall:
                      default: drop
                      rules:
                        - { accept: tcp/8080, from: lb-1, comment: the balancer }
                        - { accept: tcp/9000, from: server-1 }
                  db-1:
                    address: 127.0.99.21
                    tiers: { db: {} }
                    firewall:
                      default: reject
                      rules:
                        - { accept: tcp/1527, from: app, comment: the app servers only }
                """); // the usual ports, which the rules name; the addresses are this test's own
        stack = new Stack(StackConfig.builder().topology(topology).adminPort(0).dataDir(data).build());
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static HostFirewall firewallOf(String host) {
        return stack.context().firewall(stack.topologySpec().host(host).orElseThrow());
    }

    static Socket from(String address, InetSocketAddress to) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        socket.connect(to, 2000);
        return socket;
    }

    @Test
    void theSiteWorksThroughTheRulesThatLetItsTiersTalk() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.99.10:" + stack.front().getPort() + "/api/messages")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as("web -> app -> db through both firewalls").isEqualTo(200);
    }

    @Test
    void aStrangerIsResetAtTheDatabaseAndTheBlockIsCountedAndListed() throws Exception {
        long before = firewallOf("db-1").blockedByDefault();
        InetSocketAddress db = stack.context().tier("db-1", Role.DB).address();

        Throwable refused = catchThrowable(() -> {
            try (Socket socket = from("127.0.99.10", db)) { // the balancer's address: not an app server
                socket.getOutputStream().write(new byte[] {0});
                socket.setSoTimeout(3000);
                socket.getInputStream().read();
            }
        });

        assertThat(refused).isInstanceOf(IOException.class).hasMessageContaining("reset");
        assertThat(firewallOf("db-1").blockedByDefault()).isEqualTo(before + 1);
        assertThat(stack.metrics().exposition()).contains("foobar_firewall_blocked{host=\"db-1\",rule=\"default\"} "
                + (before + 1)).contains("foobar_firewall_blocked{host=\"db-1\",rule=\"1\"} 0");
        assertThat(stack.traces().recent(50)).extracting(t -> t.firstSummary())
                .anySatisfy(s -> assertThat(s).startsWith("db-1 firewall default policy rejected 127.0.99.10:")
                        .endsWith("-> 127.0.99.21:" + db.getPort()));
    }

    @Test
    void startingTheStackBlockedNothing() {
        assertThat(stack.traces().recent(500)).extracting(t -> t.firstSummary())
                .noneSatisfy(s -> assertThat(s).contains("firewall").contains("127.0.0.1:"));
    }

    @Test
    void aStrangerGetsNoAnswerFromTheWebServer() throws Exception {
        long before = firewallOf("server-1").blockedByDefault();
        InetSocketAddress web = stack.context().tier("server-1", Role.WEB).address();

        try (Socket socket = from("127.0.99.77", web)) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(700);
            assertThat(catchThrowable(() -> socket.getInputStream().read()))
                    .as("dropped: silence until the client gives up").isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(firewallOf("server-1").blockedByDefault()).isEqualTo(before + 1);
    }
}
