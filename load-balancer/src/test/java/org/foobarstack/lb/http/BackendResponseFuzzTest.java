package org.foobarstack.lb.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.foobarstack.lb.LoadBalancer;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.RetryOn;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.config.Timeouts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fuzzes the load balancer's handling of what a server answers: a {@link LoadBalancer} in front of one server that
 * answers every request with the input's bytes, then closes its side unless they are a clean response that keeps
 * the connection (see {@code serve}); the test is the client. The bytes go
 * through the balancer's {@code HttpResponseParser}, {@code ProxyExchange} and {@link ForwardedHeaders} on their
 * way back.
 *
 * <p>The input's first byte picks the client's request: bit 0 HEAD instead of GET, bit 1 HTTP/1.0 instead of
 * HTTP/1.1. The rest is what the server sends.
 *
 * <p>For any server bytes, the client gets, within 10 s:
 * <ul>
 *   <li>the balancer's own 502 (no X-Backend-Server header; never its 503 or 504 here: the server is always
 *       reachable and always closes), or</li>
 *   <li>the server's response relayed (X-Backend-Server), with the server's final status, framed so that the
 *       client can find its end, with no byte after it; or a relayed head whose body is cut off by the close.</li>
 * </ul>
 * When {@link ResponseReading} finds the server's bytes a clean, complete response, the relayed one must carry
 * exactly its body and may not be cut off (the balancer may still refuse it with a 502: it checks more than that
 * reading does). Nothing in between, and never silence.
 */
class BackendResponseFuzzTest {

    private static ServerSocket backend;
    private static ExecutorService backendThreads;
    private static LoadBalancer balancer;
    /** What the server answers, set before each request. */
    private static volatile byte[] answer = new byte[0];

    @BeforeAll
    static void start() throws IOException {
        // one line per broken response would flood the log of a long run; the balancer's errors still show
        System.setProperty("org.slf4j.simpleLogger.log.org.foobarstack.lb", "error");
        backend = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        backendThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fuzz-backend");
            t.setDaemon(true);
            return t;
        });
        backendThreads.execute(BackendResponseFuzzTest::acceptLoop);
        BalancerConfig config = BalancerConfig.builder()
                .name("lb-fuzz")
                .bindAddress("127.0.0.1")
                .port(0)
                .statsPort(0)
                .ioThreads(1)
                .check(HealthCheckConfig.defaults().withInter(Duration.ofHours(1)))
                // a kept-alive connection the server closed a moment ago is met now and then: one retry takes it
                .retries(1)
                .redispatch(false)
                .retryOn(EnumSet.of(RetryOn.CONN_FAILURE, RetryOn.EMPTY_RESPONSE))
                .timeouts(new Timeouts(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(10)))
                .server(ServerConfig.of("fuzz-server", (InetSocketAddress) backend.getLocalSocketAddress())
                        .withoutCheck())
                .build();
        balancer = new LoadBalancer(config);
        balancer.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (balancer != null) {
            balancer.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (backendThreads != null) {
            backendThreads.shutdownNow();
        }
    }

    @FuzzTest(maxDuration = "5m")
    void serverAnswers(byte[] input) throws IOException {
        int variant = input.length == 0 ? 0 : input[0] & 3;
        boolean head = (variant & 1) != 0;
        boolean http10 = (variant & 2) != 0;
        byte[] server = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
        answer = server;

        String method = head ? "HEAD" : "GET";
        String request = method + " /fuzz HTTP/1." + (http10 ? "0" : "1") + "\r\nHost: www.foobar.com\r\n"
                + (http10 ? "" : "Connection: close\r\n") + "\r\n";
        Received received = exchange(request.getBytes(StandardCharsets.US_ASCII));

        ResponseReading.Result sent = ResponseReading.read(server, head);
        ResponseReading.Result got = ResponseReading.read(received.bytes, head);
        String context = "\nserver sent: " + ResponseReading.printable(server) + "\n(" + sent + ")\nclient got: "
                + ResponseReading.printable(received.bytes) + "\n(" + got + ")" + "\nrequest: " + request.trim();

        if (got.kind() == ResponseReading.Kind.BROKEN || got.status() < 0) {
            throw new AssertionError("the client got no proper response" + context);
        }
        boolean relayed = got.header("x-backend-server") != null;
        if (!relayed) {
            if (got.status() != 502 || got.kind() != ResponseReading.Kind.COMPLETE) {
                throw new AssertionError("the balancer answered " + got.status() + " itself" + context);
            }
            return;
        }
        if (got.kind() == ResponseReading.Kind.COMPLETE && got.trailing() > 0) {
            throw new AssertionError(got.trailing() + " bytes after the end of the relayed response" + context);
        }
        if (sent.status() >= 0 && got.status() != sent.status()) {
            throw new AssertionError("the server said " + sent.status() + ", the client got " + got.status()
                    + context);
        }
        if (sent.clean()) {
            if (got.kind() != ResponseReading.Kind.COMPLETE) {
                throw new AssertionError("a clean response was cut off" + context);
            }
            if (!Arrays.equals(got.body(), sent.body())) {
                throw new AssertionError("the body changed on its way" + context);
            }
        }
    }

    // ---------------------------------------------------------------- the client

    private record Received(byte[] bytes, boolean reset) {
    }

    /** One request on a new connection, reading to the end of the connection. */
    private static Received exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(balancer.address(), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            boolean reset = false;
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the balancer sent nothing more for 10 s after "
                        + ResponseReading.printable(all.toByteArray()) + " for the answer "
                        + ResponseReading.printable(answer));
            } catch (SocketException e) {
                reset = true;
            }
            return new Received(all.toByteArray(), reset);
        }
    }

    // ---------------------------------------------------------------- the server

    private static void acceptLoop() {
        while (!backend.isClosed()) {
            try {
                Socket connection = backend.accept();
                backendThreads.execute(() -> serve(connection));
            } catch (IOException e) {
                return;
            }
        }
    }

    /**
     * Answers each request head with the current bytes. After a clean HTTP/1.1 response that keeps the connection
     * (as {@link ResponseReading} sees it), it waits for the next request on the same connection, so that the
     * balancer's reuse of kept-alive connections is exercised too; after anything else it closes its side (the
     * only way such a response can end) and waits for the balancer to close.
     */
    private static void serve(Socket connection) {
        try (connection) {
            connection.setSoTimeout(5000);
            InputStream in = connection.getInputStream();
            while (true) {
                String requestHead = readHead(in);
                if (requestHead == null) {
                    return;
                }
                byte[] bytes = answer;
                connection.getOutputStream().write(bytes);
                connection.getOutputStream().flush();
                ResponseReading.Result sent = ResponseReading.read(bytes, requestHead.startsWith("HEAD "));
                String options = String.valueOf(sent.header("connection")).toLowerCase(java.util.Locale.ROOT);
                boolean keep = sent.clean() && !sent.byClose() && bytes.length > 9
                        && new String(bytes, 0, 9, StandardCharsets.ISO_8859_1).equals("HTTP/1.1 ")
                        && !options.contains("close");
                if (!keep) {
                    connection.shutdownOutput();
                    while (in.read() >= 0) {
                        // until the balancer closes: closing with unread bytes would reset the connection
                    }
                    return;
                }
            }
        } catch (IOException e) {
            // the balancer closed first, or went silent: either way this connection is done
        }
    }

    /** A request head up to its empty line, or null at the end of the connection. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
