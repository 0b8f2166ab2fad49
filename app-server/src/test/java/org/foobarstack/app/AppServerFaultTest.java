package org.foobarstack.app;

import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults inside the app server, seen from a FastCGI client over real sockets (the web server's seat). The echo
 * application answers POST /echo "hello" with a STDOUT stream that begins {@code Status: 200 OK} and ends with
 * the body {@code POST /echo hello}.
 */
@Timeout(30)
class AppServerFaultTest {

    private AppServer server;
    private FaultPlan faults;

    @BeforeEach
    void start() {
        server = new AppServer(AppServerConfig.builder().port(0).workerThreads(2).build(), new TestApplication());
        server.start();
        faults = server.faults();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawFastCgiClient connect() throws IOException {
        return new RawFastCgiClient(server.address());
    }

    @Test
    void resetAfterTenBytesOfStdout_theClientHasExactlyThoseBytesThenTheConnectionIsGone() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_BODY).after(10).then(Effect.RESET));
        try (RawFastCgiClient c = connect()) {
            assertThatThrownBy(() -> c.request(1, true, "POST", "/echo", "hello"))
                    .isInstanceOf(IOException.class)
                    .hasMessageEndingWith("stdout so far: Status: 20");
        }
    }

    @Test
    void closeFourBytesBeforeTheEnd_everythingBeforeArrivedInWellFormedRecords() throws IOException {
        String whole;
        try (RawFastCgiClient c = connect()) {
            whole = c.request(1, true, "POST", "/echo", "hello").stdout();
        }
        assertThat(whole).endsWith("\r\n\r\nPOST /echo hello");
        faults.add(Fault.on(Trigger.RESPONSE_BODY).after(whole.length() - 4).then(Effect.CLOSE));
        try (RawFastCgiClient c = connect()) {
            assertThatThrownBy(() -> c.request(1, true, "POST", "/echo", "hello"))
                    .hasMessageEndingWith("stdout so far: " + whole.substring(0, whole.length() - 4));
        }
    }

    @Test
    void stallAtRequestStart_noAnswerComes_andClearingThePlanHeals() throws IOException {
        faults.add(Fault.on(Trigger.REQUEST_START).then(Effect.STALL));
        try (RawFastCgiClient c = connect()) {
            c.readTimeout(Duration.ofMillis(300));
            assertThatThrownBy(() -> c.request(1, true, "POST", "/echo", "hello"))
                    .isInstanceOf(SocketTimeoutException.class);
        }
        faults.clear();
        try (RawFastCgiClient c = connect()) {
            assertThat(c.request(1, true, "POST", "/echo", "hello").body()).isEqualTo("POST /echo hello");
        }
    }

    @Test
    void delayOnStdin_theAnswerComesThatMuchLater() throws IOException {
        faults.add(Fault.on(Trigger.REQUEST_BODY).delay(Duration.ofMillis(300)));
        try (RawFastCgiClient c = connect()) {
            long sent = System.nanoTime();
            RawFastCgiClient.Reply reply = c.request(1, true, "POST", "/echo", "hello");
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(reply.body()).isEqualTo("POST /echo hello");
        }
    }

    @Test
    void delayAtResponseStart_theAnswerComesThatMuchLater_whole() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_START).delay(Duration.ofMillis(300)));
        try (RawFastCgiClient c = connect()) {
            long sent = System.nanoTime();
            RawFastCgiClient.Reply reply = c.request(1, true, "GET", "/echo", null);
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(reply.protocolStatus()).isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
            assertThat(reply.body()).isEqualTo("GET /echo ");
        }
    }

    @Test
    void aOneShotFaultFiresOnce() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_START).then(Effect.CLOSE).once());
        try (RawFastCgiClient c = connect()) {
            assertThatThrownBy(() -> c.request(1, true, "GET", "/echo", null)).isInstanceOf(IOException.class);
        }
        try (RawFastCgiClient c = connect()) {
            assertThat(c.request(1, true, "GET", "/echo", null).body()).isEqualTo("GET /echo ");
        }
        assertThat(faults.fired()).isEqualTo(1);
        assertThat(faults.faults()).isEmpty();
    }

    @Test
    void closeAtResponseEnd_theAnswerIsWhole_thenAKeptConnectionCloses() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_END).then(Effect.CLOSE));
        try (RawFastCgiClient c = connect()) {
            assertThat(c.request(1, true, "GET", "/echo", null).body()).isEqualTo("GET /echo ");
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
