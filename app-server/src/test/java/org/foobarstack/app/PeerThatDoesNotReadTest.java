package org.foobarstack.app;

import org.foobarstack.fastcgi.ProtocolStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "The responder's limits": "a peer that sends but does not read our answers: reading from it pauses while
 * its outbound buffer is above Netty's high-water mark". Over a real socket: a peer sends 1,000 requests whose
 * answers echo a 60,000-byte body (60 MB each way) and reads nothing. The app server must stop taking its
 * requests (so the peer cannot send them all) rather than hold 60 MB of answers for it; once the peer reads,
 * every request is answered, in full.
 */
class PeerThatDoesNotReadTest {

    private static final int REQUESTS = 1_000;
    private static final int BODY = 60_000;

    private AppServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void readingFromAPeerThatDoesNotReadPausesAndResumesWhenItReads() throws Exception {
        // limits well above what the test sends, so that nothing is refused for another reason
        server = new AppServer(AppServerConfig.builder().port(0).workerThreads(4).maxConnections(4)
                .maxRequestsPerConnection(REQUESTS + 1).maxQueuedRequests(REQUESTS + 1)
                .badInputLog(new RecordingLogger()).build(), new TestApplication());
        server.start();
        String body = "b".repeat(BODY - 1) + "!";
        Map<String, String> params = RawFastCgiClient.cgi("POST", "/echo");
        params.put("CONTENT_LENGTH", Integer.toString(BODY));
        byte[] bodyBytes = body.getBytes(StandardCharsets.US_ASCII);

        try (RawFastCgiClient peer = new RawFastCgiClient(server.address())) {
            CompletableFuture<Void> sentAll = CompletableFuture.runAsync(() -> {
                try {
                    for (int id = 1; id <= REQUESTS; id++) {
                        peer.sendRequest(id, true, params, bodyBytes);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                // The peer reads nothing. A server that kept reading would take all 60 MB in well under the
                // three seconds (only a slow machine could hide that it did); this one stops once its answers
                // for the peer are above the high-water mark, and the peer's socket fills up.
                assertThat(sentAll).as("all requests sent while nothing was read")
                        .failsWithin(3, TimeUnit.SECONDS);

                for (int id = 1; id <= REQUESTS; id++) {
                    RawFastCgiClient.Reply reply = peer.readReply(id);
                    assertThat(reply.protocolStatus()).as("request %d", id).isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
                    assertThat(reply.httpStatus()).as("request %d", id).isEqualTo(200);
                    assertThat(reply.body()).as("request %d", id).isEqualTo("POST /echo " + body);
                }
                sentAll.get(10, TimeUnit.SECONDS);
            } finally {
                sentAll.cancel(true);
            }
        }
    }
}
