package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Floods against the web server, each with a well-behaved client beside it that must keep getting its answers
 * within {@link #WELL_BEHAVED_LATENCY}: slowloris (heads sent a byte at a time), a flood of silent connections
 * beyond the connection limit, and a server full of clients that have all spoken. Every flood is bounded in
 * count; every wait has a deadline.
 */
class WebServerFloodTest {

    private static final String H = "Host: www.foobar.com\r\n";
    /** What a well-behaved client is promised, per request, while a flood goes on. */
    private static final Duration WELL_BEHAVED_LATENCY = Duration.ofSeconds(1);
    /** The longest any wait of this test may take before it fails. */
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private Path root;
    private WebServer server;
    private final List<Socket> sockets = new ArrayList<>();
    private ScheduledExecutorService trickler;

    @BeforeEach
    void setUp() throws IOException {
        root = ShippedSite.install(dir.resolve("www"));
        Files.writeString(root.resolve("hello.txt"), "hello, world\n");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (trickler != null) {
            trickler.shutdownNow();
        }
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(WebServerConfig.Limits limits) throws IOException {
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false).documentRoot(root)
                .dataDirectory(dir.resolve("data")).limits(limits)
                .appServerAddress(new InetSocketAddress("127.0.0.1", 1)).build());
        server.start();
        // the first request pays for class loading; the promise is about a warm server
        try (RawHttp warm = new RawHttp(server.httpAddress())) {
            assertThat(warm.send("GET /hello.txt HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
    }

    /** One well-behaved request on a new connection: 200, within the promised latency. */
    private void wellBehavedRequest() throws IOException {
        long start = System.nanoTime();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response r = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello, world\n");
            assertThat(took).as("a well-behaved request during the flood").isLessThan(WELL_BEHAVED_LATENCY);
        }
    }

    private double metric(String series) {
        return TracingTest.samples(server.metrics().exposition()).getOrDefault(series, 0.0);
    }

    private static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s for: %s", DEADLINE, what).isLessThan(end);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(server.httpAddress(), 5000);
        s.setSoTimeout((int) DEADLINE.toMillis());
        s.setTcpNoDelay(true);
        return s;
    }

    // ------------------------------------------------------------------ slowloris

    /**
     * 200 connections each send a request line, then header bytes one at a time, ten a second, never the blank line
     * that ends the head. Every byte would reset an idle timer; the header timeout is a deadline for the whole head
     * (RFC 9112 §9.5 lets a server close, RFC 9110 §15.5.9 gives the status), so each gets 408 and is closed at
     * the deadline, however busy it keeps the connection.
     */
    @Test
    void slowlorisConnectionsGet408AtTheHeaderDeadlineWhileAWellBehavedClientIsServed() throws Exception {
        Duration headerTimeout = Duration.ofSeconds(3);
        start(WebServerConfig.Limits.builder().headerTimeout(headerTimeout).build());
        int slow = 200;
        byte[] dribble = "X-Slow: still coming\r\n".getBytes(StandardCharsets.US_ASCII);
        List<OutputStream> outs = new ArrayList<>();
        long firstConnected = System.nanoTime();
        for (int i = 0; i < slow; i++) {
            Socket s = connect();
            s.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            outs.add(s.getOutputStream());
        }
        long lastConnected = System.nanoTime();
        int[] next = new int[slow];
        trickler = Executors.newSingleThreadScheduledExecutor();
        trickler.scheduleAtFixedRate(() -> {
            for (int i = 0; i < slow; i++) {
                try {
                    outs.get(i).write(dribble[next[i]++ % dribble.length]);
                } catch (IOException closedByServer) {
                    // the server has given up on it: nothing more to send
                }
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        await("the server holds all the slow connections", () -> server.openConnections() >= slow);

        for (int i = 0; i < 20; i++) {
            wellBehavedRequest();
        }
        assertThat(server.openConnections()).as("the slow ones were still held while the others were served")
                .isGreaterThanOrEqualTo(slow);

        for (Socket s : sockets) {
            String answer = new String(readToEnd(s.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("Connection: close\r\n");
        }
        long allClosed = System.nanoTime();
        assertThat(Duration.ofNanos(allClosed - firstConnected)).as("not closed before the deadline")
                .isGreaterThanOrEqualTo(headerTimeout);
        assertThat(Duration.ofNanos(allClosed - lastConnected)).as("closed soon after it")
                .isLessThan(headerTimeout.plusSeconds(5));
        assertThat(metric("foobar_http_rejected_requests_total{instance=\"web-1\",violation=\"REQUEST_TIMEOUT\"}"))
                .isEqualTo(slow);
    }

    /** Reads until the server closes (end of stream, or a reset after it). */
    private static byte[] readToEnd(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) != -1; ) {
                read.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // closed while our dribble was still arriving: what was read before is the answer
        }
        return read.toByteArray();
    }

    // ------------------------------------------------------------------ connection flood

    /**
     * 150 connections that connect and say nothing, against a limit of 50: each one past the limit takes the place
     * of the oldest silent one, which gets 503 and is closed at once. A well-behaved client, which sends its request
     * as soon as it is connected, does the same and is served.
     */
    @Test
    void aFloodOfSilentConnectionsPushesOutItsOwnOldestAndAWellBehavedClientIsServed() throws Exception {
        int limit = 50;
        int flood = 150;
        start(WebServerConfig.Limits.builder().maxConnections(limit).build());
        await("the warm-up connection is gone", () -> server.openConnections() == 0);

        try (Selector selector = Selector.open()) {
            Map<SocketChannel, StringBuilder> received = new HashMap<>();
            for (int i = 0; i < flood; i++) {
                SocketChannel ch = SocketChannel.open(server.httpAddress());
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
                received.put(ch, new StringBuilder());
            }
            List<String> closed = readUntilClosed(selector, received, flood - limit);
            assertThat(closed).hasSize(flood - limit)
                    .allSatisfy(answer -> assertThat(answer).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                            .contains("Retry-After: 1\r\n").contains("Connection: close\r\n"));
            await("the shed connections are gone", () -> server.openConnections() == limit);

            for (int i = 0; i < 10; i++) {
                wellBehavedRequest();
            }
            // the first client took a flood connection's place; the next ones take the room a client before them
            // left, or, if the server has not yet seen that one close, another flood connection's
            int shedForClients = (int) metric("foobar_http_connections_shed_total{instance=\"web-1\"}")
                    - (flood - limit);
            assertThat(shedForClients).isBetween(1, 10);
            assertThat(readUntilClosed(selector, received, shedForClients)).hasSize(shedForClients)
                    .allSatisfy(answer -> assertThat(answer).startsWith("HTTP/1.1 503 Service Unavailable\r\n"));
            assertThat(server.openConnections()).as("never more than the limit for long").isLessThanOrEqualTo(limit);
            for (SocketChannel ch : received.keySet()) {
                ch.close();
            }
        }
        assertThat(metric("foobar_http_rejected_requests_total{instance=\"web-1\",violation=\"TOO_MANY_CONNECTIONS\"}"))
                .as("nobody was refused: there was always a silent connection to shed").isZero();
    }

    /**
     * Reads every channel until {@code count} more of them have been closed by the server; returns what each of
     * those received. Channels closed are cancelled from the selector.
     */
    private static List<String> readUntilClosed(Selector selector, Map<SocketChannel, StringBuilder> received,
                                                int count) throws IOException {
        List<String> closed = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (closed.size() < count) {
            assertThat(System.nanoTime()).as("waited %s for %s closes, saw %s", DEADLINE, count, closed.size())
                    .isLessThan(end);
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel ch = (SocketChannel) key.channel();
                buf.clear();
                int n;
                try {
                    n = ch.read(buf);
                } catch (IOException reset) {
                    n = -1;
                }
                if (n > 0) {
                    received.get(ch).append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
                } else if (n < 0) {
                    key.cancel();
                    closed.add(received.get(ch).toString());
                }
            }
            selector.selectedKeys().clear();
        }
        return closed;
    }

    // ------------------------------------------------------------------ a server full of clients that spoke

    /**
     * When every connection has sent something (here: a request each, then kept alive), there is nobody to shed:
     * a newcomer, well-behaved or not, gets 503 with Retry-After: 1 at once. The room comes back when those
     * connections end (here by the keep-alive timeout; a dribbling head by the header timeout), and the retry is
     * served.
     */
    @Test
    void whenEveryConnectionHasSpokenANewcomerGets503AndItsRetryIsServedOnceRoomIsBack() throws Exception {
        int limit = 20;
        start(WebServerConfig.Limits.builder().maxConnections(limit).keepAliveTimeout(Duration.ofSeconds(1)).build());
        await("the warm-up connection is gone", () -> server.openConnections() == 0);
        List<RawHttp> kept = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                RawHttp c = new RawHttp(server.httpAddress());
                kept.add(c);
                assertThat(c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
            }

            long start = System.nanoTime();
            try (RawHttp newcomer = new RawHttp(server.httpAddress())) {
                RawHttp.Response refused = newcomer.read();
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("retry-after")).isEqualTo("1");
                assertThat(newcomer.closedByServer()).isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused at once")
                    .isLessThan(WELL_BEHAVED_LATENCY);
            assertThat(metric("foobar_http_rejected_requests_total{instance=\"web-1\",violation=\"TOO_MANY_CONNECTIONS\"}"))
                    .isEqualTo(1);

            for (RawHttp c : kept) {
                assertThat(c.closedByServer()).as("closed by the keep-alive timeout").isTrue();
            }
            await("the kept-alive connections are gone", () -> server.openConnections() == 0);
            wellBehavedRequest();
            assertThat(metric("foobar_http_connections_shed_total{instance=\"web-1\"}")).isZero();
        } finally {
            for (RawHttp c : kept) {
                c.close();
            }
        }
    }
}
