package org.foobarstack.app;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.NameValuePairs;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.Role;
import org.foobarstack.fastcgi.UnknownTypeBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The responder over real sockets, driven by {@link RawFastCgiClient}. */
class ResponderTest {

    private final TestApplication app = new TestApplication();
    private final List<AppServer> servers = new ArrayList<>();

    /** Where the servers of a test log bad input: each case must leave exactly one line. */
    private final RecordingLogger badInput = new RecordingLogger();

    /** Asserts that exactly one line was logged since {@code mark}, and that it contains {@code expected}. */
    private void assertOneLogLine(int mark, String expected) {
        assertThat(badInput.linesSince(mark)).singleElement().asString().startsWith("WARN ").contains(expected);
    }

    private AppServer start(UnaryOperator<AppServerConfig.Builder> tweak) {
        AppServer server = new AppServer(tweak.apply(AppServerConfig.builder().port(0).workerThreads(4)
                .badInputLog(badInput)).build(), app);
        servers.add(server);
        server.start();
        return server;
    }

    private RawFastCgiClient connect(AppServer server) throws Exception {
        return new RawFastCgiClient(server.address());
    }

    @AfterEach
    void stop() {
        servers.forEach(AppServer::close);
    }

    @Test
    void withoutKeepConnTheServerAnswersThenCloses() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            RawFastCgiClient.Reply reply = c.request(1, false, "POST", "/echo", "hello");
            assertThat(reply.protocolStatus()).isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
            assertThat(reply.appStatus()).isZero();
            assertThat(reply.head()).startsWith("Status: 200 OK\r\n");
            assertThat(reply.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(reply.header("Content-Length")).isEqualTo("16");
            assertThat(reply.body()).isEqualTo("POST /echo hello");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void theBytesNginxSendsAreAnsweredAndTheConnectionClosed() throws Exception {
        byte[] capture;
        try (var in = getClass().getResourceAsStream("/captures/nginx-1.22.1-post-api-messages.hex")) {
            capture = hex(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            c.sendBytes(capture);
            RawFastCgiClient.Reply reply = c.readReply(1);
            assertThat(reply.body()).isEqualTo("POST /api/messages {\"author\":\"ada\",\"body\":\"hi\"}");
            assertThat(c.closedByServer()).isTrue(); // nginx did not set FCGI_KEEP_CONN
        }
    }

    @Test
    void withKeepConnOneConnectionCarriesRequestAfterRequest() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            for (int i = 0; i < 5; i++) {
                RawFastCgiClient.Reply reply = c.request(1, true, "GET", "/n" + i, "");
                assertThat(reply.body()).isEqualTo("GET /n" + i + " ");
            }
            assertThat(server.openConnections()).isEqualTo(1);
            // the last one drops keep-conn, and the server closes
            assertThat(c.request(1, false, "GET", "/last", "").body()).isEqualTo("GET /last ");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void multiplexedRequestsRunConcurrentlyAndAnswerByTheirIds() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/slow"), new byte[0]);
            assertThat(app.awaitStarted("slow")).isTrue();
            // request 2 starts and finishes while request 1 is still inside the application
            RawFastCgiClient.Reply fast = c.request(2, true, "GET", "/fast", "");
            assertThat(fast.body()).isEqualTo("GET /fast ");
            app.release("slow");
            RawFastCgiClient.Reply slow = c.readReply(1);
            assertThat(slow.body()).isEqualTo("GET /block/slow ");
        }
    }

    @Test
    void interleavedRecordsOfTwoRequestsAreAssembledSeparately() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            Map<String, String> p3 = RawFastCgiClient.cgi("POST", "/three");
            Map<String, String> p4 = RawFastCgiClient.cgi("POST", "/four");
            c.begin(3, Role.RESPONDER, true);
            c.begin(4, Role.RESPONDER, true);
            List<FastCgiRecord> params3 = FastCgiRecords.params(RawFastCgiClient.ALLOC, 3, p3);
            List<FastCgiRecord> params4 = FastCgiRecords.params(RawFastCgiClient.ALLOC, 4, p4);
            c.send(params4.get(0), params3.get(0), params3.get(1), params4.get(1));
            c.send(stdin(4, "body-4"), stdin(3, "body-3"), FastCgiRecord.empty(RecordType.STDIN, 3),
                    stdin(4, "-more"), FastCgiRecord.empty(RecordType.STDIN, 4));
            assertThat(c.readReply(4).body()).isEqualTo("POST /four body-4-more");
            assertThat(c.readReply(3).body()).isEqualTo("POST /three body-3");
        }
    }

    @Test
    void abortRequestEndsARunningRequestAndItsLateAnswerIsDropped() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/aborted"), new byte[0]);
            assertThat(app.awaitStarted("aborted")).isTrue();
            c.send(FastCgiRecord.empty(RecordType.ABORT_REQUEST, 1));
            RawFastCgiClient.Reply aborted = c.readReply(1);
            assertThat(aborted.protocolStatus()).isEqualTo(ProtocolStatus.REQUEST_COMPLETE);
            assertThat(aborted.appStatus()).isEqualTo(1);
            assertThat(aborted.stdout()).isEmpty();
            // the id is free again; the aborted request's late answer must not leak into the new one
            app.release("aborted");
            RawFastCgiClient.Reply next = c.request(1, true, "GET", "/after", "");
            assertThat(next.body()).isEqualTo("GET /after ");
        }
    }

    @Test
    void abortRequestWhileParamsArriveEndsTheRequest() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            c.begin(9, Role.RESPONDER, true);
            c.send(FastCgiRecords.params(RawFastCgiClient.ALLOC, 9, RawFastCgiClient.cgi("GET", "/x")).get(0));
            c.send(FastCgiRecord.empty(RecordType.ABORT_REQUEST, 9));
            RawFastCgiClient.Reply reply = c.readReply(9);
            assertThat(reply.appStatus()).isEqualTo(1);
            assertThat(reply.stdout()).isEmpty();
            assertThat(c.request(9, true, "GET", "/again", "").body()).isEqualTo("GET /again ");
        }
    }

    @Test
    void getValuesReportsTheLimitsAndOnlyTheNamesItKnows() throws Exception {
        AppServer server = start(b -> b.maxConnections(7).maxRequestsPerConnection(3));
        try (RawFastCgiClient c = connect(server)) {
            Map<String, String> ask = new LinkedHashMap<>();
            ask.put(FastCgiRecords.FCGI_MAX_CONNS, "");
            ask.put(FastCgiRecords.FCGI_MAX_REQS, "");
            ask.put(FastCgiRecords.FCGI_MPXS_CONNS, "");
            ask.put("SOMETHING_ELSE", "");
            c.send(FastCgiRecords.values(RawFastCgiClient.ALLOC, RecordType.GET_VALUES, ask));
            FastCgiRecord result = c.read();
            try {
                assertThat(result.is(RecordType.GET_VALUES_RESULT)).isTrue();
                assertThat(result.requestId()).isZero();
                assertThat(NameValuePairs.readMap(result.content())).containsExactly(
                        Map.entry("FCGI_MAX_CONNS", "7"), Map.entry("FCGI_MAX_REQS", "21"),
                        Map.entry("FCGI_MPXS_CONNS", "1"));
            } finally {
                result.release();
            }
        }
    }

    @Test
    void getValuesSaysNoMultiplexingWhenOneRequestPerConnection() throws Exception {
        AppServer server = start(b -> b.maxRequestsPerConnection(1));
        try (RawFastCgiClient c = connect(server)) {
            c.send(FastCgiRecords.values(RawFastCgiClient.ALLOC, RecordType.GET_VALUES,
                    Map.of(FastCgiRecords.FCGI_MPXS_CONNS, "")));
            FastCgiRecord result = c.read();
            assertThat(NameValuePairs.readMap(result.content())).containsExactly(Map.entry("FCGI_MPXS_CONNS", "0"));
            result.release();
        }
    }

    @Test
    void anUnknownManagementRecordIsAnsweredUnknownTypeAndTheConnectionGoesOn() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            c.send(new FastCgiRecord(42, 0, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
            FastCgiRecord answer = c.read();
            assertThat(answer.is(RecordType.UNKNOWN_TYPE)).isTrue();
            assertThat(UnknownTypeBody.read(answer.content()).type()).isEqualTo(42);
            answer.release();
            assertThat(c.request(1, true, "GET", "/still-here", "").body()).isEqualTo("GET /still-here ");
        }
    }

    @Test
    void aSecondConcurrentRequestGetsCantMpxConnWhenMultiplexingIsOff() throws Exception {
        AppServer server = start(b -> b.maxRequestsPerConnection(1));
        try (RawFastCgiClient c = connect(server)) {
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/first"), new byte[0]);
            assertThat(app.awaitStarted("first")).isTrue();
            c.begin(2, Role.RESPONDER, true);
            RawFastCgiClient.Reply refused = c.readReply(2);
            assertThat(refused.protocolStatus()).isEqualTo(ProtocolStatus.CANT_MPX_CONN);
            assertThat(refused.stdout()).isEmpty();
            app.release("first");
            assertThat(c.readReply(1).body()).isEqualTo("GET /block/first ");
        }
    }

    /**
     * §5.1 asks for a close after a request without FCGI_KEEP_CONN; on a multiplexed connection the close waits for
     * the requests still running, whose answers the web server is waiting for.
     */
    @Test
    void aRequestWithoutKeepConnClosesOnlyAfterTheOthersOnItsConnectionHaveAnswered() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/long"), new byte[0]);
            assertThat(app.awaitStarted("long")).isTrue();
            RawFastCgiClient.Reply quick = c.request(2, false, "GET", "/quick", "");
            assertThat(quick.body()).isEqualTo("GET /quick ");
            // the connection is on its way out: a new request is turned away rather than keeping it open
            c.begin(3, Role.RESPONDER, true);
            assertThat(c.readReply(3).protocolStatus()).isEqualTo(ProtocolStatus.OVERLOADED);
            app.release("long");
            assertThat(c.readReply(1).body()).isEqualTo("GET /block/long ");
            assertThat(c.closedByServer()).as("closed once the last request has answered").isTrue();
        }
    }

    @Test
    void aRefusalWithoutKeepConnDoesNotCutOffTheRequestStillRunning() throws Exception {
        AppServer server = start(b -> b.maxRequestsPerConnection(1));
        try (RawFastCgiClient c = connect(server)) {
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/running"), new byte[0]);
            assertThat(app.awaitStarted("running")).isTrue();
            c.begin(2, Role.RESPONDER, false);
            assertThat(c.readReply(2).protocolStatus()).isEqualTo(ProtocolStatus.CANT_MPX_CONN);
            app.release("running");
            assertThat(c.readReply(1).body()).isEqualTo("GET /block/running ");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** The worker queue is bounded: one request more than it holds is refused at once, the queued ones still run. */
    @Test
    void aRequestBeyondTheWorkerQueueGetsOverloadedAndTheQueuedOnesStillRun() throws Exception {
        AppServer server = start(b -> b.workerThreads(1).maxQueuedRequests(1));
        try (RawFastCgiClient c = connect(server)) {
            c.sendRequest(1, true, RawFastCgiClient.cgi("GET", "/block/busy"), new byte[0]);
            assertThat(app.awaitStarted("busy")).as("the only worker is taken").isTrue();
            c.sendRequest(2, true, RawFastCgiClient.cgi("GET", "/queued"), new byte[0]);
            int mark = badInput.mark();
            c.sendRequest(3, true, RawFastCgiClient.cgi("GET", "/one-too-many"), new byte[0]);
            RawFastCgiClient.Reply refused = c.readReply(3);
            assertThat(refused.protocolStatus()).isEqualTo(ProtocolStatus.OVERLOADED);
            assertThat(refused.stdout()).isEmpty();
            assertOneLogLine(mark, "1 requests already wait for a worker");
            app.release("busy");
            assertThat(c.readReply(1).body()).isEqualTo("GET /block/busy ");
            assertThat(c.readReply(2).body()).isEqualTo("GET /queued ");
        }
    }

    @Test
    void oneRequestMoreThanTheConnectionAllowsGetsOverloaded() throws Exception {
        AppServer server = start(b -> b.maxRequestsPerConnection(2));
        try (RawFastCgiClient c = connect(server)) {
            c.begin(1, Role.RESPONDER, true);
            c.begin(2, Role.RESPONDER, true);
            c.begin(3, Role.RESPONDER, true);
            RawFastCgiClient.Reply refused = c.readReply(3);
            assertThat(refused.protocolStatus()).isEqualTo(ProtocolStatus.OVERLOADED);
            c.params(1, RawFastCgiClient.cgi("GET", "/one"));
            c.stdin(1, new byte[0]);
            assertThat(c.readReply(1).body()).isEqualTo("GET /one ");
        }
    }

    @Test
    void aConnectionBeyondMaxConnectionsGetsOverloadedAndIsClosed() throws Exception {
        AppServer server = start(b -> b.maxConnections(1));
        try (RawFastCgiClient first = connect(server); RawFastCgiClient second = connect(server)) {
            assertThat(first.request(1, true, "GET", "/first", "").body()).isEqualTo("GET /first ");
            second.begin(1, Role.RESPONDER, true);
            RawFastCgiClient.Reply refused = second.readReply(1);
            assertThat(refused.protocolStatus()).isEqualTo(ProtocolStatus.OVERLOADED);
            assertThat(second.closedByServer()).isTrue();
            assertThat(first.request(1, true, "GET", "/first-again", "").body()).isEqualTo("GET /first-again ");
        }
    }

    @Test
    void rolesOtherThanResponderGetUnknownRoleAndTheirRecordsAreIgnored() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            c.begin(5, Role.AUTHORIZER, true);
            RawFastCgiClient.Reply refused = c.readReply(5);
            assertThat(refused.protocolStatus()).isEqualTo(ProtocolStatus.UNKNOWN_ROLE);
            // §3.3: records for the now inactive id 5 are ignored, the connection lives on
            c.params(5, RawFastCgiClient.cgi("GET", "/ignored"));
            assertThat(c.request(6, true, "GET", "/served", "").body()).isEqualTo("GET /served ");
        }
        try (RawFastCgiClient c = connect(server)) {
            c.begin(1, Role.FILTER, false);
            assertThat(c.readReply(1).protocolStatus()).isEqualTo(ProtocolStatus.UNKNOWN_ROLE);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aWrongVersionClosesTheConnectionAndTheServerServesOthers() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            int mark = badInput.mark();
            c.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.closedByServer()).isTrue();
            assertOneLogLine(mark, "version");
        }
        try (RawFastCgiClient c = connect(server)) {
            assertThat(c.request(1, false, "GET", "/ok", "").body()).isEqualTo("GET /ok ");
        }
    }

    @Test
    void malformedRecordsCloseTheConnection() throws Exception {
        AppServer server = start(b -> b);
        List<byte[]> broken = List.of(
                hex("01 01 0001 0003 05 00  000100 0000000000"),       // BEGIN_REQUEST body of 3 bytes
                hex("01 09 0001 0000 00 00"),                          // GET_VALUES with a request id
                hex("01 04 0000 0000 00 00"),                          // PARAMS with request id 0
                hex("01 01 0001 0008 00 00  0001010000000000"         // a request, then STDOUT sent to us
                        + "01 06 0001 0000 00 00"),
                hex("01 01 0001 0008 00 00  0001010000000000"         // STDIN before PARAMS ended (§6.2)
                        + "01 05 0001 0000 00 00"),
                hex("01 01 0001 0008 00 00  0001010000000000"         // a pair whose lengths run past the stream
                        + "01 04 0001 0003 05 00  7f7f41 0000000000"
                        + "01 04 0001 0000 00 00"),
                hex("01 01 0001 0008 00 00  0001010000000000"         // the same request id begun twice
                        + "01 01 0001 0008 00 00  0001010000000000"));
        for (byte[] bytes : broken) {
            try (RawFastCgiClient c = connect(server)) {
                int mark = badInput.mark();
                c.sendBytes(bytes);
                assertThat(c.closedByServer()).as(ByteBufUtil.hexDump(bytes)).isTrue();
                assertOneLogLine(mark, "closing the connection: FastCGI §");
            }
        }
        try (RawFastCgiClient c = connect(server)) {
            assertThat(c.request(1, false, "GET", "/ok", "").body()).isEqualTo("GET /ok ");
        }
    }

    @Test
    void oversizedParamsAreAnswered431AndTheConnectionGoesOn() throws Exception {
        AppServer server = start(b -> b.maxParamsBytes(1024));
        try (RawFastCgiClient c = connect(server)) {
            Map<String, String> params = RawFastCgiClient.cgi("GET", "/big-cookie");
            params.put("HTTP_COOKIE", "c".repeat(2000));
            int mark = badInput.mark();
            c.sendRequest(1, true, params, new byte[0]);
            RawFastCgiClient.Reply reply = c.readReply(1);
            assertThat(reply.httpStatus()).isEqualTo(431);
            assertOneLogLine(mark, "PARAMS stream over 1024 bytes, answering 431");
            assertThat(reply.body()).contains("\"status\":431").contains("1024");
            assertThat(reply.appStatus()).isEqualTo(1);
            assertThat(c.request(2, true, "GET", "/small", "").body()).isEqualTo("GET /small ");
        }
    }

    @Test
    void aBodyOverTheLimitIsAnswered413WhetherDeclaredOrNot() throws Exception {
        AppServer server = start(b -> b.maxStdinBytes(100));
        try (RawFastCgiClient c = connect(server)) {
            RawFastCgiClient.Reply reply = declaring(c, 1, "POST", "5000", new byte[5000]);
            assertThat(reply.httpStatus()).isEqualTo(413);
            assertThat(reply.body()).contains("over 100 bytes");

            c.sendRequest(2, true, RawFastCgiClient.cgi("POST", "/upload"), new byte[101]);
            assertThat(c.readReply(2).httpStatus()).isEqualTo(413);
            assertThat(c.request(3, true, "POST", "/fits", "x".repeat(100)).body()).endsWith("x".repeat(100));
        }
    }

    /** nginx sends CONTENT_LENGTH empty for a request without a body; only digits declare a length. */
    @Test
    void aDeclaredLengthCountsOnlyWhenItIsDigits() throws Exception {
        AppServer server = start(b -> b.maxStdinBytes(100));
        try (RawFastCgiClient c = connect(server)) {
            assertThat(declaring(c, 1, "GET", "", new byte[0]).httpStatus()).isEqualTo(200);
            assertThat(declaring(c, 2, "GET", "12abc", new byte[0]).httpStatus()).isEqualTo(200);
            RawFastCgiClient.Reply reply = declaring(c, 3, "POST", "9".repeat(30), new byte[0]);
            assertThat(reply.httpStatus()).isEqualTo(413);
            assertThat(reply.body()).contains("over 100 bytes");
        }
    }

    /** One request to /upload whose CONTENT_LENGTH says {@code contentLength}, whatever {@code body} holds. */
    private static RawFastCgiClient.Reply declaring(RawFastCgiClient c, int id, String method, String contentLength,
                                                    byte[] body) throws Exception {
        Map<String, String> params = RawFastCgiClient.cgi(method, "/upload");
        params.put("CONTENT_LENGTH", contentLength);
        c.sendRequest(id, true, params, body);
        return c.readReply(id);
    }

    @Test
    void requestsBeyondTheServerWideBufferBudgetAreAnswered503() throws Exception {
        AppServer server = start(b -> b.maxBufferedBytes(1000));
        try (RawFastCgiClient c = connect(server)) {
            RawFastCgiClient.Reply reply = c.request(1, true, "POST", "/upload", "x".repeat(2000));
            assertThat(reply.httpStatus()).isEqualTo(503);
            assertThat(reply.body()).contains("too many request bytes");
            // the refused request gave its share back: a small one fits again
            assertThat(c.request(2, true, "POST", "/small", "y".repeat(100)).body()).endsWith("y".repeat(100));
        }
    }

    @Test
    void aStreamThatNeverEndsIsClosedAtTheRequestTimeout() throws Exception {
        AppServer server = start(b -> b.requestTimeout(Duration.ofMillis(300)));
        try (RawFastCgiClient c = connect(server)) {
            int mark = badInput.mark();
            c.begin(1, Role.RESPONDER, true);
            c.params(1, RawFastCgiClient.cgi("POST", "/slowloris"));
            c.send(stdin(1, "a little, and never the end"));
            long start = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertOneLogLine(mark, "still incomplete after 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void aHalfRecordFollowedBySilenceIsClosedAtTheIdleTimeout() throws Exception {
        AppServer server = start(b -> b.idleTimeout(Duration.ofMillis(300)));
        try (RawFastCgiClient c = connect(server)) {
            int mark = badInput.mark();
            c.sendBytes(hex("01 01 00"));
            assertThat(c.closedByServer()).isTrue();
            assertOneLogLine(mark, "3 bytes of an unfinished record, then silence for 300 ms");
        }
    }

    @Test
    void aLargeResponseTravelsInRecordsOfAtMost65535Bytes() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            RawFastCgiClient.Reply reply = c.request(1, false, "GET", "/big", "");
            assertThat(reply.body()).hasSize(TestApplication.BIG_BODY);
            assertThat(reply.stdoutRecordSizes()).hasSizeGreaterThan(1).allMatch(size -> size <= 65_535);
        }
    }

    @Test
    void anApplicationFailureIsA500WithTheReasonOnStderr() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            RawFastCgiClient.Reply reply = c.request(1, true, "GET", "/fail", "");
            assertThat(reply.httpStatus()).isEqualTo(500);
            assertThat(reply.header("Content-Type")).isEqualTo("application/json");
            assertThat(reply.stderr()).contains("boom");
            assertThat(c.request(2, true, "GET", "/ok", "").body()).isEqualTo("GET /ok ");
        }
    }

    @Test
    void aHeadResponseHasHeadersButNoBody() throws Exception {
        AppServer server = start(b -> b);
        try (RawFastCgiClient c = connect(server)) {
            RawFastCgiClient.Reply reply = c.request(1, true, "HEAD", "/page", "");
            assertThat(reply.httpStatus()).isEqualTo(200);
            assertThat(reply.header("Content-Length")).isEqualTo("11"); // "HEAD /page "
            assertThat(reply.body()).isEmpty();
        }
    }

    @Test
    void closeLetsARequestInTheApplicationFinish() throws Exception {
        AppServer server = start(b -> b.shutdownTimeout(Duration.ofSeconds(5)));
        try (RawFastCgiClient c = connect(server)) {
            c.sendRequest(1, false, RawFastCgiClient.cgi("GET", "/block/inflight"), new byte[0]);
            assertThat(app.awaitStarted("inflight")).isTrue();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            app.release("inflight");
            assertThat(c.readReply(1).body()).isEqualTo("GET /block/inflight ");
            closing.get();
            assertThat(c.closedByServer()).isTrue();
        }
        server.close(); // idempotent
    }

    @Test
    void aTakenPortIsAClearErrorAndPortZeroWorksTwiceInOneJvm() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            AppServer clash = new AppServer(AppServerConfig.builder().port(taken.getLocalPort())
                    .instanceName("app-7").build(), app);
            assertThatThrownBy(clash::start)
                    .isInstanceOf(AppServerException.class)
                    .hasMessageContaining("app-server app-7")
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
            clash.close();
        }
        AppServer a = start(b -> b.instanceName("app-a"));
        AppServer b = start(x -> x.instanceName("app-b"));
        InetSocketAddress addressA = a.address();
        assertThat(addressA.getPort()).isNotZero().isNotEqualTo(b.address().getPort());
        try (RawFastCgiClient c = connect(b)) {
            assertThat(c.request(1, false, "GET", "/b", "").body()).isEqualTo("GET /b ");
        }
    }

    private static FastCgiRecord stdin(int id, String text) {
        return new FastCgiRecord(RecordType.STDIN, id, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s", ""));
    }
}
