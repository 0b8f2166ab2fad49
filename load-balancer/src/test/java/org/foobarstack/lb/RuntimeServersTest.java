package org.foobarstack.lb;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.CheckStatus;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.check.HealthChecker;
import org.foobarstack.lb.config.Algorithm;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.stats.StatsCsv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Servers added to and removed from a running balancer, as with HAProxy's runtime API ({@code add server},
 * {@code set server ... state drain|maint}, {@code del server}), seen from clients, the servers and the stats page.
 */
class RuntimeServersTest {

    @RegisterExtension
    final Opened opened = new Opened();

    private static final HealthCheckConfig EVERY_50_MS = HealthCheckConfig.defaults().withInter(Duration.ofMillis(50));

    private static List<String> serve(LoadBalancer lb, int requests) throws IOException {
        List<String> servers = new ArrayList<>();
        try (RawClient client = new RawClient(lb.address())) {
            for (int i = 0; i < requests; i++) {
                RawClient.Response response = client.get("/");
                assertThat(response.status()).as(response.raw()).isEqualTo(200);
                servers.add(response.header("X-Backend-Server"));
            }
        }
        return servers;
    }

    /** Polls until {@code condition} holds; fails with {@code what} when five seconds pass first. */
    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("still waiting after 5 s: " + what);
            }
            Thread.sleep(5); // between two looks: what the test waits for is the condition, not the pause
        }
    }

    private static ServerConfig unchecked(TestBackend backend) {
        return ServerConfig.of(backend.name, backend.address()).withoutCheck();
    }

    // ---------------------------------------------------------------- adding

    @Test
    void anAddedServerGetsNoRequestBeforeItsHealthCheckRisesThenItsShareOfTheTurns() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        TestBackend web3 = opened.backend("web-3");
        // checks an hour apart: after the first one, which an added server gets at once, the test checks by hand
        LoadBalancer lb = opened.balancer(c -> c, web1, web2);
        List<Server.Transition> transitions = new CopyOnWriteArrayList<>();
        lb.onTransition(transitions::add);

        Server added = lb.addServer(ServerConfig.of("web-3", web3.address()));

        assertThat(lb.serverNames()).containsExactly("web-1", "web-2", "web-3");
        assertThat(added.adminState()).isEqualTo(Server.AdminState.READY);
        assertThat(web3.awaitHealthChecks(1, 5, TimeUnit.SECONDS)).as("its first check runs at once").isTrue();
        awaitTrue("the first check recorded", () -> added.status().equals("DOWN 1/2"));
        assertThat(serve(lb, 6)).as("one passed check of the two that rise it").containsOnly("web-1", "web-2");
        assertThat(web3.requests).hasValue(0);

        assertThat(lb.checkNow("web-3").get(5, TimeUnit.SECONDS).status()).isEqualTo(CheckStatus.L7OK);
        assertThat(added.status()).isEqualTo("UP");
        assertThat(transitions).singleElement().satisfies(t -> {
            assertThat(t.server().name()).isEqualTo("web-3");
            assertThat(t.nowUp()).isTrue();
        });
        List<String> turns = serve(lb, 9);
        assertThat(turns).filteredOn("web-1"::equals).hasSize(3);
        assertThat(turns).filteredOn("web-2"::equals).hasSize(3);
        assertThat(turns).filteredOn("web-3"::equals).hasSize(3);
        assertThat(web3.requests).hasValue(3);
    }

    @Test
    void anAddedServerRisesOnItsOwnScheduledChecks() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web3 = opened.backend("web-3");
        LoadBalancer lb = opened.balancer(c -> c.check(EVERY_50_MS), web1);
        CountDownLatch rose = new CountDownLatch(1);
        lb.onTransition(t -> {
            if (t.server().name().equals("web-3") && t.nowUp()) {
                rose.countDown();
            }
        });

        Server added = lb.addServer(ServerConfig.of("web-3", web3.address()));

        assertThat(rose.await(5, TimeUnit.SECONDS)).as("UP after two passed checks 50 ms apart").isTrue();
        assertThat(web3.awaitHealthChecks(2, 5, TimeUnit.SECONDS)).as("the two checks it passed").isTrue();
        assertThat(added.stats().downTransitions()).as("it started DOWN, it did not go down").isZero();
        assertThat(serve(lb, 4)).containsExactly("web-1", "web-3", "web-1", "web-3");
    }

    @Test
    void anAddedServerWithoutCheckTakesTrafficAtOnce() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        LoadBalancer lb = opened.balancer(c -> c, web1);

        lb.addServer(unchecked(web2));

        assertThat(serve(lb, 4)).containsExactly("web-1", "web-2", "web-1", "web-2");
        assertThat(web2.healthChecks).hasValue(0);
    }

    @Test
    void aNameAlreadyTakenIsRefusedWithTheServersNamed() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        TestBackend other = opened.backend("other");
        LoadBalancer lb = opened.balancer(c -> c, web1, web2);

        assertThatThrownBy(() -> lb.addServer(ServerConfig.of("web-2", other.address())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has a server named web-2")
                .hasMessageContaining("web-1, web-2");
        assertThat(lb.serverNames()).containsExactly("web-1", "web-2");
        assertThat(serve(lb, 4)).containsExactly("web-1", "web-2", "web-1", "web-2");
        assertThat(other.requests).hasValue(0);
    }

    @Test
    void serversAreAddedOnlyToARunningBalancer() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        LoadBalancer notStarted = new LoadBalancer(Balancers.config(web1).build());
        assertThatThrownBy(() -> notStarted.addServer(unchecked(web2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not running");

        LoadBalancer stopped = Balancers.start(Balancers.config(web1).build());
        stopped.close();
        assertThatThrownBy(() -> stopped.addServer(unchecked(web2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not running");
        assertThat(stopped.serverNames()).containsExactly("web-1");
    }

    @Test
    void theStatsPageTheCsvAndTheMetricsShowAnAddedServer() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web3 = opened.backend("web-3");
        LoadBalancer lb = opened.balancer(c -> c, web1);

        lb.addServer(ServerConfig.of("web-3", web3.address()));

        String page = RawClient.get(lb.statsAddress(), "/stats").body();
        assertThat(page).contains("<td>web-3</td><td>127.0.0.1:" + web3.address().getPort() + "</td>");
        List<Map<String, String>> rows = StatsCsv.parse(RawClient.get(lb.statsAddress(), "/stats;csv").body());
        assertThat(rows).extracting(r -> r.get("svname")).containsExactly("FRONTEND", "web-1", "web-3", "BACKEND");
        assertThat(rows.get(2).get("status")).startsWith("DOWN");
        assertThat(rows.get(3).get("act")).as("web-3 is not counted before it rises").isEqualTo("1");
        assertThat(lb.config().metrics().exposition())
                .contains("foobar_lb_server_up{instance=\"lb-test\",server=\"web-3\"} 0");

        lb.checkNow("web-3").get(5, TimeUnit.SECONDS);
        lb.checkNow("web-3").get(5, TimeUnit.SECONDS);
        rows = StatsCsv.parse(RawClient.get(lb.statsAddress(), "/stats;csv").body());
        assertThat(rows.get(2).get("status")).isEqualTo("UP");
        assertThat(rows.get(3).get("act")).isEqualTo("2");
        assertThat(lb.config().metrics().exposition())
                .contains("foobar_lb_server_up{instance=\"lb-test\",server=\"web-3\"} 1");
    }

    // ---------------------------------------------------------------- removing

    @Test
    void onlyAServerInMaintWithNoSessionLeftCanBeRemovedAndTheMessageSaysWhatToDo() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        LoadBalancer lb = opened.balancer(c -> c, web1, web2);
        Server server2 = lb.backend().server("web-2").orElseThrow();

        assertThatThrownBy(() -> lb.removeServer("web-2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it is READY")
                .hasMessageContaining("Only servers in maintenance mode can be deleted")
                .hasMessageContaining("set it to DRAIN")
                .hasMessageContaining("wait until its sessions reach 0")
                .hasMessageContaining("set it to MAINT");
        assertThatThrownBy(() -> lb.removeServer("web-9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no server web-9");

        // a request in progress on web-2 (web-1 is out for the moment, so the request can only go there)
        lb.setState("web-1", Server.AdminState.MAINT);
        RawClient held = opened.client(lb.address());
        held.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(web2.firstHeld.await(5, TimeUnit.SECONDS)).isTrue();
        lb.setState("web-1", Server.AdminState.READY);

        lb.setState("web-2", Server.AdminState.DRAIN);
        assertThatThrownBy(() -> lb.removeServer("web-2"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("it is DRAIN");
        lb.setState("web-2", Server.AdminState.MAINT);
        assertThatThrownBy(() -> lb.removeServer("web-2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still has 1 session in progress")
                .hasMessageContaining("Wait until its sessions reach 0");
        assertThat(lb.serverNames()).containsExactly("web-1", "web-2");

        web2.release();
        RawClient.Response finished = held.read("GET");
        assertThat(finished.status()).as("the refused removal cut nothing").isEqualTo(200);
        assertThat(finished.header("X-Backend-Server")).isEqualTo("web-2");
        awaitTrue("web-2's session ended", () -> server2.currentSessions() == 0);

        lb.removeServer("web-2");

        assertThat(lb.serverNames()).containsExactly("web-1");
        assertThat(serve(lb, 4)).containsOnly("web-1");
        assertThat(web2.requests).hasValue(1);
    }

    @Test
    void aDrainedServerIsRemovedOnceItsSessionsEndAndIsNeitherChosenNorCheckedAgain() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        TestBackend web3 = opened.backend("web-3");
        LoadBalancer lb = opened.balancer(c -> c.check(EVERY_50_MS), web1, web2);
        Server added = lb.addServer(ServerConfig.of("web-3", web3.address()));
        awaitTrue("web-3 UP", added::up);
        assertThat(serve(lb, 6)).contains("web-3");
        assertThat(RawClient.get(lb.statsAddress(), "/stats;csv").body()).contains("web-3");
        assertThat(lb.config().metrics().exposition()).contains("server=\"web-3\"");

        // HAProxy's order: drain, wait for the sessions to reach 0, maint, del server
        lb.setState("web-3", Server.AdminState.DRAIN);
        awaitTrue("web-3's sessions at 0", () -> added.currentSessions() == 0);
        lb.setState("web-3", Server.AdminState.MAINT);
        lb.removeServer("web-3");
        int requestsAtRemoval = web3.requests.get();
        int checksAtRemoval = web3.healthChecks.get();

        assertThat(lb.serverNames()).containsExactly("web-1", "web-2");
        assertThat(serve(lb, 10)).containsOnly("web-1", "web-2");
        assertThat(web3.requests).hasValue(requestsAtRemoval);
        // web-1 is checked on the same schedule: five of its checks are five that web-3 did not get
        assertThat(web1.awaitHealthChecks(web1.healthChecks.get() + 5, 5, TimeUnit.SECONDS)).isTrue();
        int checksAfter = web3.healthChecks.get();
        assertThat(checksAfter - checksAtRemoval).as("at most one check already under way").isLessThanOrEqualTo(1);
        assertThat(web1.awaitHealthChecks(web1.healthChecks.get() + 5, 5, TimeUnit.SECONDS)).isTrue();
        assertThat(web3.healthChecks).hasValue(checksAfter);
        List<Map<String, String>> rows = StatsCsv.parse(RawClient.get(lb.statsAddress(), "/stats;csv").body());
        assertThat(rows).extracting(r -> r.get("svname")).containsExactly("FRONTEND", "web-1", "web-2", "BACKEND");
        assertThat(lb.config().metrics().exposition()).doesNotContain("server=\"web-3\"")
                .contains("server=\"web-1\"");
        assertThatThrownBy(() -> lb.setState("web-3", Server.AdminState.READY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no server web-3");
    }

    @Test
    void aCheckUnderWayWhenItsServerIsRemovedIsNeitherRecordedNorFollowedByAnother() throws Exception {
        // a "server" that accepts connections and never answers: a check of it lasts until the check timeout
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            CountDownLatch firstCheckArrived = new CountDownLatch(1);
            CountDownLatch firstCheckEnded = new CountDownLatch(1);
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket socket = silent.accept();
                        accepted.incrementAndGet();
                        firstCheckArrived.countDown();
                        Thread reader = new Thread(() -> {
                            try (socket; InputStream in = socket.getInputStream()) {
                                while (in.read() >= 0) {
                                    // the request of the check, read and left unanswered
                                }
                            } catch (IOException closed) {
                                // the checker gave up: the same end
                            }
                            firstCheckEnded.countDown();
                        });
                        reader.setDaemon(true);
                        reader.start();
                    }
                } catch (IOException closedAtTheEnd) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            TestBackend clock = opened.backend("web-1");
            HealthCheckConfig check = EVERY_50_MS.withTimeout(Duration.ofMillis(300));
            BalancerConfig config = Balancers.config(clock).check(check).build();
            Backend backend = new Backend("servers", config, System::currentTimeMillis);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            HealthChecker checker = new HealthChecker(backend, check, group, NioSocketChannel.class, null, t -> { },
                    System::currentTimeMillis);
            try {
                checker.start();
                Server stuck = backend.add(ServerConfig.of("web-9",
                        new InetSocketAddress(silent.getInetAddress(), silent.getLocalPort())));
                checker.add(stuck);
                assertThat(firstCheckArrived.await(5, TimeUnit.SECONDS)).isTrue();

                backend.remove(stuck);
                checker.remove(stuck);
                assertThat(firstCheckEnded.await(5, TimeUnit.SECONDS)).as("the check timed out").isTrue();
                // web-1's checks go on, 50 ms apart: six of them is time for several of web-9's that must not come
                assertThat(clock.awaitHealthChecks(clock.healthChecks.get() + 6, 5, TimeUnit.SECONDS)).isTrue();

                assertThat(accepted).as("no check after the one under way").hasValue(1);
                assertThat(checker.checking(stuck)).isFalse();
                assertThat(stuck.lastCheck().status()).as("its timeout was not recorded").isEqualTo(CheckStatus.INI);
                assertThat(stuck.stats().failedChecks()).isZero();
            } finally {
                checker.close();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                silent.close();
                acceptor.join(5000);
            }
        }
    }

    // ---------------------------------------------------------------- the choice while servers change

    @Test
    void aServerAddedInTheSlotOfARemovedOneTakesItsTurnsNotTheRemovedOne() throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        TestBackend web3 = opened.backend("web-3");
        TestBackend web4 = opened.backend("web-4");
        LoadBalancer lb = opened.balancer(c -> c, web1, web2);
        Server third = lb.addServer(unchecked(web3));
        assertThat(serve(lb, 3)).containsExactlyInAnyOrder("web-1", "web-2", "web-3");

        lb.setState("web-3", Server.AdminState.MAINT);
        lb.removeServer("web-3");
        Server fourth = lb.addServer(unchecked(web4));

        assertThat(fourth.index()).as("the slot web-3 left").isEqualTo(third.index());
        List<String> turns = serve(lb, 6);
        assertThat(turns).filteredOn("web-4"::equals).hasSize(2);
        assertThat(turns).containsOnly("web-1", "web-2", "web-4");
        assertThat(web3.requests).hasValue(1);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void noRequestFailsWhileServersAreAddedAndRemovedUnderLoad(Algorithm algorithm) throws Exception {
        TestBackend web1 = opened.backend("web-1");
        TestBackend web2 = opened.backend("web-2");
        List<TestBackend> comers = List.of(opened.backend("web-3"), opened.backend("web-4"));
        LoadBalancer lb = opened.balancer(c -> c.algorithm(algorithm), web1, web2);
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger answered = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<Integer>> done = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            done.add(clients.submit(() -> {
                int served = 0;
                try (RawClient raw = new RawClient(lb.address())) {
                    while (!stop.get()) {
                        // paths vary so that uri hashing spreads them; the address is fixed, so source stays put
                        RawClient.Response response = raw.get("/page-" + client + "-" + served % 7);
                        if (response.status() != 200) {
                            failures.add(response.status() + " " + response.body());
                        }
                        seen.add(response.header("X-Backend-Server"));
                        served++;
                        answered.incrementAndGet();
                    }
                }
                return served;
            }));
        }
        try {
            // the changes must meet requests in flight: every round waits for answers while its server is in
            awaitTrue("the clients sending", () -> answered.get() >= 4);
            for (int round = 0; round < 20; round++) {
                TestBackend comer = comers.get(round % 2);
                Server server = lb.addServer(unchecked(comer));
                int before = answered.get();
                awaitTrue("answers while " + comer.name + " is in", () -> answered.get() > before + 2);
                lb.setState(comer.name, Server.AdminState.DRAIN);
                awaitTrue(comer.name + "'s sessions at 0", () -> server.currentSessions() == 0);
                lb.setState(comer.name, Server.AdminState.MAINT);
                lb.removeServer(comer.name);
            }
        } finally {
            stop.set(true);
            clients.shutdown();
        }
        int total = 0;
        for (Future<Integer> client : done) {
            total += client.get(10, TimeUnit.SECONDS);
        }
        assertThat(failures).isEmpty();
        assertThat(total).isPositive();
        assertThat(seen).isSubsetOf("web-1", "web-2", "web-3", "web-4");
        assertThat(lb.serverNames()).containsExactly("web-1", "web-2");
        int before3 = comers.get(0).requests.get();
        int before4 = comers.get(1).requests.get();
        serve(lb, 8);
        assertThat(comers.get(0).requests).hasValue(before3);
        assertThat(comers.get(1).requests).hasValue(before4);
    }
}
