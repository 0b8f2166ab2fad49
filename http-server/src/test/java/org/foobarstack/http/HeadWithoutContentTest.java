package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response to HEAD carries no content, error responses the server makes itself included (RFC 9110 §9.3.2): the
 * header fields GET would get, Content-Length of the page included, and not one byte after them. Proved on the
 * wire: on a kept-alive connection the next response's status line must come right after the HEAD response's
 * header section; on a connection the server closes after an error, the end of the stream must.
 */
class HeadWithoutContentTest {

    private static final String H = "Host: www.foobar.com\r\n";

    @TempDir
    Path dir;

    private WebServer server;

    @BeforeEach
    void start() throws IOException {
        Path root = ShippedSite.install(dir.resolve("www"));
        Files.writeString(root.resolve("hello.txt"), "hello, world\n");
        // the app tier is at a port nobody listens on: /api/* is answered by the web server itself, 502
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false).documentRoot(root)
                .dataDirectory(dir.resolve("data")).appServerAddress(new InetSocketAddress("127.0.0.1", 1)).build());
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void headOfAMissingFileIsFollowedAtOnceByTheNextResponse() throws IOException {
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            // both requests at once: a pipelined GET right behind the HEAD
            c.send("HEAD /missing HTTP/1.1\r\n" + H + "\r\nGET /hello.txt HTTP/1.1\r\n" + H + "\r\n");
            RawHttp.Response head = c.readHeadOnly();
            assertThat(head.status()).isEqualTo(404);
            assertThat(head.header("content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(Integer.parseInt(head.header("content-length"))).isPositive();
            RawHttp.Response get = c.read();
            assertThat(get.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(get.text()).isEqualTo("hello, world\n");
        }
    }

    @Test
    void headOfAMissingFileAnnouncesTheLengthGetReceives() throws IOException {
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response get = c.send("GET /missing HTTP/1.1\r\n" + H + "\r\n").read();
            RawHttp.Response head = c.send("HEAD /missing HTTP/1.1\r\n" + H + "\r\n").readHeadOnly();
            assertThat(get.body()).hasSize(Integer.parseInt(get.header("content-length")));
            assertThat(head.header("content-length")).isEqualTo(get.header("content-length"));
            assertThat(c.send("GET /hello.txt HTTP/1.1\r\n" + H + "\r\n").read().text()).isEqualTo("hello, world\n");
        }
    }

    @Test
    void headOnTheAppPathWithTheAppTierDownIsFollowedAtOnceByTheNextResponse() throws IOException {
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            c.send("HEAD /api/messages HTTP/1.1\r\n" + H + "\r\nGET /hello.txt HTTP/1.1\r\n" + H + "\r\n");
            RawHttp.Response head = c.readHeadOnly();
            assertThat(head.status()).isEqualTo(502);
            assertThat(Integer.parseInt(head.header("content-length"))).isPositive();
            assertThat(c.read().text()).isEqualTo("hello, world\n");
        }
    }

    @Test
    void headRefusedByTheParserGetsFieldsOnlyThenTheClose() throws IOException {
        String[][] cases = {
            // request, status: a malformed IP literal in Host (RFC 3986 §3.2.2)
            {"HEAD / HTTP/1.1\r\nHost: [::1\r\n\r\n", "400"},
            // a fragment in the target (RFC 9112 §3.2)
            {"HEAD /page#top HTTP/1.1\r\n" + H + "\r\n", "400"},
            // a body larger than the limit, refused before it is read (RFC 9110 §15.5.14)
            {"HEAD / HTTP/1.1\r\n" + H + "Content-Length: 99999999999\r\n\r\n", "413"},
            // a transfer coding this server does not implement (RFC 9112 §6.1)
            {"HEAD / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n", "501"},
            // a protocol version it does not speak (RFC 9110 §15.6.6)
            {"HEAD / HTTP/2.0\r\n" + H + "\r\n", "505"},
        };
        for (String[] test : cases) {
            try (RawHttp c = new RawHttp(server.httpAddress())) {
                RawHttp.Response head = c.send(test[0]).readHeadOnly();
                assertThat(head.status()).as(test[0]).isEqualTo(Integer.parseInt(test[1]));
                assertThat(head.header("connection")).isEqualTo("close");
                assertThat(Integer.parseInt(head.header("content-length"))).as(test[0]).isPositive();
                assertThat(c.closedByServer()).as("no content after the header section of: " + test[0]).isTrue();
            }
        }
    }

    @Test
    void getRefusedByTheParserGetsThePage() throws IOException {
        // the same refusal to a GET: the page follows the fields, as many bytes as Content-Length says
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response head = c.send("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n").readHeadOnly();
            assertThat(head.status()).isEqualTo(400);
            String page = new String(c.readBytes(Integer.parseInt(head.header("content-length"))),
                    StandardCharsets.UTF_8);
            assertThat(page).contains("RFC 3986 §3.2.2").endsWith("</html>\n");
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
