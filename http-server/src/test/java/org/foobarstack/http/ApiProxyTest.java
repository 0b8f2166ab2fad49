package org.foobarstack.http;

import org.foobarstack.fastcgi.client.TestResponder;
import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /api/*} through the web server to a FastCGI responder and back, over real sockets. */
class ApiProxyTest {

    private static final String H = "Host: www.foobar.com\r\n";

    @TempDir
    Path dir;

    private TestResponder responder;
    private WebServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (responder != null) {
            responder.close();
        }
    }

    private void start(InetSocketAddress app, Duration appTimeout) throws IOException {
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(app).limits(WebServerConfig.Limits.builder().appTimeout(appTimeout).build())
                .build());
        server.start();
    }

    private void startWithResponder() throws IOException {
        responder = new TestResponder(false);
        start(responder.address(), Duration.ofSeconds(10));
    }

    private RawHttp connect() throws IOException {
        return new RawHttp(server.httpAddress());
    }

    @Test
    void cgiParamsAreBuiltPerRfc3875() throws IOException {
        startWithResponder();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /api/messages?mode=ECHO&page=2 HTTP/1.1\r\n" + H
                    + "X-Custom: one\r\nX-Custom: two\r\nProxy: http://evil.example:3128\r\nX_Sneaky: 1\r\n"
                    + "User-Agent: test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("x-echo")).isEqualTo("yes");
            String p = r.text();
            assertThat(p).contains("GATEWAY_INTERFACE=CGI/1.1\n", "SERVER_PROTOCOL=HTTP/1.1\n",
                    "REQUEST_METHOD=GET\n", "SCRIPT_NAME=/api\n", "PATH_INFO=/messages\n",
                    "QUERY_STRING=mode=ECHO&page=2\n", "REQUEST_URI=/api/messages?mode=ECHO&page=2\n",
                    "DOCUMENT_URI=/api/messages\n", "SERVER_NAME=www.foobar.com\n",
                    "SERVER_PORT=" + server.httpAddress().getPort() + "\n", "SERVER_ADDR=127.0.0.1\n",
                    "REMOTE_ADDR=127.0.0.1\n", "HTTP_HOST=www.foobar.com\n", "HTTP_X_CUSTOM=one, two\n",
                    "HTTP_USER_AGENT=test\n", "CONTENT_LENGTH=\n", "WEB_SERVER_NAME=web-1\n",
                    "REQUEST_ID=" + r.header("x-request-id") + "\n");
            // httpoxy: a client's Proxy header must never become HTTP_PROXY
            assertThat(p).doesNotContain("HTTP_PROXY").doesNotContain("evil.example").doesNotContain("SNEAKY")
                    .doesNotContain("HTTPS=");
        }
    }

    @Test
    void requestBodiesReachTheAppWithContentLengthAndChunked() throws IOException {
        startWithResponder();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("POST /api/messages HTTP/1.1\r\n" + H
                    + "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n"
                    + "{\"author\":\"ada\",\"body\":\"hi\"}".substring(0, 27)).read();
            assertThat(r.text()).contains("CONTENT_TYPE=application/json\n", "CONTENT_LENGTH=27\n")
                    .endsWith("--body--\n{\"author\":\"ada\",\"body\":\"hi\"");
            RawHttp.Response chunked = c.send("POST /api/messages HTTP/1.1\r\n" + H
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(chunked.text()).contains("CONTENT_LENGTH=11\n").endsWith("--body--\nhello world");
        }
    }

    @Test
    void expect100ContinueIsAnsweredBeforeTheBodyIsSent() throws IOException {
        startWithResponder();
        try (RawHttp c = connect()) {
            c.send("PUT /api/messages HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            RawHttp.Response interim = c.readHeadOnly();
            assertThat(interim.status()).isEqualTo(100);
            RawHttp.Response r = c.send("data").read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.text()).endsWith("--body--\ndata");
        }
    }

    @Test
    void aResponseOfUnknownLengthIsChunkedTo11AndCloseDelimitedTo10() throws IOException {
        startWithResponder();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /api/big?mode=BIG HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.body()).hasSize(TestResponder.BIG_SIZE);
            assertThat(c.send("GET /api/x?mode=ECHO HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(201);
        }
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /api/big?mode=BIG HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.header("transfer-encoding")).isNull();
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.body()).hasSize(TestResponder.BIG_SIZE);
        }
    }

    @Test
    void anAppTierThatIsDownGives502AndTheConnectionStaysUsable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(10));
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /api/messages HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).contains("app tier");
            assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void anAppTierThatDoesNotAnswerInTimeGives504() throws IOException {
        responder = new TestResponder(false);
        start(responder.address(), Duration.ofMillis(300));
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /api/messages?mode=SILENT HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.status()).isEqualTo(504);
        }
    }

    @Test
    void aResponseThatIsNotCgiGives502() throws IOException {
        startWithResponder();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /api/messages?mode=GARBAGE HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).contains("RFC 3875");
            assertThat(server.metrics().exposition()).contains("foobar_http_upstream_errors_total{instance=\"web-1\","
                    + "kind=\"MALFORMED_CGI_RESPONSE\"} 1.0");
        }
    }

    @Test
    void headThroughTheProxyHasNoBody() throws IOException {
        startWithResponder();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("HEAD /api/messages?mode=ECHO HTTP/1.1\r\n" + H + "\r\n").read(true);
            assertThat(r.status()).isEqualTo(201);
            assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void aLargeBodyStreamsThroughAndTheConnectionIsReusable() throws IOException {
        startWithResponder();
        byte[] body = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) 'b');
        try (RawHttp c = connect()) {
            c.send("POST /api/upload?mode=ECHO HTTP/1.1\r\n" + H + "Content-Length: " + body.length + "\r\n\r\n");
            c.send(body);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.text()).contains("CONTENT_LENGTH=" + body.length + "\n")
                    .endsWith("--body--\n" + "b".repeat(body.length));
            assertThat(c.send("GET /api/x?mode=ECHO HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(201);
        }
    }

    @Test
    void anErrorAnswerBeforeTheBodyEndsStillReadsTheRestOfIt() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(10));
        byte[] body = new byte[2 * 1024 * 1024];
        try (RawHttp c = connect()) {
            c.send("POST /api/upload HTTP/1.1\r\n" + H + "Content-Length: " + body.length + "\r\n\r\n");
            c.send(body);
            assertThat(c.read().status()).isEqualTo(502);
            assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
        }
    }

    /**
     * An app tier that refuses a request with END_REQUEST OVERLOADED (its workers and queue are full) is busy, not
     * broken: 503 with {@code Retry-After: 1}, and the client's connection stays usable.
     */
    @Test
    void anOverloadedAppTierIs503WithRetryAfterAndTheConnectionStaysUsable() throws IOException {
        try (HeldResponder full = new HeldResponder(true)) {
            start(full.address(), Duration.ofSeconds(10));
            try (RawHttp c = connect()) {
                RawHttp.Response r = c.send("GET /api/messages HTTP/1.1\r\n" + H + "\r\n").read();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("retry-after")).isEqualTo("1");
                assertThat(r.header("connection")).isNull();
                assertThat(r.text()).contains("OVERLOADED", "FastCGI §5.5");
                assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
            }
            assertThat(server.metrics().exposition()).contains("foobar_http_upstream_errors_total{instance=\"web-1\","
                    + "kind=\"REJECTED\"} 1.0");
        }
    }

    @Test
    void gracefulShutdownLetsARequestAtTheAppTierFinish() throws Exception {
        startWithResponder();
        try (RawHttp c = connect()) {
            c.send("GET /api/slow?mode=SLOW HTTP/1.1\r\n" + H + "\r\n");
            assertThat(responder.requestArrived.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.CompletableFuture<Void> closing =
                    java.util.concurrent.CompletableFuture.runAsync(server::close);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("connection")).isEqualTo("close");
            closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
