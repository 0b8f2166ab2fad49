package org.foobarstack.lb;

import org.foobarstack.lb.config.Algorithm;
import org.foobarstack.lb.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each balance algorithm, seen from clients: who gets which requests. */
class BalancingTest {

    @RegisterExtension
    final Opened opened = new Opened();

    private TestBackend backend(String name) {
        return opened.backend(name);
    }

    private LoadBalancer balancer(java.util.function.UnaryOperator<org.foobarstack.lb.config.BalancerConfig.Builder> c,
                                  TestBackend... backends) {
        return opened.balancer(c, backends);
    }

    private static List<String> serve(LoadBalancer lb, int requests, String path) throws IOException {
        List<String> servers = new ArrayList<>();
        try (RawClient client = new RawClient(lb.address())) {
            for (int i = 0; i < requests; i++) {
                servers.add(client.get(path).header("X-Backend-Server"));
            }
        }
        return servers;
    }

    @Test
    void roundRobinTakesTurnsInProportionToTheWeights() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c.servers(List.of(ServerConfig.of("web-1", a.address()).withWeight(3),
                ServerConfig.of("web-2", b.address()))), a, b);
        List<String> order = serve(lb, 40, "/");
        // smooth weighted round robin: a a b a, again and again, never a a a b
        assertThat(order.subList(0, 8)).containsExactly("web-1", "web-1", "web-2", "web-1",
                "web-1", "web-1", "web-2", "web-1");
        assertThat(order).filteredOn("web-1"::equals).hasSize(30);
        assertThat(order).filteredOn("web-2"::equals).hasSize(10);
        assertThat(lb.backend().server("web-1").orElseThrow().stats().chosen()).isEqualTo(30);
    }

    @Test
    void equalWeightsAlternate() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c, a, b);
        assertThat(serve(lb, 6, "/")).containsExactly("web-1", "web-2", "web-1", "web-2", "web-1", "web-2");
    }

    @Test
    void aWeightOfZeroTakesNoNewRequests() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c.servers(List.of(ServerConfig.of("web-1", a.address()).withWeight(0),
                ServerConfig.of("web-2", b.address()))), a, b);
        assertThat(serve(lb, 5, "/")).containsOnly("web-2");
    }

    @Test
    void sourceHashingKeepsEachClientOnItsServer() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c.algorithm(Algorithm.SOURCE), a, b);
        Map<String, Set<String>> serversByClient = new HashMap<>();
        for (int client = 21; client <= 28; client++) {
            InetAddress from = InetAddress.getByName("127.0.0." + client);
            for (int request = 0; request < 5; request++) {
                // a new connection each time, from a new port: only the address is the same
                try (RawClient raw = new RawClient(lb.address(), from)) {
                    serversByClient.computeIfAbsent(from.getHostAddress(), k -> new HashSet<>())
                            .add(raw.get("/").header("X-Backend-Server"));
                }
            }
        }
        assertThat(serversByClient).hasSize(8);
        assertThat(serversByClient.values()).allSatisfy(servers -> assertThat(servers).hasSize(1));
        Set<String> used = new HashSet<>();
        serversByClient.values().forEach(used::addAll);
        assertThat(used).as("eight clients are spread over both servers").containsExactlyInAnyOrder("web-1", "web-2");
    }

    @Test
    void leastConnSendsNewRequestsToTheIdleServer() throws Exception {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c.algorithm(Algorithm.LEASTCONN), a, b);
        RawClient busy = new RawClient(lb.address());
        opened.add(busy);
        busy.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(a.firstHeld.await(5, TimeUnit.SECONDS) || b.firstHeld.await(5, TimeUnit.SECONDS)).isTrue();
        String busyServer = a.firstHeld.getCount() == 0 ? "web-1" : "web-2";
        String idleServer = busyServer.equals("web-1") ? "web-2" : "web-1";
        assertThat(serve(lb, 6, "/")).as("while %s holds a request", busyServer).containsOnly(idleServer);
        a.release();
        b.release();
        assertThat(busy.read("GET").status()).isEqualTo(200);
    }

    @Test
    void uriHashingSendsEachPathToOneServer() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c.algorithm(Algorithm.URI), a, b);
        Set<String> used = new HashSet<>();
        for (String path : List.of("/a", "/b", "/c", "/d", "/e", "/f")) {
            Set<String> servers = new HashSet<>(serve(lb, 4, path));
            // the query string is not part of the key: /a?x=1 goes where /a goes
            servers.addAll(serve(lb, 2, path + "?x=1"));
            assertThat(servers).as(path).hasSize(1);
            used.addAll(servers);
        }
        assertThat(used).containsExactlyInAnyOrder("web-1", "web-2");
    }

    @Test
    void aBackupServerServesOnlyWhenNoOtherCan() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend spare = backend("spare");
        LoadBalancer lb = balancer(c -> c.servers(List.of(ServerConfig.of("web-1", a.address()),
                ServerConfig.of("spare", spare.address()).asBackup())), a, spare);
        assertThat(serve(lb, 3, "/")).containsOnly("web-1");
        lb.setState("web-1", org.foobarstack.lb.backend.Server.AdminState.MAINT);
        assertThat(serve(lb, 3, "/")).containsOnly("spare");
    }
}
