package org.foobarstack.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator against {@link TestHttpServer}s on loopback, each test bounded by its run's duration. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {

    private static LoadConfig.Builder config(InetSocketAddress target, int rate, long durationMillis) {
        return LoadConfig.builder(target).hostHeader("www.foobar.com").rate(rate)
                .duration(Duration.ofMillis(durationMillis));
    }

    private static LoadReport run(LoadConfig config) throws InterruptedException {
        return new LoadGenerator().start(config).await();
    }

    /** Every request accounted for once: the invariant of every report. */
    private static void assertAccountedFor(LoadReport report) {
        assertThat(report.answeredTotal() + report.failedTotal()).isEqualTo(report.sent());
        List<TimelineBucket> buckets = report.timeline().buckets();
        assertThat(buckets.stream().mapToLong(TimelineBucket::sent).sum()).isEqualTo(report.sent());
        for (TimelineBucket bucket : buckets) {
            assertThat(bucket.answered() + bucket.failedTotal()).isEqualTo(bucket.sent());
        }
    }

    @Test
    void sendsExactlyRateTimesDurationRequestsAllAnswered() throws Exception {
        try (TestHttpServer server = TestHttpServer.ok()) {
            LoadReport report = run(config(server.address(), 200, 1000).build());

            assertThat(report.sent()).isEqualTo(200);
            assertThat(report.answered()).containsExactly(Map.entry(200, 200L));
            assertThat(report.failedTotal()).isZero();
            assertThat(server.requests()).isEqualTo(200);
            assertThat(report.timeline().buckets()).hasSize(10)
                    .allSatisfy(bucket -> assertThat(bucket.sent()).isEqualTo(20));
            assertThat(report.latency().count()).isEqualTo(200);
            assertThat(report.latency().p50()).isPositive().isLessThanOrEqualTo(report.latency().max());
            assertThat(report.achievedRps()).isEqualTo(200.0);
            assertThat(report.outageMillis()).isZero();
            assertThat(report.firstFailureMillis()).isEmpty();
            assertThat(report.sawFailures()).isFalse();
            assertAccountedFor(report);
        }
    }

    @Test
    void countsEachStatusCodeAndClass() throws Exception {
        // request 1, 5, 9, ... get 503; 2, 6, ... get 404; the others 200
        try (TestHttpServer server = TestHttpServer.start(exchange -> exchange.respond(switch (exchange.number() % 4) {
            case 1 -> 503;
            case 2 -> 404;
            default -> 200;
        }))) {
            LoadReport report = run(config(server.address(), 200, 500).build());

            assertThat(report.sent()).isEqualTo(100);
            assertThat(report.answered()).containsEntry(200, 50L).containsEntry(404, 25L).containsEntry(503, 25L);
            assertThat(report.answeredByClass()).containsEntry("2xx", 50L).containsEntry("4xx", 25L)
                    .containsEntry("5xx", 25L).containsEntry("1xx", 0L);
            assertThat(report.answeredBetween(500, 599)).isEqualTo(25);
            assertThat(report.sawFailures()).isTrue();
            // the server's first request is a 503; on a busy machine requests sent 5 ms apart can reach it
            // out of order, so the first failure is one of the first few sent, not necessarily request 0
            assertThat(report.firstFailureMillis().orElseThrow()).isBetween(0L, 20L);
            assertThat(report.outageMillis()).isZero();          // 503s, but never a whole 100 ms of them
            assertAccountedFor(report);
        }
    }

    @Test
    void refusedWhenNothingListens() throws Exception {
        InetSocketAddress closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
        }
        LoadReport report = run(config(closedPort, 50, 400).build());

        assertThat(report.sent()).isEqualTo(20);
        assertThat(report.failed()).containsEntry(FailureKind.REFUSED, 20L);
        assertThat(report.failureExamples().get(FailureKind.REFUSED)).containsIgnoringCase("refused");
        assertThat(report.latency().count()).isZero();
        assertThat(report.firstFailureMillis()).hasValue(0);
        assertThat(report.lastFailureMillis()).hasValue(380);
        assertThat(report.outageMillis()).isEqualTo(400);
        assertAccountedFor(report);
    }

    @Test
    void resetWhenTheServerAbortsTheConnection() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(TestHttpServer.Exchange::reset)) {
            LoadReport report = run(config(server.address(), 50, 200).build());

            assertThat(report.sent()).isEqualTo(10);
            assertThat(report.failed()).containsEntry(FailureKind.RESET, 10L);
            assertAccountedFor(report);
        }
    }

    @Test
    void resetWhenTheServerClosesBeforeAnyByte() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(TestHttpServer.Exchange::close)) {
            LoadReport report = run(config(server.address(), 50, 200).build());

            assertThat(report.failed()).containsEntry(FailureKind.RESET, 10L);
            assertThat(report.failureExamples().get(FailureKind.RESET)).contains("before any byte");
        }
    }

    @Test
    void resetWhenTheServerClosesInTheMiddleOfABody() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            exchange.writeRaw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            exchange.close();
        })) {
            LoadReport report = run(config(server.address(), 50, 200).build());

            assertThat(report.failed()).containsEntry(FailureKind.RESET, 10L);
            assertThat(report.failureExamples().get(FailureKind.RESET)).contains("3 of 10 body bytes");
        }
    }

    @Test
    void timeoutWhenTheServerNeverAnswers() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(exchange -> { })) {
            LoadConfig config = config(server.address(), 20, 500).connections(2)
                    .timeout(Duration.ofMillis(300)).build();
            long started = System.nanoTime();
            LoadReport report = run(config);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(report.sent()).isEqualTo(10);
            assertThat(report.failed()).containsEntry(FailureKind.TIMEOUT, 10L);
            // the last request is due at 450 ms and gives up 300 ms later: the run waits no longer than that
            assertThat(tookMillis).isGreaterThanOrEqualTo(750).isLessThan(5_000);
            // 2 connections, each closed by a timeout: several requests waited for one until their deadline
            assertThat(report.failureExamples().get(FailureKind.TIMEOUT)).contains("300 ms");
            assertAccountedFor(report);
        }
    }

    @Test
    void protocolErrorNamesTheViolation() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(exchange -> exchange.writeRaw("HELLO THERE\r\n\r\n"))) {
            LoadReport report = run(config(server.address(), 50, 200).build());

            assertThat(report.failed()).containsEntry(FailureKind.PROTOCOL, 10L);
            assertThat(report.protocolViolations()).containsEntry("MALFORMED_STATUS_LINE", 10L);
            assertThat(report.failureExamples().get(FailureKind.PROTOCOL)).contains("RFC 9112 §4");
            assertAccountedFor(report);
        }
    }

    @Test
    void keepAliveReusesConnections() throws Exception {
        try (TestHttpServer server = TestHttpServer.ok()) {
            LoadReport report = run(config(server.address(), 100, 1000).build());

            assertThat(report.answered()).containsEntry(200, 100L);
            assertThat(server.connections()).isLessThanOrEqualTo(LoadConfig.DEFAULT_CONNECTIONS)
                    .isLessThan(server.requests());
        }
    }

    @Test
    void opensANewConnectionAfterConnectionClose() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(exchange -> exchange.respondAndClose(200))) {
            LoadReport report = run(config(server.address(), 50, 400).build());

            assertThat(report.answered()).containsEntry(200, 20L);
            assertThat(report.failedTotal()).isZero();
            assertThat(server.connections()).isEqualTo(20);
        }
    }

    @Test
    void sendsTheConfiguredRequest() throws Exception {
        CompletableFuture<TestHttpServer.Exchange> first = new CompletableFuture<>();
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            first.complete(exchange);
            exchange.respond(201);
        })) {
            LoadConfig config = config(server.address(), 10, 100).method("post").path("/api/messages?x=1")
                    .body("{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json")
                    .header("X-Test", "yes").header("user-agent", "tester").build();
            LoadReport report = run(config);

            assertThat(report.answered()).containsEntry(201, 1L);
            String head = first.get(5, TimeUnit.SECONDS).head();
            assertThat(head).startsWith("POST /api/messages?x=1 HTTP/1.1\r\n")
                    .contains("Host: www.foobar.com\r\n", "Content-Length: 7\r\n",
                            "Content-Type: application/json\r\n", "X-Test: yes\r\n", "user-agent: tester\r\n")
                    .doesNotContain("foobar-stack-load");
        }
    }

    @Test
    void connectsFromTheSourceAddress() throws Exception {
        // all of 127.0.0.0/8 is loopback on Linux; elsewhere only 127.0.0.1 may be, and the test does not apply
        InetAddress source = InetAddress.getByAddress(new byte[]{127, 0, 0, 2});
        try (java.net.Socket probe = new java.net.Socket()) {
            probe.bind(new InetSocketAddress(source, 0));
        } catch (IOException notLocal) {
            org.junit.jupiter.api.Assumptions.abort("127.0.0.2 is not a local address here");
        }
        List<InetAddress> from = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            from.add(exchange.remoteAddress());
            exchange.respond(200);
        })) {
            LoadReport report = run(config(server.address(), 50, 200).sourceAddress(source).build());

            assertThat(report.answered()).containsEntry(200, 10L);
            assertThat(from).hasSize(10).containsOnly(source);
        }
    }

    /**
     * The server holds every response while a gate is closed. With 4 connections, the first 4 requests reach it and
     * wait; the following ones wait in the generator's queue. Each latency runs from the request's intended start,
     * so every request scheduled while the gate was closed counts the wait. (A closed-loop generator would have
     * charged the stall to 4 requests only, and sent none during it.)
     */
    @Test
    void latencyCountsTheWaitOfEveryRequestScheduledDuringAStall() throws Exception {
        CountDownLatch fourArrived = new CountDownLatch(4);
        CountDownLatch gate = new CountDownLatch(1);
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            fourArrived.countDown();
            gate.await();
            exchange.respond(200);
        })) {
            LoadConfig config = config(server.address(), 200, 1000).connections(4)
                    .timeout(Duration.ofSeconds(10)).build();
            RunningLoad load = new LoadGenerator().start(config);

            assertThat(fourArrived.await(10, TimeUnit.SECONDS)).isTrue();
            long closedSince = System.nanoTime();
            AtomicLong openedAt = new AtomicLong();
            CompletableFuture.delayedExecutor(400, TimeUnit.MILLISECONDS).execute(() -> {
                openedAt.set(System.nanoTime());
                gate.countDown();
            });
            LoadReport report = load.await();
            double holdMillis = (openedAt.get() - closedSince) / 1e6;

            assertThat(holdMillis).isGreaterThanOrEqualTo(400);
            assertThat(report.answered()).containsEntry(200, 200L);
            // the 4 requests the server held were due before the hold began: 2 % of all, so p99 covers them
            assertThat(report.latency().p99()).isGreaterThanOrEqualTo(holdMillis);
            assertThat(report.latency().max()).isGreaterThanOrEqualTo(holdMillis);
            // a request due in slice b (b × 100 ms .. (b + 1) × 100 ms) was answered after the gate opened, at least
            // holdMillis after the run's start, so it waited at least holdMillis - (b + 1) × 100 ms
            List<TimelineBucket> buckets = report.timeline().buckets();
            for (int b = 0; (b + 1) * 100 < holdMillis; b++) {
                assertThat(buckets.get(b).maxLatencyMillis())
                        .as("slice %d", b).isGreaterThanOrEqualTo(holdMillis - (b + 1) * 100);
            }
            assertAccountedFor(report);
        }
    }

    @Test
    void cancelEndsTheRunAndLeavesOutTheUnknown() throws Exception {
        CountDownLatch twoArrived = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            if (exchange.number() <= 10) {
                exchange.respond(200);
            } else {
                twoArrived.countDown();
                never.await();
            }
        })) {
            LoadConfig config = config(server.address(), 100, 30_000).connections(2).build();
            RunningLoad load = new LoadGenerator().start(config);
            assertThat(twoArrived.await(10, TimeUnit.SECONDS)).isTrue();
            load.cancel();
            LoadReport report = load.await();

            assertThat(report.cancelled()).isTrue();
            assertThat(report.answered()).containsEntry(200, 10L);
            assertThat(report.runMillis()).isLessThan(30_000);
            assertThat(load.isDone()).isTrue();
            assertAccountedFor(report);
            load.cancel(); // does nothing once the run is over
        }
    }

    @Test
    void progressCountsWhileRunning() throws Exception {
        CountDownLatch fiveAnswered = new CountDownLatch(5);
        CountDownLatch release = new CountDownLatch(1);
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            if (exchange.number() > 5) {
                release.await();
            }
            exchange.respond(200);
            fiveAnswered.countDown();
        })) {
            RunningLoad load = new LoadGenerator().start(config(server.address(), 100, 300).connections(1).build());
            assertThat(fiveAnswered.await(10, TimeUnit.SECONDS)).isTrue();
            Progress progress = load.progress();
            release.countDown();

            assertThat(progress.sent()).isGreaterThanOrEqualTo(progress.answered() + progress.failed());
            assertThat(progress.answered()).isGreaterThanOrEqualTo(4);
            assertThat(progress.elapsedMillis()).isGreaterThanOrEqualTo(40);
            assertThat(progress.toLine()).contains("sent ", "answered ");
            LoadReport report = load.await();
            assertThat(load.progress().answered()).isEqualTo(report.answeredTotal());
        }
    }

    /**
     * A deploy seen by the load: the first 100 requests are answered by v1, the next 100 by v2, and every tenth
     * answer carries no version at all. With one connection the server numbers the requests in the order of their
     * intended starts, so each 100 ms slice (20 requests at 200/s) is known: 18 of one version and 2 without.
     */
    @Test
    void countsAResponseHeaderInTheWholeRunAndInEachSlice() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            int n = exchange.number();
            if (n % 10 == 0) {
                exchange.respond(200);
            } else {
                exchange.respond(200, "X-App-Version: " + (n <= 100 ? "v1" : "v2"));
            }
        })) {
            // the name as a person might type it: field names are case-insensitive
            LoadReport report = run(config(server.address(), 200, 1000).connections(1)
                    .countHeader("x-app-version").build());

            assertThat(report.answered()).containsExactly(Map.entry(200, 200L));
            assertThat(report.settings().countedHeader()).isEqualTo("x-app-version");
            assertThat(report.headerValues()).containsExactly(Map.entry("v1", 90L), Map.entry("v2", 90L),
                    Map.entry("-", 20L));
            List<TimelineBucket> buckets = report.timeline().buckets();
            assertThat(buckets).hasSize(10);
            for (int b = 0; b < 10; b++) {
                assertThat(buckets.get(b).headerValues()).as("slice %d", b)
                        .containsExactly(Map.entry(b < 5 ? "v1" : "v2", 18L), Map.entry("-", 2L));
            }
            assertThat(report.timeline().perSecond().get(0).headerValues()).isEqualTo(report.headerValues());
            assertThat(report.toText()).contains(
                    "            x-app-version: v1   90\n",
                    "            x-app-version: v2   90\n",
                    "            x-app-version: -    20   (without the header)\n");
            assertAccountedFor(report);
        }
    }

    /**
     * Many connections, so the answers arrive in no particular order; the server tallies what it served, and the
     * report must say the same. Every fifth answer has no version, and every eighth request is reset: a request
     * that got no response carries no header and is not counted.
     */
    @Test
    void countsWhatTheServerServedWhateverTheCaseOfTheFieldName() throws Exception {
        Map<String, Long> served = new java.util.concurrent.ConcurrentHashMap<>();
        try (TestHttpServer server = TestHttpServer.start(exchange -> {
            int n = exchange.number();
            if (n % 8 == 0) {
                exchange.reset();
            } else if (n % 5 == 0) {
                served.merge("-", 1L, Long::sum);
                exchange.respond(200);
            } else {
                String version = n % 2 == 1 ? "v1" : "v2";
                served.merge(version, 1L, Long::sum);
                exchange.respond(n % 3 == 0 ? 503 : 200, "x-APP-version: " + version);
            }
        })) {
            LoadReport report = run(config(server.address(), 200, 1000).countHeader("X-App-Version").build());

            assertThat(report.failed()).containsEntry(FailureKind.RESET, 25L);
            assertThat(report.answeredTotal()).isEqualTo(175);
            assertThat(report.answeredBetween(500, 599)).isPositive(); // 5xx answers are counted like the others
            assertThat(report.headerValues()).isEqualTo(served)
                    .containsOnlyKeys("v1", "v2", "-");
            assertThat(report.headerValues().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(report.answeredTotal());
            for (TimelineBucket bucket : report.timeline().buckets()) {
                assertThat(bucket.headerValues().values().stream().mapToLong(Long::longValue).sum())
                        .isEqualTo(bucket.answered());
            }
            assertAccountedFor(report);
        }
    }

    @Test
    void countsNoHeaderUnlessAsked() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(exchange -> exchange.respond(200, "X-App-Version: v1"))) {
            LoadReport report = run(config(server.address(), 50, 200).build());

            assertThat(report.answered()).containsEntry(200, 10L);
            assertThat(report.settings().countedHeader()).isNull();
            assertThat(report.headerValues()).isEmpty();
            assertThat(report.timeline().buckets()).allSatisfy(bucket -> assertThat(bucket.headerValues()).isEmpty());
            assertThat(report.toText()).doesNotContain("X-App-Version", "v1");
            assertThat(report.toJson()).doesNotContain("\"header\"", "header_values");
        }
    }

    /** A server that answers a value of its own with every response cannot make the counts grow without bound. */
    @Test
    void valuesBeyondTheFirst32AreCountedAsOther() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(
                exchange -> exchange.respond(200, "X-Request-Id: r" + exchange.number()))) {
            LoadReport report = run(config(server.address(), 200, 500).countHeader("X-Request-Id").build());

            assertThat(report.answeredTotal()).isEqualTo(100);
            assertThat(report.headerValues()).hasSize(LoadConfig.MAX_HEADER_VALUES + 1)
                    .containsEntry("other", 100L - LoadConfig.MAX_HEADER_VALUES);
            assertThat(report.headerValues()).allSatisfy((value, n) -> {
                if (!value.equals("other")) {
                    assertThat(n).as(value).isEqualTo(1);
                }
            });
            // every slice lists at most the same 32 values and "other"
            assertThat(report.timeline().buckets()).allSatisfy(bucket ->
                    assertThat(report.headerValues().keySet()).containsAll(bucket.headerValues().keySet()));
            assertAccountedFor(report);
        }
    }
}
