package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The trace context of a request: adopted or made at the web tier, answered to the client, passed to the app. */
class TracingTest {

    private static final String H = "Host: www.foobar.com\r\n";
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_TRACEPARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";

    @TempDir
    Path dir;

    private TestResponder responder;
    private WebServer server;
    private final TraceRecorder recorder = new TraceRecorder("web", "web-1");

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (responder != null) {
            responder.close();
        }
    }

    private void start() throws IOException {
        responder = new TestResponder(false);
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(responder.address())
                .limits(WebServerConfig.Limits.defaults().withAppTimeout(Duration.ofSeconds(10)))
                .traceRecorder(recorder)
                .build());
        server.start();
    }

    @Test
    void aValidClientTraceparentIsAdoptedAndAnswered() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\n" + H + "traceparent: " + CLIENT_TRACEPARENT + "\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-trace-id")).isEqualTo(CLIENT_TRACE);
            assertThat(r.header("x-request-id")).isEqualTo("4bf92f35");
        }
    }

    @Test
    void aMissingOrInvalidTraceparentStartsAFreshTracePerRequest() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response first = c.send("GET / HTTP/1.1\r\n" + H + "\r\n").read();
            // upper-case hex breaks §3.2.2.3: ignored, a new trace is started, the request still succeeds
            RawHttp.Response second = c.send("GET / HTTP/1.1\r\n" + H + "traceparent: "
                    + CLIENT_TRACEPARENT.toUpperCase() + "\r\n\r\n").read();
            for (RawHttp.Response r : new RawHttp.Response[] {first, second}) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("x-trace-id")).matches("[0-9a-f]{32}").isNotEqualTo(CLIENT_TRACE);
                assertThat(r.header("x-request-id")).isEqualTo(r.header("x-trace-id").substring(0, 8));
            }
            assertThat(first.header("x-trace-id")).isNotEqualTo(second.header("x-trace-id"));
        }
    }

    @Test
    void theAppTierGetsAChildTraceparentWithTheSameTraceId() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response adopted = c.send("GET /api/messages?mode=ECHO HTTP/1.1\r\n" + H + "traceparent: "
                    + CLIENT_TRACEPARENT + "\r\n\r\n").read();
            String params = adopted.text();
            String sent = line(params, "HTTP_TRACEPARENT=");
            TraceContext child = TraceContext.parse(sent);
            assertThat(child.traceId()).isEqualTo(CLIENT_TRACE);
            assertThat(child.parentId()).isNotEqualTo("00f067aa0ba902b7");
            assertThat(params).contains("REQUEST_ID=4bf92f35\n");

            RawHttp.Response fresh = c.send("GET /api/messages?mode=ECHO HTTP/1.1\r\n" + H + "\r\n").read();
            TraceContext made = TraceContext.parse(line(fresh.text(), "HTTP_TRACEPARENT="));
            assertThat(made.traceId()).isEqualTo(fresh.header("x-trace-id"));
            assertThat(fresh.text()).contains("REQUEST_ID=" + fresh.header("x-request-id") + "\n");
        }
    }

    static String line(String text, String prefix) {
        for (String l : text.split("\n")) {
            if (l.startsWith(prefix)) {
                return l.substring(prefix.length());
            }
        }
        throw new AssertionError("no line starting with " + prefix + " in:\n" + text);
    }
}
