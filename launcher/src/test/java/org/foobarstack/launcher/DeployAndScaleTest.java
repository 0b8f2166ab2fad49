package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.foobarstack.admin.Operation;
import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.launcher.hosts.AppTierRuntime;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.loadgen.LoadConfig;
import org.foobarstack.loadgen.LoadGenerator;
import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.loadgen.RunningLoad;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys and scaling on the distributed design, each under a steady load through the balancer: a rolling deploy
 * fails no request and leaves every server on the new version; all-at-once fails requests; a server added takes no
 * request before its health check has risen; a server removed is drained first and fails none.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DeployAndScaleTest {

    @TempDir
    static Path data;

    static Stack stack;

    @BeforeAll
    static void start() {
        // the design's own ports, on this test's addresses: a server restarted by a deploy binds its port again,
        // and a port from the ephemeral range could meanwhile be taken by an outgoing connection from that address
        Topology topology = ShippedTopologies.load("distributed").relocated(97);
        stack = new Stack(StackConfig.builder().topology(topology).adminPort(0).dataDir(data).build());
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** Runs {@code change} while 80 requests a second go to the balancer, until both are over. */
    static LoadReport underLoad(Runnable change) throws Exception {
        RunningLoad load = new LoadGenerator().start(LoadConfig.builder(stack.front())
                .hostHeader("www.foobar.com").path("/api/messages").rate(80).duration(Duration.ofSeconds(60))
                .connections(8).timeout(Duration.ofSeconds(5)).countHeader("X-App-Version").build());
        try {
            change.run();
        } finally {
            load.cancel();
        }
        return load.await();
    }

    static Operation.Snapshot finished(Operation op) {
        try {
            assertThat(stack.operations().await(90, TimeUnit.SECONDS)).as("the operation ended").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        Operation.Snapshot done = op.snapshot();
        assertThat(done.state()).as("%s", done).isEqualTo(Operation.State.DONE);
        return done;
    }

    static List<AppVersion> versions() {
        return stack.context().tiers(Role.APP).stream().map(t -> ((AppTierRuntime) t).version()).toList();
    }

    @Test
    @Order(1)
    void aRollingDeployUnderLoadFailsNoRequestAndLeavesEveryServerOnTheNewVersion() throws Exception {
        List<Operation.Snapshot> result = new CopyOnWriteArrayList<>();
        LoadReport report = underLoad(() -> result.add(finished(stack.deploy("v2", "rolling"))));

        assertThat(report.failedTotal() + report.answeredBetween(500, 599))
                .as("failed %s, answered %s", report.failed(), report.answered()).isZero();
        assertThat(versions()).containsOnly(AppVersion.V2);
        assertThat(report.headerValues()).containsKeys("v1", "v2");
        assertThat(result.get(0).steps()).extracting(Operation.Step::text)
                .filteredOn(t -> t.startsWith("drain") || t.startsWith("stopped") || t.startsWith("ready"))
                .hasSize(6);
    }

    @Test
    @Order(2)
    void allAtOnceRestartsEveryServerAndWaitsForTheBalancerToSeeThemUp() throws Exception {
        Operation.Snapshot done = finished(stack.deploy("v1", "all-at-once"));

        assertThat(versions()).containsOnly(AppVersion.V1);
        assertThat(done.steps()).extracting(Operation.Step::text)
                .filteredOn(t -> t.startsWith("health check passed")).hasSize(2);
        assertThat(stack.balancer().backend().servers()).allSatisfy(s -> assertThat(s.up()).isTrue());
    }

    @Test
    @Order(3)
    void aServerAddedTakesNoRequestBeforeItsHealthCheckRises() throws Exception {
        List<Long> requestsWhenUp = new CopyOnWriteArrayList<>();
        stack.balancer().onTransition(t -> {
            if (t.nowUp() && t.server().name().equals("web-3")) {
                requestsWhenUp.add(t.server().stats().total());
            }
        });
        LoadReport report = underLoad(() -> finished(stack.scale("web", 3)));

        assertThat(stack.host("server-3")).isPresent();
        assertThat(stack.host("server-3").orElseThrow().spec().address().getHostAddress()).isEqualTo("127.0.97.13");
        assertThat(requestsWhenUp).as("web-3's requests when its check rose").containsExactly(0L);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 6; i++) { // round robin over three servers: web-3 has its turns
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://"
                    + stack.front().getAddress().getHostAddress() + ":" + stack.front().getPort() + "/api/messages"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        }
        assertThat(stack.balancer().backend().server("web-3").orElseThrow().stats().total())
                .as("it takes requests once up").isPositive();
        assertThat(report.failedTotal() + report.answeredBetween(500, 599)).isZero();
    }

    @Test
    @Order(4)
    void aServerRemovedIsDrainedFirstAndFailsNoRequest() throws Exception {
        List<Operation.Snapshot> result = new CopyOnWriteArrayList<>();
        LoadReport report = underLoad(() -> result.add(finished(stack.scale("web", 2))));

        assertThat(report.failedTotal() + report.answeredBetween(500, 599))
                .as("failed %s, answered %s", report.failed(), report.answered()).isZero();
        assertThat(stack.host("server-3")).isEmpty();
        assertThat(stack.balancer().backend().server("web-3")).isEmpty();
        assertThat(result.get(0).steps()).extracting(Operation.Step::text)
                .anySatisfy(t -> assertThat(t).startsWith("drain at lb-1"))
                .last().satisfies(t -> assertThat(t).contains("removed from the zone"));
        assertThatThrownBy(() -> stack.scale("web", 1)).isInstanceOf(ControlException.class)
                .hasMessageContaining("server-2 also run a database");
    }

    @Test
    @Order(5)
    void blueGreenSwitchesEveryRequestToTheNewSetAtOnceAndKeepsTheOldOneForARollback() throws Exception {
        LoadReport report = underLoad(() -> finished(stack.deploy("v2", "blue-green")));

        assertThat(report.failedTotal() + report.answeredBetween(500, 599))
                .as("failed %s, answered %s", report.failed(), report.answered()).isZero();
        assertThat(stack.balancer().backend().servers()).extracting(s -> s.name() + " " + s.adminState())
                .containsExactly("web-1 DRAIN", "web-2 DRAIN", "web-4 READY", "web-5 READY");
        assertThat(stack.host("green-1")).isPresent();
        assertThat(((AppTierRuntime) stack.context().tier("green-1", Role.APP)).version()).isEqualTo(AppVersion.V2);
        assertThat(((AppTierRuntime) stack.context().tier("server-1", Role.APP)).version()).isEqualTo(AppVersion.V1);
        assertThat(stack.balancer().backend().server("web-4").orElseThrow().adminState())
                .as("web-3 was never reused: it named the removed server-3").isEqualTo(Server.AdminState.READY);
    }
}
