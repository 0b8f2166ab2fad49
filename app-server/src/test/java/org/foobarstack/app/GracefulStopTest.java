package org.foobarstack.app;

import io.netty.buffer.Unpooled;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AppServer#close()} over real sockets: every request the server accepted before the stop ends with its full
 * answer and END_REQUEST REQUEST_COMPLETE, whatever step it was at; only requests begun after the stop are refused.
 */
class GracefulStopTest {

    private final TestApplication app = new TestApplication();
    private AppServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * Three requests on one connection when the stop begins: one running in the application, one waiting in the
     * worker queue, one whose body has not finished arriving. All three are answered in full; a fourth, begun after
     * the stop, is refused OVERLOADED; then the connection closes.
     */
    @Test
    void everyAcceptedRequestEndsWithItsAnswerAndNewOnesAreRefused() throws Exception {
        server = new AppServer(AppServerConfig.builder().port(0).workerThreads(1).maxQueuedRequests(4)
                .shutdownTimeout(Duration.ofSeconds(10)).badInputLog(new RecordingLogger()).build(), app);
        server.start();
        InetSocketAddress address = server.address();
        try (RawFastCgiClient c = new RawFastCgiClient(address)) {
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/running"), new byte[0]);
            assertThat(app.awaitStarted("running")).isTrue();
            c.sendRequest(2, true, RawFastCgiClient.cgi("GET", "/queued"), new byte[0]);
            Map<String, String> post = RawFastCgiClient.cgi("POST", "/arriving");
            post.put("CONTENT_LENGTH", "11");
            c.begin(3, Role.RESPONDER, true);
            c.params(3, post);
            c.send(FastCgiRecords.stream(RecordType.STDIN, 3, Unpooled.copiedBuffer("hello ",
                    StandardCharsets.UTF_8)).toArray(new FastCgiRecord[0]));
            // GET_VALUES is answered in order after the records before it: request 3 has been accepted
            c.send(FastCgiRecords.values(RawFastCgiClient.ALLOC, RecordType.GET_VALUES,
                    Map.of(FastCgiRecords.FCGI_MAX_CONNS, "")));
            FastCgiRecord values = c.read();
            assertThat(values.type()).isEqualTo(RecordType.GET_VALUES_RESULT);
            values.release();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            awaitConnectionsRefused(address);

            // the rest of request 3's body arrives after the stop began, and request 4 begins
            c.send(FastCgiRecords.stream(RecordType.STDIN, 3, Unpooled.copiedBuffer("world",
                    StandardCharsets.UTF_8)).toArray(new FastCgiRecord[0]));
            c.send(FastCgiRecord.empty(RecordType.STDIN, 3));
            c.sendRequest(4, true, RawFastCgiClient.cgi("GET", "/too-late"), new byte[0]);
            RawFastCgiClient.Reply refused = c.readReply(4);
            assertThat(refused.protocolStatus()).isEqualTo(ProtocolStatus.OVERLOADED);
            assertThat(closing).as("the stop waits for the accepted requests").isNotDone();

            app.release("running");
            for (var expected : List.of(new Object[] {1, "GET /block/running "}, new Object[] {2, "GET /queued "},
                    new Object[] {3, "POST /arriving hello world"})) {
                RawFastCgiClient.Reply reply = c.readReply((int) expected[0]);
                assertThat(reply.protocolStatus()).as("request " + expected[0])
                        .isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
                assertThat(reply.appStatus()).isZero();
                assertThat(reply.httpStatus()).isEqualTo(200);
                assertThat(reply.body()).isEqualTo(expected[1]);
            }
            closing.get(10, TimeUnit.SECONDS);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /**
     * Waits until the server refuses new connections, the first step of its stop. Each try is a real connection
     * attempt, so the loop ends on the event it waits for, not after a guessed delay.
     */
    private static void awaitConnectionsRefused(InetSocketAddress address) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket(address.getAddress(), address.getPort())) {
                probe.setSoLinger(true, 0);
            } catch (ConnectException refused) {
                return;
            } catch (java.net.SocketException resetWhileClosing) {
                // accepted into the backlog of the listener being closed, then reset: the next try is refused
            }
        }
        throw new AssertionError("the server still accepts connections 5 s after close() was called");
    }
}
