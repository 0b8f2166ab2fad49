package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A browser pointed at the plain HTTP port often tries HTTPS there first: its TLS ClientHello arrives where a
 * request line is expected. The server must say what happened (RFC 8446 §5.1 record header), not report a broken
 * line ending found somewhere in the binary bytes.
 */
class TlsOnPlainPortTest {

    @TempDir
    Path dir;

    private WebServer server;
    private final TraceRecorder recorder = new TraceRecorder("web", "web-1");

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    /** The first flight of a real TLS client: the JDK's SSLEngine, in client mode, wraps its ClientHello. */
    static byte[] clientHello() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("www.foobar.com", 8080);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
        assertThat(result.bytesProduced()).isPositive();
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** A web server on plain HTTP only, on a free port. */
    private void startPlainServer() throws Exception {
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsEnabled(false)
                .documentRoot(ShippedSite.install(dir.resolve("www"))).dataDirectory(dir.resolve("data"))
                .appServerAddress(new InetSocketAddress("127.0.0.1", 1))
                .traceRecorder(recorder)
                .build());
        server.start();
    }

    @Test
    void aClientHelloOnThePlainPortIsAnsweredWithA400ThatSaysSoAndTheConnectionCloses() throws Exception {
        startPlainServer();
        byte[] hello = clientHello();
        // RFC 8446 §5.1: content type 22 (handshake), legacy record version 0x03 0x0X (the JDK's is 0x0303)
        assertThat(Arrays.copyOf(hello, 2)).containsExactly(0x16, 0x03);
        int minor = hello[2];

        try (RawHttp c = new RawHttp(server.httpAddress())) {
            RawHttp.Response r = c.send(hello).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.text())
                    .contains("a TLS handshake sent to the plain HTTP port")
                    .contains("RFC 8446 §5.1")
                    .doesNotContain("LF without CR");
            assertThat(c.closedByServer()).isTrue();

            String traceId = r.header("x-trace-id");
            List<Hop> hops = recorder.trace(traceId).hops();
            List<String> described = hops.stream()
                    .map(h -> h.protocol() + " " + h.direction() + " " + h.summary()).toList();
            assertThat(described).hasSize(3);
            assertThat(described.get(0)).startsWith("TCP RECEIVED accept ");
            assertThat(described.subList(1, 3)).containsExactly("HTTP RECEIVED refused: TLS_HANDSHAKE_ON_PLAIN_PORT",
                    "HTTP SENT HTTP/1.1 400 Bad Request");
            List<Field> refused = hops.get(1).fields();
            assertThat(refused).extracting(Field::name).containsExactly("Refused", "Reason");
            assertThat(refused.get(0).value()).isEqualTo("TLS_HANDSHAKE_ON_PLAIN_PORT (RFC 8446 §5.1)");
            assertThat(refused.get(1).value())
                    .startsWith("RFC 8446 §5.1: a TLS handshake sent to the plain HTTP port")
                    .endsWith(String.format("(record header 16 03 %02x: content type 22 (handshake), version 3.%d)",
                            minor, minor));
        }
    }

    @Test
    void plainHttpOnTheSameServerIsStillServed() throws Exception {
        startPlainServer();
        try (RawHttp c = new RawHttp(server.httpAddress())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n").read().status()).isEqualTo(200);
        }
    }
}
