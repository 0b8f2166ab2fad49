package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The web server over real sockets, driven byte by byte with {@link RawHttp}. */
class WebServerSocketTest {

    private static final String H = "Host: www.foobar.com\r\n";

    @TempDir
    Path dir;

    private Path root;
    private WebServer server;

    @BeforeEach
    void setUp() throws IOException {
        root = ShippedSite.install(dir.resolve("www"));
        Files.writeString(root.resolve("hello.txt"), "hello, world\n");
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/index.html"), "<p>docs</p>");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve(".secret"), "hidden");
        Files.writeString(dir.resolve("outside.txt"), "outside the root");
        Files.createSymbolicLink(root.resolve("escape.txt"), dir.resolve("outside.txt"));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private WebServer start(WebServerConfig.Limits limits, boolean redirectApex) throws IOException {
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false).documentRoot(root)
                .dataDirectory(dir.resolve("data")).limits(limits).redirectApexToWww(redirectApex)
                .appServerAddress(new InetSocketAddress("127.0.0.1", 1)).build());
        server.start();
        return server;
    }

    private WebServer start() throws IOException {
        return start(WebServerConfig.Limits.defaults(), false);
    }

    private RawHttp connect() throws IOException {
        return new RawHttp(server.httpAddress());
    }

    // ------------------------------------------------------------------ basics

    @Test
    void servesTheHomePageWithDateServerAndLength() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(r.header("date")).endsWith("GMT");
            assertThat(r.header("server")).contains("web-1");
            assertThat(r.text()).contains("foobar.com").contains("Guestbook");
            assertThat(r.header("content-length")).isEqualTo(Integer.toString(r.body().length));
        }
    }

    @Test
    void cssHasItsMimeTypeAndACacheLifetime() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.header("content-type")).isEqualTo("text/css; charset=utf-8");
            assertThat(r.header("cache-control")).contains("max-age=");
        }
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
        start();
        try (RawHttp c = connect()) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read();
                assertThat(r.text()).isEqualTo("hello, world\n");
                assertThat(r.header("connection")).isNull();
            }
            RawHttp.Response last = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n").read();
            assertThat(last.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        start();
        try (RawHttp c = connect()) {
            c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n"
                    + "HEAD /docs/ HTTP/1.1\r\n" + H + "\r\n"
                    + "GET /missing HTTP/1.1\r\n" + H + "\r\n"
                    + "GET /docs/ HTTP/1.1\r\n" + H + "\r\n");
            assertThat(c.read().text()).isEqualTo("hello, world\n");
            RawHttp.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("11");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.read().text()).isEqualTo("<p>docs</p>");
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveIsAskedAndNeverGetsChunked() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /hello.txt HTTP/1.0\r\n\r\n").read();
            assertThat(r.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.header("connection")).isEqualTo("keep-alive");
            assertThat(c.send("GET /hello.txt HTTP/1.0\r\n\r\n").read().text()).isEqualTo("hello, world\n");
        }
    }

    @Test
    void headCarriesTheHeadersOfGetButNoBody() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response get = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read();
            RawHttp.Response head = c.send("HEAD /hello.txt HTTP/1.1\r\n" + H + "\r\n").read(true);
            assertThat(head.header("content-length")).isEqualTo(get.header("content-length"));
            assertThat(head.header("etag")).isEqualTo(get.header("etag"));
            // no body bytes were sent: the next response starts right away
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void absoluteFormTargetIsServed() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET http://www.foobar.com/hello.txt HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.text()).isEqualTo("hello, world\n");
        }
    }

    @Test
    void optionsListsTheMethods() throws IOException {
        start();
        try (RawHttp c = connect()) {
            assertThat(c.send("OPTIONS /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().header("allow"))
                    .isEqualTo("GET, HEAD, OPTIONS");
            assertThat(c.send("OPTIONS * HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(204);
        }
    }

    // ------------------------------------------------------------------ conditional and range requests

    @Test
    void ifNoneMatchGives304AndWinsOverIfModifiedSince() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response first = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read();
            String etag = first.header("etag");
            RawHttp.Response again = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "If-None-Match: " + etag
                    + "\r\n\r\n").read();
            assertThat(again.status()).isEqualTo(304);
            assertThat(again.header("etag")).isEqualTo(etag);
            // an ETag that does not match decides, even with an If-Modified-Since that would give 304
            RawHttp.Response changed = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "If-None-Match: \"other\"\r\n"
                    + "If-Modified-Since: " + first.header("last-modified") + "\r\n\r\n").read();
            assertThat(changed.status()).isEqualTo(200);
            RawHttp.Response since = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "If-Modified-Since: "
                    + first.header("last-modified") + "\r\n\r\n").read();
            assertThat(since.status()).isEqualTo(304);
        }
    }

    @Test
    void rangeGives206And416AndIfRangeFallsBackToTheWholeFile() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response part = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "Range: bytes=0-4\r\n\r\n").read();
            assertThat(part.status()).isEqualTo(206);
            assertThat(part.text()).isEqualTo("hello");
            assertThat(part.header("content-range")).isEqualTo("bytes 0-4/13");
            RawHttp.Response suffix = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "Range: bytes=-6\r\n\r\n").read();
            assertThat(suffix.text()).isEqualTo("world\n");
            RawHttp.Response beyond = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "Range: bytes=100-\r\n\r\n").read();
            assertThat(beyond.status()).isEqualTo(416);
            assertThat(beyond.header("content-range")).isEqualTo("bytes */13");
            RawHttp.Response stale = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "Range: bytes=0-4\r\n"
                    + "If-Range: \"not-the-etag\"\r\n\r\n").read();
            assertThat(stale.status()).isEqualTo(200);
            assertThat(stale.text()).isEqualTo("hello, world\n");
            String etag = part.header("etag");
            RawHttp.Response fresh = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "Range: bytes=7-11\r\n"
                    + "If-Range: " + etag + "\r\n\r\n").read();
            assertThat(fresh.status()).isEqualTo(206);
            assertThat(fresh.text()).isEqualTo("world");
        }
    }

    // ------------------------------------------------------------------ the document root is a jail

    @Test
    void noEscapeFromTheDocumentRoot() throws IOException {
        start();
        assertThat(status("GET /../outside.txt HTTP/1.1")).isEqualTo(400);
        assertThat(status("GET /%2e%2e/outside.txt HTTP/1.1")).isEqualTo(400);
        assertThat(status("GET /docs/%2e%2e%2f%2e%2e%2foutside.txt HTTP/1.1")).isEqualTo(404);
        assertThat(status("GET /escape.txt HTTP/1.1")).isEqualTo(404);
        assertThat(status("GET /.secret HTTP/1.1")).isEqualTo(404);
        assertThat(status("GET /hello%00.txt HTTP/1.1")).isEqualTo(400);
        assertThat(status("GET /hello%zz HTTP/1.1")).isEqualTo(400);
        assertThat(status("GET /docs/../hello.txt HTTP/1.1")).isEqualTo(200);
    }

    @Test
    void directoriesRedirectToTheirSlashAndAreNotListed() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /docs?x=1 HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("location")).isEqualTo("/docs/?x=1");
            assertThat(c.send("GET /empty/ HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(403);
        }
    }

    // ------------------------------------------------------------------ rejections are answered, then closed

    @Test
    void methodNotAllowedSays405WithAllow() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("DELETE /hello.txt HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("allow")).isEqualTo("GET, HEAD, OPTIONS");
        }
    }

    @Test
    void parseErrorsAreAnsweredWithTheirRuleThenTheConnectionCloses() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\n" + H
                    + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.text()).contains("RFC 9112 §6.3").contains("both Content-Length and Transfer-Encoding");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(status("BREW /pot HTTP/1.1")).isEqualTo(501);
        assertThat(status("GET / HTTP/2.0")).isEqualTo(505);
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.text()).contains("RFC 9112 §3.2").contains("Host");
        }
    }

    @Test
    void limitsGive414And431And413() throws IOException {
        start();
        assertThat(status("GET /" + "a".repeat(9000) + " HTTP/1.1")).isEqualTo(414);
        try (RawHttp c = connect()) {
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 101; i++) {
                many.append("X-F").append(i).append(": v\r\n");
            }
            assertThat(c.send("GET / HTTP/1.1\r\n" + H + many + "\r\n").read().status()).isEqualTo(431);
        }
        try (RawHttp c = connect()) {
            assertThat(c.send("GET / HTTP/1.1\r\n" + H + "X-Big: " + "b".repeat(17_000) + "\r\n\r\n").read().status())
                    .isEqualTo(431);
        }
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("POST /api/messages HTTP/1.1\r\n" + H + "Content-Length: 20000000\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void expectContinueIsNotInvitedWhenTheAnswerIsAnErrorAnyway() throws IOException {
        start();
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("POST /hello.txt HTTP/1.1\r\n" + H
                    + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("connection")).isEqualTo("close");
        }
    }

    private int status(String requestLine) throws IOException {
        try (RawHttp c = connect()) {
            return c.send(requestLine + "\r\n" + H + "\r\n").read().status();
        }
    }

    // ------------------------------------------------------------------ slow and greedy clients

    @Test
    void aHeaderSectionThatDoesNotArriveInTimeGets408() throws IOException {
        start(WebServerConfig.Limits.builder().headerTimeout(Duration.ofMillis(300)).build(), false);
        try (RawHttp c = connect()) {
            c.send("GET / HTTP/1.1\r\nHost: www.foo"); // and then nothing
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosed() throws IOException {
        start(WebServerConfig.Limits.builder().keepAliveTimeout(Duration.ofMillis(300)).build(), false);
        try (RawHttp c = connect()) {
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void connectionsOverTheCapAreRefusedWith503() throws IOException {
        start(WebServerConfig.Limits.builder().maxConnections(2).build(), false);
        try (RawHttp a = connect(); RawHttp b = connect()) {
            assertThat(a.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
            assertThat(b.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
            try (RawHttp third = connect()) {
                RawHttp.Response r = third.read();
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.header("retry-after")).isEqualTo("1");
            }
        }
    }

    // ------------------------------------------------------------------ virtual hosts

    @Test
    void apexRedirectsToWwwWhenAsked() throws IOException {
        start(WebServerConfig.Limits.defaults(), true);
        try (RawHttp c = connect()) {
            RawHttp.Response r = c.send("GET /hello.txt?a=b HTTP/1.1\r\nHost: foobar.com:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("location")).isEqualTo("http://www.foobar.com:8080/hello.txt?a=b");
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n").read().status())
                    .isEqualTo(200);
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void gracefulShutdownFinishesTheResponseInFlight() throws Exception {
        byte[] big = new byte[8 * 1024 * 1024];
        Arrays.fill(big, (byte) 'x');
        Files.write(root.resolve("big.bin"), big);
        start();
        try (RawHttp c = connect()) {
            c.socket().setReceiveBufferSize(64 * 1024);
            c.send("GET /big.bin HTTP/1.1\r\n" + H + "\r\n");
            RawHttp.Response head = c.readHeadOnly();
            assertThat(head.status()).isEqualTo(200);
            // the server is told to stop while the body is still on its way
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            assertThat(c.readBytes(big.length + 1)).hasSize(big.length);
            closing.get(30, TimeUnit.SECONDS);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThatThrownBy(() -> new RawHttp(server.httpAddress()).close()).isInstanceOf(IOException.class);
        server.close(); // idempotent
    }

    @Test
    void aTakenPortFailsWithAMessageNamingTierAndPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            WebServer other = new WebServer(WebServerConfig.builder().httpPort(taken.getLocalPort())
                    .httpsEnabled(false).documentRoot(root).dataDirectory(dir.resolve("d")).build());
            assertThatThrownBy(other::start).isInstanceOf(IOException.class)
                    .hasMessageContaining("web server")
                    .hasMessageContaining("HTTP port 127.0.0.1:" + taken.getLocalPort());
            other.close();
        }
    }

    @Test
    void theShippedSiteIsCopiedIntoTheDataDirectoryWhenNoRootIsGiven() throws IOException {
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .dataDirectory(dir.resolve("fresh")).build());
        server.start();
        assertThat(server.documentRoot()).isEqualTo(dir.resolve("fresh/www"));
        try (RawHttp c = connect()) {
            RawHttp.Response js = c.send("GET /guestbook.js HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(js.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
            assertThat(js.text()).contains("textContent").doesNotContain("innerHTML");
        }
        // every shipped file is there byte for byte, and the home page is served from that copy
        for (String name : ShippedSite.FILES) {
            try (java.io.InputStream shipped = ShippedSite.class.getClassLoader().getResourceAsStream("site/" + name)) {
                assertThat(shipped).as("site/%s on the classpath", name).isNotNull();
                assertThat(Files.readAllBytes(dir.resolve("fresh/www").resolve(name))).as(name)
                        .isEqualTo(shipped.readAllBytes());
            }
        }
        Files.writeString(dir.resolve("fresh/www/index.html"), "<p>edited</p>");
        try (RawHttp c = connect()) {
            RawHttp.Response home = c.send("GET / HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(home.status()).isEqualTo(200);
            assertThat(home.text()).isEqualTo("<p>edited</p>");
        }
    }

    @Test
    void anExtraRouteAnswersItsPrefixBeforeTheStaticFiles() throws IOException {
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false).documentRoot(root)
                .dataDirectory(dir.resolve("data")).build());
        server.addRoute("/dns-query", exchange -> exchange.respond(
                org.foobarstack.httpcodec.response.HttpResponseHead.builder(org.foobarstack.httpcodec.response.HttpStatus.OK)
                        .add("Content-Type", "text/plain"),
                io.netty.buffer.Unpooled.copiedBuffer("extra", StandardCharsets.US_ASCII)));
        server.start();
        try (RawHttp c = connect()) {
            assertThat(c.send("GET /dns-query?dns=AAAB HTTP/1.1\r\n" + H + "\r\n").read().text()).isEqualTo("extra");
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().text()).isEqualTo("hello, world\n");
        }
    }

    @Test
    void aFileReplacedOnDiskIsNeverSentWithTheWrongLength() throws IOException {
        start();
        try (RawHttp c = connect()) {
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().text()).isEqualTo("hello, world\n");
            Path replacement = root.resolve("hello.txt.new");
            Files.writeString(replacement, "a longer greeting than before\n");
            Files.move(replacement, root.resolve("hello.txt"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // within the cache's second the old bytes may still be served; either way length and bytes agree
            RawHttp.Response r = c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read();
            assertThat(r.text()).isIn("hello, world\n", "a longer greeting than before\n");
            assertThat(r.header("etag")).isNotNull();
            assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
        }
    }
}
