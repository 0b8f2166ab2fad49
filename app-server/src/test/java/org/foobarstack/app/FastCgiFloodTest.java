package org.foobarstack.app;

import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of FastCGI requests that are opened and never finished: BEGIN_REQUEST and the whole PARAMS stream, then
 * no STDIN. Each holds a request slot and its PARAMS bytes but no worker (a request runs only once STDIN has ended),
 * so a well-behaved client on its own connection is served meanwhile, each answer within
 * {@link #WELL_BEHAVED_LATENCY}. At the request timeout each stalled connection is closed and counted.
 */
class FastCgiFloodTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WELL_BEHAVED_LATENCY = Duration.ofSeconds(1);
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final int STALLED = 50;

    private final TestApplication app = new TestApplication();
    private final List<RawFastCgiClient> clients = new ArrayList<>();
    private AppServer server;

    @AfterEach
    void stop() throws Exception {
        for (RawFastCgiClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void requestsThatNeverSendStdinAreClosedAtTheRequestTimeoutWhileAWellBehavedClientIsServed() throws Exception {
        server = new AppServer(AppServerConfig.builder().port(0).workerThreads(4).requestTimeout(REQUEST_TIMEOUT)
                .badInputLog(new RecordingLogger()).build(), app);
        server.start();
        RawFastCgiClient wellBehaved = new RawFastCgiClient(server.address());
        clients.add(wellBehaved);
        // warm: the promise below is about a running server, not the first request's class loading
        assertThat(wellBehaved.request(1, true, "GET", "/warm", null).httpStatus()).isEqualTo(200);

        long firstStalled = System.nanoTime();
        List<RawFastCgiClient> stalled = new ArrayList<>();
        for (int i = 0; i < STALLED; i++) {
            RawFastCgiClient c = new RawFastCgiClient(server.address());
            clients.add(c);
            stalled.add(c);
            c.begin(1, Role.RESPONDER, true);
            c.params(1, RawFastCgiClient.cgi("POST", "/never-finished"));
        }
        long lastStalled = System.nanoTime();
        await("the server holds every stalled connection", () -> server.openConnections() == STALLED + 1);

        for (int id = 2; id < 12; id++) {
            long start = System.nanoTime();
            RawFastCgiClient.Reply reply = wellBehaved.request(id, true, "GET", "/during", null);
            assertThat(reply.protocolStatus()).isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
            assertThat(reply.body()).isEqualTo("GET /during ");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a well-behaved request during the flood")
                    .isLessThan(WELL_BEHAVED_LATENCY);
        }
        assertThat(server.openConnections()).as("the stalled ones were still held meanwhile")
                .isEqualTo(STALLED + 1);

        for (RawFastCgiClient c : stalled) {
            assertThat(c.closedByServer()).as("closed, without END_REQUEST").isTrue();
        }
        long allClosed = System.nanoTime();
        assertThat(Duration.ofNanos(allClosed - firstStalled)).as("not before the timeout")
                .isGreaterThanOrEqualTo(REQUEST_TIMEOUT);
        assertThat(Duration.ofNanos(allClosed - lastStalled)).as("soon after it")
                .isLessThan(REQUEST_TIMEOUT.plusSeconds(5));
        assertThat(server.metrics().exposition())
                .contains("foobar_app_protocol_errors_total{instance=\"app-1\",kind=\"STREAM_TIMEOUT\"} " + STALLED
                        + ".0");
        await("the stalled connections are gone", () -> server.openConnections() == 1);
        assertThat(wellBehaved.request(12, true, "GET", "/after", null).body()).isEqualTo("GET /after ");
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s for: %s", DEADLINE, what).isLessThan(end);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
