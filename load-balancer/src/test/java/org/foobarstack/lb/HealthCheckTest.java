package org.foobarstack.lb;

import org.foobarstack.lb.backend.CheckResult;
import org.foobarstack.lb.backend.CheckStatus;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Active and passive health checks: rise, fall, the status codes, and what traffic does about them. */
class HealthCheckTest {

    @RegisterExtension
    final Opened opened = new Opened();

    private TestBackend backend(String name) {
        return opened.backend(name);
    }

    private LoadBalancer balancer(java.util.function.UnaryOperator<org.foobarstack.lb.config.BalancerConfig.Builder> c,
                                  TestBackend... backends) {
        return opened.balancer(c, backends);
    }

    private static CheckResult check(LoadBalancer lb, String server) throws Exception {
        return lb.checkNow(server).get(5, TimeUnit.SECONDS);
    }

    @Test
    void failedChecksTakeAServerDownAfterFallAndPassedOnesBringItBackAfterRise() throws Exception {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c, a, b);
        List<Server.Transition> transitions = new CopyOnWriteArrayList<>();
        lb.onTransition(transitions::add);
        Server web1 = lb.backend().server("web-1").orElseThrow();

        a.healthStatus.set(503);
        assertThat(check(lb, "web-1").status()).isEqualTo(CheckStatus.L7STS);
        assertThat(web1.status()).isEqualTo("UP 1/3");
        check(lb, "web-1");
        assertThat(web1.status()).isEqualTo("UP 2/3");
        assertThat(web1.usable()).isTrue();
        check(lb, "web-1");
        assertThat(web1.status()).isEqualTo("DOWN");
        assertThat(web1.lastCheck().describe()).isEqualTo("L7STS 503 (HTTP status 503) in " + web1.lastCheck().durationMillis() + " ms");
        assertThat(transitions).hasSize(1);
        assertThat(transitions.get(0).nowUp()).isFalse();
        for (int i = 0; i < 4; i++) {
            assertThat(RawClient.get(lb.address(), "/").header("X-Backend-Server")).isEqualTo("web-2");
        }

        a.healthStatus.set(200);
        assertThat(check(lb, "web-1").status()).isEqualTo(CheckStatus.L7OK);
        assertThat(web1.status()).isEqualTo("DOWN 1/2");
        check(lb, "web-1");
        assertThat(web1.status()).isEqualTo("UP");
        assertThat(transitions).hasSize(2);
        assertThat(web1.stats().downTransitions()).isEqualTo(1);
        assertThat(web1.stats().failedChecks()).isEqualTo(3);
    }

    @Test
    void aTcpCheckOfAClosedPortIsALayer4ConnectionProblem() throws Exception {
        InetSocketAddress closed = ProxyTest.closedPort();
        LoadBalancer lb = balancer(c -> c.check(HealthCheckConfig.defaults().withType(HealthCheckConfig.CheckType.TCP)
                .withInter(Duration.ofHours(1))).servers(List.of(ServerConfig.of("web-1", closed))));
        CheckResult result = check(lb, "web-1");
        assertThat(result.status()).isEqualTo(CheckStatus.L4CON);
        assertThat(result.info()).isEqualTo("Connection refused");
    }

    @Test
    void aTcpCheckOfAListeningServerPasses() throws Exception {
        TestBackend a = backend("web-1");
        LoadBalancer lb = balancer(c -> c.check(HealthCheckConfig.defaults().withType(HealthCheckConfig.CheckType.TCP)
                .withInter(Duration.ofHours(1))), a);
        assertThat(check(lb, "web-1").status()).isEqualTo(CheckStatus.L4OK);
    }

    @Test
    void checksRunOnTheirOwnEveryInterval() throws Exception {
        InetSocketAddress closed = ProxyTest.closedPort();
        CountDownLatch down = new CountDownLatch(1);
        LoadBalancer lb = Balancers.start(Balancers.config()
                .check(HealthCheckConfig.defaults().withInter(Duration.ofMillis(50)).withRiseFall(2, 2))
                .servers(List.of(ServerConfig.of("web-1", closed))).build());
        opened.add(lb);
        lb.onTransition(t -> {
            if (!t.nowUp()) {
                down.countDown();
            }
        });
        assertThat(down.await(10, TimeUnit.SECONDS)).as("two failed checks 50 ms apart").isTrue();
        assertThat(lb.backend().server("web-1").orElseThrow().status()).isEqualTo("DOWN");
        assertThat(lb.backend().server("web-1").orElseThrow().lastCheck().status()).isEqualTo(CheckStatus.L4CON);
    }

    @Test
    void everyTenthErrorSeenOnTrafficInARowCountsAsAFailedCheck() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c.servers(List.of(ServerConfig.of("web-1", a.address()),
                ServerConfig.of("web-2", b.address()).withWeight(0))), a, b);
        Server web1 = lb.backend().server("web-1").orElseThrow();
        for (int i = 0; i < 9; i++) {
            assertThat(RawClient.get(lb.address(), "/status/500").status()).isEqualTo(500);
        }
        assertThat(web1.status()).as("nine 500s: an answer all the same, no failed check yet").isEqualTo("UP");
        assertThat(web1.lastFailure().describe()).contains("L7STS 500").contains("seen on traffic");
        RawClient.get(lb.address(), "/status/500");
        assertThat(web1.status()).as("the tenth in a row: HAProxy's error-limit").isEqualTo("UP 1/3");
        for (int i = 0; i < 20; i++) {
            RawClient.get(lb.address(), "/status/500");
        }
        assertThat(web1.up()).as("thirty in a row: three failed checks, fall 3").isFalse();
        assertThat(web1.lastFailure().observed()).isTrue();
    }

    @Test
    void withAnErrorLimitOfOneEachErrorIsAFailedCheck() throws IOException {
        TestBackend a = backend("web-1");
        TestBackend b = backend("web-2");
        LoadBalancer lb = balancer(c -> c.servers(List.of(ServerConfig.of("web-1", a.address()),
                ServerConfig.of("web-2", b.address()).withWeight(0)))
                .check(HealthCheckConfig.defaults().withInter(Duration.ofHours(1)).withErrorLimit(1)), a, b);
        for (int i = 0; i < 3; i++) {
            assertThat(RawClient.get(lb.address(), "/status/500").status()).isEqualTo(500);
        }
        assertThat(lb.backend().server("web-1").orElseThrow().up()).isFalse();
    }

    @Test
    void aSuccessOnTrafficResetsTheCountOfFailures() throws IOException {
        TestBackend a = backend("web-1");
        LoadBalancer lb = balancer(c -> c.check(HealthCheckConfig.defaults().withInter(Duration.ofHours(1))
                .withErrorLimit(1)), a);
        Server web1 = lb.backend().server("web-1").orElseThrow();
        RawClient.get(lb.address(), "/status/500");
        RawClient.get(lb.address(), "/status/500");
        assertThat(web1.status()).isEqualTo("UP 2/3");
        RawClient.get(lb.address(), "/");
        assertThat(web1.status()).isEqualTo("UP");
        RawClient.get(lb.address(), "/status/500");
        assertThat(web1.status()).isEqualTo("UP 1/3");
    }

    @Test
    void aSuccessOnTrafficEndsAStreakOfErrors() throws IOException {
        TestBackend a = backend("web-1");
        LoadBalancer lb = balancer(c -> c, a);
        Server web1 = lb.backend().server("web-1").orElseThrow();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 9; i++) {
                RawClient.get(lb.address(), "/status/503");
            }
            RawClient.get(lb.address(), "/");
        }
        assertThat(web1.status()).as("27 errors, never ten in a row").isEqualTo("UP");
    }

    @Test
    void aServerInMaintenanceIsNotCheckedWhileADrainedOneIs() throws Exception {
        TestBackend maint = backend("web-1");
        TestBackend drained = backend("web-2");
        LoadBalancer lb = balancer(c -> c.check(HealthCheckConfig.defaults().withInter(Duration.ofMillis(30))),
                maint, drained);
        lb.setState("web-1", Server.AdminState.MAINT);
        lb.setState("web-2", Server.AdminState.DRAIN);
        int before = maint.healthChecks.get();
        int drainedBefore = drained.healthChecks.get();
        // web-2 is checked on the same schedule: five of its checks is five of web-1's that did not happen
        assertThat(drained.awaitHealthChecks(drainedBefore + 5, 10, TimeUnit.SECONDS)).isTrue();
        assertThat(maint.healthChecks.get() - before).as("at most one check already in flight").isLessThanOrEqualTo(1);
        assertThat(lb.backend().server("web-1").orElseThrow().status()).isEqualTo("MAINT");
        assertThat(lb.backend().server("web-2").orElseThrow().status()).isEqualTo("DRAIN");
    }
}
