package org.foobarstack.http;

import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "4. App tier down or broken": "END_REQUEST with OVERLOADED/CANT_MPX_CONN: 503 with {@code Retry-After: 1}".
 * Both refusals say the app tier is busy, not broken: the client gets 503, may retry in a second, and keeps its
 * connection.
 */
class AppTierRefusalTest {

    private static final String H = "Host: www.foobar.com\r\n";

    @TempDir
    Path dir;

    private HeldResponder app;
    private WebServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolStatus.class, names = {"CANT_MPX_CONN", "OVERLOADED"})
    void aRefusalFromTheAppTierIs503WithRetryAfterAndTheConnectionStaysUsable(ProtocolStatus refusal)
            throws IOException {
        app = new HeldResponder(refusal);
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(app.address())
                .limits(WebServerConfig.Limits.builder().appTimeout(Duration.ofSeconds(10)).build()).build());
        server.start();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response r = c.send("POST /api/messages HTTP/1.1\r\n" + H + "Content-Length: 2\r\n\r\n{}").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
            assertThat(r.header("retry-after")).isEqualTo("1");
            assertThat(r.header("connection")).as("the connection is kept").isNull();
            assertThat(r.text()).contains("the app tier declined the request: " + refusal.name())
                    .contains("FastCGI §5.5");
            assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
        }
        assertThat(server.metrics().exposition()).contains("foobar_http_upstream_errors_total{instance=\"web-1\","
                + "kind=\"REJECTED\"} 1.0");
    }
}
