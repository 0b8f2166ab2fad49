package org.foobarstack.http;

import io.netty.buffer.Unpooled;
import org.foobarstack.http.server.BodyListener;
import org.foobarstack.http.server.ShippedSite;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults inside the web server, over real sockets: each test plans a fault on the server's {@link FaultPlan} and
 * watches what a client sees. No sleeps: a read timeout bounds every wait for something that must not come.
 */
@Timeout(30)
class WebServerFaultTest {

    private static final String H = "Host: www.foobar.com\r\n";
    /** hello.txt: 13 bytes. */
    private static final String HELLO = "hello, world\n";

    @TempDir
    Path dir;

    private Path root;
    private WebServer server;
    private FaultPlan faults;

    @BeforeEach
    void start() throws IOException {
        root = ShippedSite.install(dir.resolve("www"));
        Files.writeString(root.resolve("hello.txt"), HELLO);
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false).documentRoot(root)
                .dataDirectory(dir.resolve("data")).appServerAddress(new InetSocketAddress("127.0.0.1", 1))
                .build());
        // /echo reads the whole body, then answers with its length: a route that meets the body triggers
        server.addRoute("/echo", exchange -> {
            long[] length = {0};
            exchange.readBody(part -> {
                length[0] += part.content().readableBytes();
                boolean last = part.isLast();
                part.release();
                if (last) {
                    exchange.respond(HttpResponseHead.builder(HttpStatus.OK).add("Content-Type", "text/plain"),
                            Unpooled.copiedBuffer(length[0] + " bytes", StandardCharsets.US_ASCII));
                }
            });
        });
        server.start();
        faults = server.faults();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawHttp connect() throws IOException {
        return new RawHttp(server.httpAddress());
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\n" + H + "\r\n";
    }

    @Test
    void withoutFaultsThePlanIsEmpty_andTheServerAnswers() throws IOException {
        assertThat(faults.isEmpty()).isTrue();
        try (RawHttp c = connect()) {
            assertThat(c.send(get("/hello.txt")).read().text()).isEqualTo(HELLO);
        }
    }

    @Test
    void closeOnRequestBody_theClientsReadEndsWithoutAResponse() throws IOException {
        faults.add(Fault.on(Trigger.REQUEST_BODY).then(Effect.CLOSE));
        try (RawHttp c = connect()) {
            c.send("POST /echo HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello");
            assertThatThrownBy(c::read).isInstanceOf(IOException.class)
                    .hasMessage("connection closed before a response");
        }
        assertThat(faults.fired()).isEqualTo(1);
    }

    @Test
    void closeAfterFiveBodyBytes_theClientGetsTheHeadAndExactlyFiveBytes() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_BODY).after(5).then(Effect.CLOSE));
        try (RawHttp c = connect()) {
            RawHttp.Response head = c.send(get("/hello.txt")).readHeadOnly();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("13");
            Cut cut = readToTheEnd(c.socket().getInputStream());
            assertThat(cut.text()).isEqualTo("hello");
            assertThat(cut.failure()).as("a FIN: the stream simply ends").isNull();
        }
    }

    @Test
    void resetAfterFiveBodyBytes_theClientsNextReadFailsWithConnectionReset() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_BODY).after(5).then(Effect.RESET));
        try (RawHttp c = connect()) {
            assertThat(c.send(get("/hello.txt")).readHeadOnly().status()).isEqualTo(200);
            Cut cut = readToTheEnd(c.socket().getInputStream());
            assertThat(HELLO).startsWith(cut.text());
            assertThat(cut.failure()).isInstanceOf(SocketException.class);
            assertThat(cut.failure().getMessage()).containsIgnoringCase("reset");
        }
    }

    @Test
    void stallAfterTheResponseHead_aClientWithAReadTimeoutTimesOut_andClearingThePlanHeals() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_BODY).then(Effect.STALL));
        try (RawHttp c = connect()) {
            c.socket().setSoTimeout(300);
            assertThat(c.send(get("/hello.txt")).readHeadOnly().status()).isEqualTo(200);
            assertThatThrownBy(() -> c.readBytes(1)).isInstanceOf(SocketTimeoutException.class);
        }
        faults.clear();
        try (RawHttp c = connect()) {
            assertThat(c.send(get("/hello.txt")).read().text()).isEqualTo(HELLO);
        }
    }

    @Test
    void stallAtResponseStart_nothingComesBack() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_START).then(Effect.STALL));
        try (RawHttp c = connect()) {
            c.socket().setSoTimeout(300);
            c.send(get("/hello.txt"));
            assertThatThrownBy(c::read).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void delayAtResponseStart_theAnswerComesThatMuchLater_whole() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_START).delay(Duration.ofMillis(300)));
        try (RawHttp c = connect()) {
            long sent = System.nanoTime();
            RawHttp.Response r = c.send(get("/hello.txt")).read();
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(r.text()).isEqualTo(HELLO);
            // the connection goes on as usual afterwards (the next request meets the delay too)
            assertThat(c.send(get("/hello.txt")).read().text()).isEqualTo(HELLO);
        }
    }

    @Test
    void delayOnTheRequestBody_theBodyStillArrivesWhole() throws IOException {
        faults.add(Fault.on(Trigger.REQUEST_BODY).after(2).delay(Duration.ofMillis(200)));
        try (RawHttp c = connect()) {
            long sent = System.nanoTime();
            RawHttp.Response r = c.send("POST /echo HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello").read();
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(r.text()).isEqualTo("5 bytes");
        }
    }

    @Test
    void aOneShotFaultFiresOnce_theNextRequestIsServed() throws IOException {
        faults.add(Fault.on(Trigger.REQUEST_START).then(Effect.CLOSE).once());
        try (RawHttp c = connect()) {
            assertThatThrownBy(() -> c.send(get("/hello.txt")).read()).isInstanceOf(IOException.class);
        }
        try (RawHttp c = connect()) {
            assertThat(c.send(get("/hello.txt")).read().text()).isEqualTo(HELLO);
        }
        assertThat(faults.fired()).isEqualTo(1);
        assertThat(faults.faults()).isEmpty();
    }

    @Test
    void closeAtResponseEnd_theResponseIsWhole_thenTheKeptAliveConnectionCloses() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_END).then(Effect.CLOSE));
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send(get("/hello.txt")).read();
            assertThat(r.text()).isEqualTo(HELLO);
            assertThat(r.header("connection")).as("the head promised keep-alive").isNull();
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void shutdownOutputAtResponseStart_theClientReadsTheEndOfTheStreamAtOnce() throws IOException {
        faults.add(Fault.on(Trigger.RESPONSE_START).then(Effect.SHUTDOWN_OUTPUT));
        try (RawHttp c = connect()) {
            c.send(get("/hello.txt"));
            assertThat(c.socket().getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void shutdownInputAtRequestStart_theAnswerStillComes() throws IOException {
        faults.add(Fault.on(Trigger.REQUEST_START).then(Effect.SHUTDOWN_INPUT));
        try (RawHttp c = connect()) {
            assertThat(c.send(get("/hello.txt")).read().text()).isEqualTo(HELLO);
        }
    }

    @Test
    void aPlanGivenInTheConfig_isTheServersOwn() throws IOException {
        FaultPlan plan = new FaultPlan().add(Fault.on(Trigger.RESPONSE_BODY).after(5).then(Effect.CLOSE));
        try (WebServer web = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(root).dataDirectory(dir.resolve("data-2")).faults(plan).build())) {
            web.start();
            assertThat(web.faults()).isSameAs(plan);

            try (Socket socket = new Socket(web.httpAddress().getAddress(), web.httpAddress().getPort())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write("GET /hello.txt HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(text).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 13\r\n")
                        .endsWith("\r\n\r\nhello");
            }
        }
        assertThat(plan.fired()).isEqualTo(1);
    }

    /** What a client read before the stream ended, and how it ended: null for a FIN, the exception for a reset. */
    private record Cut(String text, IOException failure) {
    }

    private static Cut readToTheEnd(InputStream in) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            for (int b; (b = in.read()) != -1; ) {
                got.write(b);
            }
            return new Cut(got.toString(StandardCharsets.US_ASCII), null);
        } catch (IOException e) {
            return new Cut(got.toString(StandardCharsets.US_ASCII), e);
        }
    }
}
