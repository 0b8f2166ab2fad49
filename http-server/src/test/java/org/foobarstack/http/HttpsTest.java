package org.foobarstack.http;

import org.foobarstack.http.server.ShippedSite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HTTPS with the JDK's own HTTP client, trusting only the CA the server generated at first start. */
class HttpsTest {

    @TempDir
    static Path dir;

    private static WebServer server;
    private static byte[] big;
    private static byte[] small;

    @BeforeAll
    static void start() throws Exception {
        Path root = ShippedSite.install(dir.resolve("www"));
        big = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        small = new byte[1024];
        new Random(7).nextBytes(small);
        Files.write(root.resolve("small.bin"), small);
        server = new WebServer(WebServerConfig.builder().httpPort(0).httpsPort(0).documentRoot(root)
                .dataDirectory(dir.resolve("data")).appServerAddress(new InetSocketAddress("127.0.0.1", 1)).build());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpClient client(String protocol) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(server.caCertificate())) {
            trust.setCertificateEntry("foobar-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        SSLParameters params = new SSLParameters();
        params.setProtocols(new String[] {protocol});
        return HttpClient.newBuilder().sslContext(ssl).sslParameters(params)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private static URI uri(String path) {
        // the certificate names 127.0.0.1 too, so the address itself verifies
        return URI.create("https://127.0.0.1:" + server.httpsAddress().getPort() + path);
    }

    @Test
    void homePageOverTls13AndTls12() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            HttpResponse<String> r = client(protocol).send(HttpRequest.newBuilder(uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("foobar.com");
            assertThat(r.sslSession()).get().extracting(s -> s.getProtocol()).isEqualTo(protocol);
        }
    }

    @Test
    void largeFilesArriveIntactThroughTheCipher() throws Exception {
        HttpResponse<byte[]> r = client("TLSv1.3").send(HttpRequest.newBuilder(uri("/big.bin")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(big);
    }

    @Test
    void aSmallFileKeptInMemoryArrivesWholeAndInRangesThroughTheCipher() throws Exception {
        HttpClient client = client("TLSv1.3");
        for (int i = 0; i < 3; i++) {
            // the first request finds the file on disk, the next ones the copy kept in memory
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/small.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Length")).hasValue("1024");
            assertThat(r.body()).isEqualTo(small);
        }
        HttpResponse<byte[]> range = client.send(HttpRequest.newBuilder(uri("/small.bin"))
                .header("Range", "bytes=100-199").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 100-199/1024");
        assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(small, 100, 200));
    }

    @Test
    void theCertificateNamesTheSiteAndIsSignedByTheCa() throws Exception {
        HttpResponse<Void> r = client("TLSv1.3").send(HttpRequest.newBuilder(uri("/style.css")).build(),
                HttpResponse.BodyHandlers.discarding());
        X509Certificate leaf = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
        assertThat(leaf.getSubjectAlternativeNames()).extracting(n -> n.get(1).toString())
                .contains("foobar.com", "www.foobar.com", "127.0.0.1");
        assertThat(leaf.getIssuerX500Principal().getName()).contains("foobar-stack local CA");
    }

    @Test
    void theServerPresentsItsCertificateAloneAndLeavesTheRootToTheClient() throws Exception {
        HttpResponse<Void> r = client("TLSv1.2").send(HttpRequest.newBuilder(uri("/")).build(),
                HttpResponse.BodyHandlers.discarding());
        var chain = r.sslSession().orElseThrow().getPeerCertificates();
        // RFC 8446 §4.4.2: the trust anchor may be left out; the client holds it (here: trusts the CA file)
        assertThat(chain).hasSize(1);
        assertThat(((X509Certificate) chain[0]).getIssuerX500Principal().getName()).contains("foobar-stack local CA");
    }

    @Test
    void aClientOfferingHttp2InAlpnIsAnsweredInHttp11() throws Exception {
        HttpClient h2First = HttpClient.newBuilder().sslContext(client("TLSv1.3").sslContext())
                .version(HttpClient.Version.HTTP_2).build();
        HttpResponse<Void> r = h2First.send(HttpRequest.newBuilder(uri("/")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void aClientThatDoesNotTrustTheCaRefuses() {
        HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(uri("/")).build(),
                HttpResponse.BodyHandlers.discarding())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void theCaIsReusedAcrossRestarts() throws Exception {
        String before = Files.readString(server.caCertificate());
        try (WebServer again = new WebServer(server.config().toBuilder().httpPort(0).httpsPort(0).build())) {
            again.start();
            assertThat(Files.readString(again.caCertificate())).isEqualTo(before);
        }
    }
}
