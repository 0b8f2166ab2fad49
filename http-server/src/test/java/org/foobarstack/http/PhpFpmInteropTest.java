package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our web server in front of real php-fpm, software no one here wrote: proof that the FastCGI client half and the
 * CGI params work with a peer other than our own responder. php-fpm does not multiplex, so this also exercises
 * the one-request-per-connection path of the pool.
 */
class PhpFpmInteropTest {

    private static final String H = "Host: www.foobar.com\r\n";

    @TempDir
    static Path dir;

    private static PhpFpm fpm;
    private static WebServer server;

    @BeforeAll
    static void start() throws Exception {
        fpm = PhpFpm.start(dir);
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(fpm.address()).appScriptFilename(fpm.script().toString()).build());
        server.start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        if (fpm != null) {
            fpm.close();
        }
    }

    @Test
    void paramsArriveAsPhpSeesThem() throws IOException {
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response r = c.send("GET /api/echo/more?x=1&y=two HTTP/1.1\r\n" + H
                    + "X-Custom: custom value\r\nProxy: http://evil.example:3128\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-powered-by-test")).isEqualTo("php-fpm");
            assertThat(r.text()).contains("GATEWAY_INTERFACE=CGI/1.1\n", "REQUEST_METHOD=GET\n",
                    "SCRIPT_NAME=/api\n", "PATH_INFO=/echo/more\n", "QUERY_STRING=x=1&y=two\n",
                    "REQUEST_URI=/api/echo/more?x=1&y=two\n", "HTTP_HOST=www.foobar.com\n",
                    "HTTP_X_CUSTOM=custom value\n", "HTTP_PROXY=(unset)\n", "WEB_SERVER_NAME=web-1\n",
                    "REQUEST_ID=" + r.header("x-request-id") + "\n");
        }
    }

    @Test
    void aPostBodyComesBackIntact() throws IOException {
        String json = "{\"author\":\"ada\",\"body\":\"h\u00e9llo \\\"world\\\"\"}";
        byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            c.send("POST /api/messages HTTP/1.1\r\n" + H + "Content-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n");
            RawHttp.Response r = c.send(body).read();
            assertThat(r.text()).contains("REQUEST_METHOD=POST\n", "CONTENT_TYPE=application/json\n",
                    "CONTENT_LENGTH=" + body.length + "\n").endsWith("--body--\n" + json);
            // chunked bodies get their length computed before they are passed on
            RawHttp.Response chunked = c.send("POST /api/messages HTTP/1.1\r\n" + H
                    + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n").read();
            assertThat(chunked.text()).contains("CONTENT_LENGTH=7\n").endsWith("--body--\nabcdefg");
        }
    }

    @Test
    void statusFromPhpBecomesTheHttpStatusAndManyRequestsReuseThePool() throws IOException {
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            assertThat(c.send("GET /api/x?status=404 HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(404);
            for (int i = 0; i < 20; i++) {
                assertThat(c.send("GET /api/x?i=" + i + " HTTP/1.1\r\n" + H + "\r\n").read().text())
                        .contains("QUERY_STRING=i=" + i + "\n");
            }
        }
    }
}
