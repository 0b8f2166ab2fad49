package org.foobarstack.app;

import org.foobarstack.fastcgi.ProtocolStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app server with an emulated capacity, over real sockets: the worker and the queue are the capacity's, one
 * request more is refused OVERLOADED, and each request holds its worker for the service time.
 */
class EmulatedCapacityTest {

    private final TestApplication app = new TestApplication();
    private final List<AppServer> servers = new ArrayList<>();
    private final RecordingLogger badInput = new RecordingLogger();

    private AppServer start(Capacity capacity) {
        // workerThreads and maxQueuedRequests are set far above the capacity: the capacity must win
        AppServer server = new AppServer(AppServerConfig.builder().port(0).instanceName("app-small")
                .workerThreads(8).maxQueuedRequests(100).capacity(capacity).badInputLog(badInput).build(), app);
        servers.add(server);
        server.start();
        return server;
    }

    @AfterEach
    void stop() {
        servers.forEach(AppServer::close);
    }

    /**
     * One worker and a queue of one: of four concurrent requests, the first runs, the second waits, and exactly the
     * third and fourth are shed. Request 1 is held in the application until the refusals have been read, so the
     * worker is certainly busy when they arrive; requests on one connection are taken in the order sent.
     */
    @Test
    void requestsBeyondTheWorkersAndTheQueueAreShedWithOverloaded() throws Exception {
        AppServer server = start(Capacity.parse("1x200ms,queue=1"));
        try (RawFastCgiClient c = new RawFastCgiClient(server.address())) {
            long sent = System.nanoTime();
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/first"), new byte[0]);
            assertThat(app.awaitStarted("first")).as("the one worker runs request 1").isTrue();
            c.sendRequest(2, true, RawFastCgiClient.cgi("GET", "/second"), new byte[0]);
            int mark = badInput.mark();
            c.sendRequest(3, true, RawFastCgiClient.cgi("GET", "/third"), new byte[0]);
            c.sendRequest(4, true, RawFastCgiClient.cgi("GET", "/fourth"), new byte[0]);

            for (int shed : new int[] {3, 4}) {
                RawFastCgiClient.Reply refused = c.readReply(shed);
                assertThat(refused.protocolStatus()).as("request " + shed).isEqualTo(ProtocolStatus.OVERLOADED);
                assertThat(refused.stdout()).isEmpty();
            }
            assertThat(badInput.linesSince(mark)).hasSize(2).allSatisfy(line -> assertThat(line)
                    .contains("refused with OVERLOADED", "1 requests already wait for a worker",
                            "capacity 1 worker x 200 ms = 5 requests/s, queue 1 (emulated)"));

            app.release("first");
            RawFastCgiClient.Reply first = c.readReply(1);
            RawFastCgiClient.Reply second = c.readReply(2);
            long bothDone = System.nanoTime();
            assertThat(first.protocolStatus()).isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
            assertThat(first.body()).isEqualTo("GET /block/first ");
            assertThat(second.protocolStatus()).isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
            assertThat(second.body()).isEqualTo("GET /second ");
            // one worker, 200 ms each, one after the other: the second answer cannot come before 400 ms
            assertThat(Duration.ofNanos(bothDone - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
        assertThat(server.metrics().exposition())
                .contains("foobar_app_requests_shed_total{instance=\"app-small\"} 2.0");
    }

    /** With a queue of 0 there is no waiting: a request while the one worker is busy is refused at once. */
    @Test
    void withAQueueOfZeroARequestWhileTheWorkerIsBusyIsRefusedAtOnce() throws Exception {
        AppServer server = start(Capacity.parse("1x150ms,queue=0"));
        try (RawFastCgiClient c = new RawFastCgiClient(server.address())) {
            long sent = System.nanoTime();
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/busy"), new byte[0]);
            assertThat(app.awaitStarted("busy")).isTrue();
            c.sendRequest(2, true, RawFastCgiClient.cgi("GET", "/no-room"), new byte[0]);
            assertThat(c.readReply(2).protocolStatus()).isEqualTo(ProtocolStatus.OVERLOADED);
            app.release("busy");
            assertThat(c.readReply(1).body()).isEqualTo("GET /block/busy ");
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        }
    }
}
