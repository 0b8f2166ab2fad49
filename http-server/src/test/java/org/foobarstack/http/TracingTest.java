package org.foobarstack.http;

import org.foobarstack.fastcgi.client.TestResponder;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
                .limits(WebServerConfig.Limits.builder().appTimeout(Duration.ofSeconds(10)).build())
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

    @Test
    void theFirstRequestOnAnHttpsConnectionCarriesTheTlsHandshake() throws Exception {
        start(WebServerConfig.builder().httpsPort(0));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(server.caCertificate())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1",
                server.httpsAddress().getPort())) {
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName("www.foobar.com")));
            params.setProtocols(new String[] {"TLSv1.3"});
            socket.setSSLParameters(params);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\n" + H + "traceparent: " + CLIENT_TRACEPARENT
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200 OK");
        }
        List<String> hops = hops(CLIENT_TRACE);
        assertThat(hops).hasSize(4);
        assertThat(hops.get(0)).startsWith("TCP RECEIVED accept");
        assertThat(hops.get(1)).startsWith("TLS RECEIVED handshake TLSv1.3 TLS_").endsWith(" SNI www.foobar.com");
        assertThat(hops.subList(2, 4)).containsExactly("HTTP RECEIVED GET / HTTP/1.1", "HTTP SENT HTTP/1.1 200 OK");
        Hop handshake = hop(CLIENT_TRACE, Protocol.TLS, Direction.RECEIVED, "handshake");
        assertThat(field(handshake.fields(), "Version").value()).isEqualTo("TLSv1.3");
        assertThat(field(handshake.fields(), "Server name (SNI)").value()).isEqualTo("www.foobar.com");
    }

    @Test
    void aRefusedRequestGetsATraceWithItsErrorResponse() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused with 400
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            String traceId = r.header("x-trace-id");
            List<String> hops = hops(traceId);
            assertThat(hops).hasSize(3);
            assertThat(hops.get(1)).isEqualTo("HTTP RECEIVED refused: MISSING_HOST");
            assertThat(hops.get(2)).isEqualTo("HTTP SENT HTTP/1.1 400 Bad Request");
        }
    }

    @Test
    void withTracingOffNoHopIsRecordedButIdsStillTravel() throws IOException {
        start(WebServerConfig.builder().httpsEnabled(false).tracingEnabled(false));
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response r = c.send("GET /api/messages?mode=ECHO HTTP/1.1\r\n" + H + "traceparent: "
                    + CLIENT_TRACEPARENT + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("x-trace-id")).isEqualTo(CLIENT_TRACE);
            assertThat(TraceContext.parse(line(r.text(), "HTTP_TRACEPARENT=")).traceId()).isEqualTo(CLIENT_TRACE);
        }
        assertThat(recorder.enabled()).isFalse();
        assertThat(recorder.recordedCount()).isZero();
    }

    // ------------------------------------------------------------------ metrics

    @Test
    void theMetricsExpositionShowsCountersMovingWithRequests() throws IOException {
        start();
        Map<String, Double> before = samples(metrics.exposition());
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET /style.css HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(200);
            }
            assertThat(c.send("GET /api/messages?mode=ECHO HTTP/1.1\r\n" + H + "\r\n").read().status())
                    .isEqualTo(201);
            assertThat(c.send("GET /no-such-page HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(404);
            Map<String, Double> during = samples(metrics.exposition());
            assertThat(during.get("foobar_http_open_connections{instance=\"web-1\"}")).isEqualTo(1.0);
        }
        try (RawHttp bad = new RawHttp(server.httpAddress())) {
            assertThat(bad.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read().status())
                    .isEqualTo(400);
        }
        // a second instance in the same registry, whose app tier is not there: 502, counted by kind under web-2
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        try (WebServer web2 = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .serverName("web-2").documentRoot(server.documentRoot()).dataDirectory(dir.resolve("data2"))
                .appServerAddress(new InetSocketAddress("127.0.0.1", closedPort)).metrics(metrics).build())) {
            web2.start();
            try (RawHttp c = new RawHttp(web2.httpAddress())) {
                assertThat(c.send("GET /api/messages HTTP/1.1\r\n" + H + "\r\n").read().status()).isEqualTo(502);
            }
        }
        Map<String, Double> after = samples(metrics.exposition());

        assertThat(delta(before, after, "foobar_http_requests_total{code=\"200\",instance=\"web-1\",method=\"GET\"}"))
                .isEqualTo(3.0);
        assertThat(delta(before, after, "foobar_http_requests_total{code=\"201\",instance=\"web-1\",method=\"GET\"}"))
                .isEqualTo(1.0);
        assertThat(delta(before, after, "foobar_http_requests_total{code=\"404\",instance=\"web-1\",method=\"GET\"}"))
                .isEqualTo(1.0);
        assertThat(delta(before, after, "foobar_http_requests_total{code=\"502\",instance=\"web-2\",method=\"GET\"}"))
                .isEqualTo(1.0);
        assertThat(delta(before, after,
                "foobar_http_rejected_requests_total{instance=\"web-1\",violation=\"MULTIPLE_HOSTS\"}")).isEqualTo(1.0);
        assertThat(delta(before, after,
                "foobar_http_upstream_errors_total{instance=\"web-2\",kind=\"CONNECT_FAILED\"}")).isEqualTo(1.0);
        assertThat(delta(before, after, "foobar_http_request_duration_seconds_count{instance=\"web-1\"}"))
                .isEqualTo(5.0);
        assertThat(delta(before, after, "foobar_http_upstream_duration_seconds_count{instance=\"web-1\"}"))
                .isEqualTo(1.0);
        long css = Files.size(server.documentRoot().resolve("style.css"));
        assertThat(delta(before, after, "foobar_http_response_body_bytes_total{instance=\"web-1\"}"))
                .isGreaterThan(3.0 * css);
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).as("series %s in the exposition", series).containsKey(series);
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    /**
     * The samples of a Prometheus text exposition (format 0.0.4): "name{labels} value" lines, comments skipped.
     * Label values here never hold spaces, so the last space separates the value. The writer puts labels in
     * alphabetical order.
     */
    static Map<String, Double> samples(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String l : exposition.split("\n")) {
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            int space = l.lastIndexOf(' ');
            samples.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
        }
        return samples;
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
