package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trace of a request at the web tier, over real sockets: its id adopted or made, answered to the client and
 * passed to the app tier; the hops recorded under it; the metrics that move with it.
 */
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

    private final Metrics metrics = new Metrics();

    private void start() throws IOException {
        start(WebServerConfig.builder().httpsEnabled(false));
    }

    private void start(WebServerConfig.Builder config) throws IOException {
        responder = new TestResponder(false);
        server = new WebServer(config.httpPort(0)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(responder.address())
                .limits(WebServerConfig.Limits.defaults().withAppTimeout(Duration.ofSeconds(10)))
                .traceRecorder(recorder)
                .metrics(metrics)
                .build());
        server.start();
    }

    /** "PROTOCOL direction summary" of each hop of a trace, in order. */
    private List<String> hops(String traceId) {
        return recorder.trace(traceId).hops().stream()
                .map(h -> h.protocol() + " " + h.direction() + " " + h.summary()).toList();
    }

    private Hop hop(String traceId, Protocol protocol, Direction direction, String summaryStart) {
        return recorder.trace(traceId).hops().stream()
                .filter(h -> h.protocol() == protocol && h.direction() == direction
                        && h.summary().startsWith(summaryStart))
                .findFirst().orElseThrow(() -> new AssertionError("no " + protocol + " " + direction + " "
                        + summaryStart + " hop in " + hops(traceId)));
    }

    /** Depth-first search of a field tree. */
    private static Field field(List<Field> fields, String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
            Field inner = find(f.children(), name);
            if (inner != null) {
                return inner;
            }
        }
        throw new AssertionError("no field " + name + " in " + fields);
    }

    private static Field find(List<Field> fields, String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
            Field inner = find(f.children(), name);
            if (inner != null) {
                return inner;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ hops

    @Test
    void aGetWithAClientTraceparentIsRecordedUnderItsTraceId() throws IOException {
        start();
        String request = "GET /style.css HTTP/1.1\r\n" + H + "traceparent: " + CLIENT_TRACEPARENT + "\r\n\r\n";
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response r = c.send(request).read();
            assertThat(r.status()).isEqualTo(200);
            int clientPort = c.socket().getLocalPort();

            assertThat(hops(CLIENT_TRACE)).containsExactly(
                    "TCP RECEIVED accept 127.0.0.1:" + clientPort + " -> 127.0.0.1:" + server.httpAddress().getPort(),
                    "HTTP RECEIVED GET /style.css HTTP/1.1",
                    "HTTP SENT HTTP/1.1 200 OK");
            Hop received = hop(CLIENT_TRACE, Protocol.HTTP, Direction.RECEIVED, "GET");
            assertThat(received.peer()).isEqualTo("127.0.0.1:" + clientPort);
            assertThat(received.tier()).isEqualTo("web");
            // the field tree is built from the bytes as they arrived: offsets into the request itself
            Field line = field(received.fields(), "Request line");
            assertThat(line.offset()).isZero();
            assertThat(line.value()).isEqualTo("GET /style.css HTTP/1.1");
            assertThat(received.fields().toString()).contains(CLIENT_TRACEPARENT);
            Hop sent = hop(CLIENT_TRACE, Protocol.HTTP, Direction.SENT, "HTTP/1.1");
            assertThat(sent.fields().toString()).contains("X-Trace-Id", CLIENT_TRACE, "text/css");
        }
    }

    @Test
    void aRequestWithoutTraceparentGetsAFreshIdSeenInItsHopsAndKeepAliveRequestsSkipTheAccept()
            throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response first = c.send("GET / HTTP/1.1\r\n" + H + "\r\n").read();
            RawHttp.Response second = c.send("HEAD /favicon.svg HTTP/1.1\r\n" + H + "\r\n").read(true);
            String firstTrace = first.header("x-trace-id");
            String secondTrace = second.header("x-trace-id");
            assertThat(first.header("x-request-id")).isEqualTo(firstTrace.substring(0, 8));

            assertThat(hops(firstTrace)).containsExactly(
                    "TCP RECEIVED accept 127.0.0.1:" + c.socket().getLocalPort() + " -> 127.0.0.1:"
                            + server.httpAddress().getPort(),
                    "HTTP RECEIVED GET / HTTP/1.1",
                    "HTTP SENT HTTP/1.1 200 OK");
            // the second request came on the same connection: no accept of its own, and it says where it came from
            assertThat(hops(secondTrace)).containsExactly("HTTP RECEIVED HEAD /favicon.svg HTTP/1.1",
                    "HTTP SENT HTTP/1.1 200 OK");
            assertThat(field(hop(secondTrace, Protocol.HTTP, Direction.RECEIVED, "HEAD").fields(), "Connection")
                    .value()).contains("request 2", firstTrace);
        }
    }

    @Test
    void anApiRequestRecordsItsFastCgiRecordsAndPassesTheTraceOn() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            String body = "author=ada&body=hi";
            RawHttp.Response r = c.send("POST /api/messages?mode=ECHO HTTP/1.1\r\n" + H + "traceparent: "
                    + CLIENT_TRACEPARENT + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertThat(r.status()).isEqualTo(201);
            String passed = line(r.text(), "HTTP_TRACEPARENT=");
            assertThat(TraceContext.parse(passed).traceId()).isEqualTo(CLIENT_TRACE);

            // in start order: the FastCGI records cross while the HTTP exchange is open
            List<String> hops = hops(CLIENT_TRACE);
            assertThat(hops).hasSize(8);
            assertThat(hops.get(0)).startsWith("TCP RECEIVED accept");
            assertThat(hops.get(1)).isEqualTo("HTTP RECEIVED POST /api/messages?mode=ECHO HTTP/1.1");
            assertThat(hops.get(2)).isEqualTo("FASTCGI SENT BEGIN_REQUEST id=1 role=RESPONDER KEEP_CONN");
            assertThat(hops.get(3)).startsWith("FASTCGI SENT PARAMS stream, ");
            // the body, then the empty STDIN record that ends the stream (FastCGI §3.3)
            assertThat(hops.get(4)).isEqualTo("FASTCGI SENT STDIN stream, 18 bytes in 2 records");
            assertThat(hops.get(5)).startsWith("FASTCGI RECEIVED STDOUT stream, ");
            assertThat(hops.get(6)).isEqualTo("HTTP SENT HTTP/1.1 201 Created");
            assertThat(hops.get(7)).isEqualTo("FASTCGI RECEIVED END_REQUEST id=1 appStatus=0 REQUEST_COMPLETE");
            // the PARAMS hop's fields are the name-value pairs on the wire, the child traceparent among them
            Hop params = hop(CLIENT_TRACE, Protocol.FASTCGI, Direction.SENT, "PARAMS");
            assertThat(params.fields().toString()).contains("HTTP_TRACEPARENT", passed);
            assertThat(params.peer()).isEqualTo("127.0.0.1:" + responder.address().getPort());
            Hop end = hop(CLIENT_TRACE, Protocol.FASTCGI, Direction.RECEIVED, "END_REQUEST");
            assertThat(field(end.fields(), "Header").offset()).isZero();
        }
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
