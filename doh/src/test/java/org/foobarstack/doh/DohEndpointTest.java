package org.foobarstack.doh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.foobarstack.dns.DnsServer;
import org.foobarstack.dns.DnsServerConfig;
import org.foobarstack.http.WebServer;
import org.foobarstack.http.WebServerConfig;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DoH endpoint over real sockets: a DnsServer and a WebServer with the /dns-query route, both on
 * ephemeral ports, asked with the JDK's HTTP client over HTTPS (trusting the web tier's own CA).
 */
class DohEndpointTest {

    @TempDir
    static Path data;

    private static final TraceHub hub = new TraceHub();
    private static final TraceRecorder webRecorder = hub.newRecorder("web", "web-1");
    private static DnsServer dns;
    private static WebServer web;
    private static DohHandler doh;
    private static HttpClient client;
    private static URI endpoint;

    @BeforeAll
    static void start() throws Exception {
        Path zones = data.resolve("zones");
        Files.createDirectories(zones);
        try (InputStream zone = DohEndpointTest.class.getResourceAsStream("/zones/foobar.com.zone")) {
            Files.copy(zone, zones.resolve("foobar.com.zone"));
        }
        dns = new DnsServer(DnsServerConfig.builder().port(0).zonesDirectory(zones)
                .traceRecorder(hub.newRecorder("dns", "dns-1")).build());
        dns.start();
        doh = new DohHandler(dns.udpAddress(), webRecorder, Duration.ofSeconds(3));
        web = new WebServer(WebServerConfig.builder().httpPort(0).httpsPort(0).dataDirectory(data.resolve("web"))
                .build());
        web.addRoute("/dns-query", doh);
        web.start();
        client = HttpClient.newBuilder().sslContext(trusting(web.caCertificate()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        endpoint = URI.create("https://127.0.0.1:" + web.httpsAddress().getPort() + "/dns-query");
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.close();
        }
        if (doh != null) {
            doh.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    // ------------------------------------------------------------------ answers

    @Test
    void getAndPostAnswerExactlyWhatTheDnsServerAnswersOverUdp() throws Exception {
        byte[] query = query("www.foobar.com", Type.A, 0);
        byte[] direct = udp(dns.udpAddress(), query);

        HttpResponse<byte[]> get = get(base64url(query));
        HttpResponse<byte[]> post = post(query, DohHandler.MEDIA_TYPE);

        for (HttpResponse<byte[]> response : List.of(get, post)) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/dns-message");
            assertThat(response.body()).isEqualTo(direct);
        }
        Message answer = new Message(get.body());
        assertThat(answer.getHeader().getID()).isZero();
        assertThat(answer.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answer.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("127.0.0.1"));
    }

    @Test
    void theClientsIdComesBackEvenThoughTheDnsServerIsAskedWithAnother() throws Exception {
        HttpResponse<byte[]> response = post(query("www.foobar.com", Type.A, 0x4d2e), DohHandler.MEDIA_TYPE);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(new Message(response.body()).getHeader().getID()).isEqualTo(0x4d2e);
    }

    @Test
    void negativeAnswersAreHttp200WithTheDnsRcode() throws Exception {
        HttpResponse<byte[]> nx = get(base64url(query("nope.foobar.com", Type.A, 0)));
        assertThat(nx.statusCode()).isEqualTo(200);
        assertThat(new Message(nx.body()).getRcode()).isEqualTo(Rcode.NXDOMAIN);

        // what Chromium asks beside A and AAAA for http://www.foobar.com:8080/ (RFC 9460 §9.1)
        HttpResponse<byte[]> https = get(base64url(query("_8080._https.www.foobar.com", Type.HTTPS, 0)));
        Message m = new Message(https.body());
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.SOA);

        HttpResponse<byte[]> refused = get(base64url(query("example.org", Type.A, 0)));
        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(new Message(refused.body()).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void cacheControlIsTheSmallestTtlInTheAnswer() throws Exception {
        assertThat(get(base64url(query("www.foobar.com", Type.A, 0))).headers().firstValue("cache-control"))
                .hasValue("max-age=3600");
        // A 60 in ANSWER, NS 3600 in AUTHORITY
        assertThat(get(base64url(query("short.foobar.com", Type.A, 0))).headers().firstValue("cache-control"))
                .hasValue("max-age=60");
        // negative: the SOA's TTL, min(3600, MINIMUM 300) (RFC 2308 §3)
        assertThat(get(base64url(query("nope.foobar.com", Type.A, 0))).headers().firstValue("cache-control"))
                .hasValue("max-age=300");
        // nothing in a REFUSED answer says how long it holds
        assertThat(get(base64url(query("example.org", Type.A, 0))).headers().firstValue("cache-control"))
                .hasValue("max-age=0");
    }

    @Test
    void aTruncatedUdpAnswerIsAskedAgainOverTcp() throws Exception {
        byte[] query = query("big.foobar.com", Type.TXT, 0);
        assertThat(new Message(udp(dns.udpAddress(), query)).getHeader().getFlag(Flags.TC)).isTrue();

        String traceparent = TraceContext.fresh().toHeader();
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(endpoint)
                        .header("Content-Type", DohHandler.MEDIA_TYPE).header("traceparent", traceparent)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(query)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        Message answer = new Message(response.body());
        assertThat(answer.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(answer.getSection(Section.ANSWER)).hasSize(12);

        List<Hop> hops = hub.trace(TraceContext.parse(traceparent).traceId()).hops();
        assertThat(hops).extracting(Hop::summary).containsExactly(
                "query big.foobar.com. TXT over UDP",
                "answer NOERROR, aa, tc, 0 answers over UDP",
                "query big.foobar.com. TXT over TCP",
                "answer NOERROR, aa, 12 answers over TCP");
        assertThat(hops.get(2).fields()).extracting(Field::name).contains("Length");
    }

    // ------------------------------------------------------------------ hops

    @Test
    void theDnsExchangeIsRecordedUnderTheHttpRequestsTrace() throws Exception {
        TraceContext context = TraceContext.fresh();
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
                        URI.create(endpoint + "?dns=" + base64url(query("www.foobar.com", Type.A, 0))))
                        .header("traceparent", context.toHeader()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);

        List<Hop> hops = webRecorder.trace(context.traceId()).hops();
        assertThat(hops).hasSize(2);
        Hop sent = hops.get(0);
        Hop received = hops.get(1);
        assertThat(sent.tier()).isEqualTo("web");
        assertThat(sent.protocol()).isEqualTo(Protocol.DNS);
        assertThat(sent.direction()).isEqualTo(Direction.SENT);
        assertThat(received.direction()).isEqualTo(Direction.RECEIVED);
        assertThat(sent.summary()).isEqualTo("query www.foobar.com. A over UDP");
        assertThat(received.summary()).isEqualTo("answer NOERROR, aa, 1 answer over UDP");
        String server = "127.0.0.1:" + dns.udpAddress().getPort();
        assertThat(sent.peer()).isEqualTo(server);
        assertThat(sent.fields()).extracting(Field::name)
                .contains("Transport", "DNS server", "For", "Header", "Queries");
        assertThat(received.fields()).extracting(Field::name).contains("Answers");
        assertThat(received.startNanos()).isGreaterThanOrEqualTo(sent.startNanos());
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void badBase64urlIs400() throws Exception {
        HttpResponse<byte[]> response = get("not*base64");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new String(response.body())).contains("RFC 4648 §5");
    }

    @Test
    void missingDnsParameterIs400() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(endpoint + "?name=www")).GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new String(response.body())).contains("RFC 8484 §4.1");
    }

    @Test
    void bytesThatAreNotADnsQueryAre400() throws Exception {
        assertThat(get(base64url(new byte[] {1, 2, 3})).statusCode()).isEqualTo(400);
        assertThat(post("hello, this is not DNS at all".getBytes(), DohHandler.MEDIA_TYPE).statusCode())
                .isEqualTo(400);
        byte[] response = query("www.foobar.com", Type.A, 0);
        response[2] |= (byte) 0x80;     // QR: a response, not a query
        assertThat(post(response, DohHandler.MEDIA_TYPE).statusCode()).isEqualTo(400);
    }

    @Test
    void bytesTheDnsLibraryRefusesWithAnUncheckedExceptionAre400Too() throws Exception {
        // an UPDATE whose record has a TTL of 2^31 (dnsjava: InvalidTTLException); once a 500 for a GET and
        // a closed connection without a response for a POST (fuzz/findings/doh-unchecked-parse-error)
        byte[] hugeTtl = java.util.HexFormat.of().parseHex("0000280000000001000000000000010001800000000000");
        assertThat(get("AAAoAAAAAAEAAAAAAAABAAGAAAAAAAA").statusCode()).isEqualTo(400);
        assertThat(post(hugeTtl, DohHandler.MEDIA_TYPE).statusCode()).isEqualTo(400);
    }

    @Test
    void otherContentTypesAre415() throws Exception {
        HttpResponse<byte[]> response = post(query("www.foobar.com", Type.A, 0), "application/octet-stream");
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(new String(response.body())).contains("application/dns-message");
        // parameters and case do not matter (RFC 9110 §8.3.1)
        assertThat(post(query("www.foobar.com", Type.A, 0), "Application/DNS-Message; charset=binary")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyOver65535BytesIs413() throws Exception {
        assertThat(post(new byte[65536], DohHandler.MEDIA_TYPE).statusCode()).isEqualTo(413);
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(endpoint)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(query("www.foobar.com", Type.A, 0))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD, POST");
    }

    @Test
    void otherPathsUnderThePrefixAre404() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(endpoint + "-old")).GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void noDnsServerListeningIs502() throws Exception {
        InetSocketAddress nobody;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            nobody = (InetSocketAddress) socket.getLocalSocketAddress();
        }
        try (Upstream upstream = new Upstream(nobody, Duration.ofSeconds(3))) {
            HttpResponse<byte[]> response = upstream.post(query("www.foobar.com", Type.A, 0));
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(new String(response.body())).contains("port unreachable");
        }
    }

    @Test
    void aDnsServerThatNeverAnswersIs504() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             Upstream upstream = new Upstream((InetSocketAddress) silent.getLocalSocketAddress(),
                     Duration.ofMillis(300))) {
            HttpResponse<byte[]> response = upstream.post(query("www.foobar.com", Type.A, 0));
            assertThat(response.statusCode()).isEqualTo(504);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A second web server (plain HTTP) whose DoH route points at a DNS server that is not ours. */
    private static final class Upstream implements AutoCloseable {
        private final DohHandler handler;
        private final WebServer server;

        Upstream(InetSocketAddress dnsServer, Duration timeout) throws IOException {
            handler = new DohHandler(dnsServer, timeout);
            server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                    .dataDirectory(data.resolve("upstream-web")).build());
            server.addRoute(DohHandler.PATH, handler);
            server.start();
        }

        HttpResponse<byte[]> post(byte[] query) throws IOException, InterruptedException {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + DohHandler.PATH))
                            .header("Content-Type", DohHandler.MEDIA_TYPE)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(query)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }

        @Override
        public void close() {
            server.close();
            handler.close();
        }
    }

    private static HttpResponse<byte[]> get(String dnsParameter) throws IOException, InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(new URI(endpoint + "?dns=" + dnsParameter)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static HttpResponse<byte[]> post(byte[] body, String contentType) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(endpoint).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] query(String name, int type, int id) throws IOException {
        Message m = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
        m.getHeader().setID(id);
        return m.toWire();
    }

    static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] udp(InetSocketAddress server, byte[] query) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(5000);
            socket.send(new DatagramPacket(query, query.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            socket.receive(reply);
            return Arrays.copyOf(buf, reply.getLength());
        }
    }

    private static SSLContext trusting(Path caPem) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("foobar-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
