package org.foobarstack.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** walk over https: the TLS hop, trust given with --cacert, and a refused certificate. */
class WalkHttpsTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static TestDnsServer dns;
    private static Path certificatePem;

    @BeforeAll
    static void start() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (String.valueOf(System.getenv("CI")).matches("true|1")) {
            assertThat(keytool).as("the JDK's keytool").isExecutable();
        } else {
            assumeThat(Files.isExecutable(keytool)).as("the JDK's keytool").isTrue();
        }
        Path keystore = dir.resolve("server.p12");
        certificatePem = dir.resolve("server.pem");
        // A self-signed certificate for www.foobar.com: trusting it with --cacert makes it its own CA.
        keytool(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=www.foobar.com", "-ext", "san=dns:www.foobar.com,ip:127.0.0.1", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-file", certificatePem.toString());

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            byte[] body = "secure hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        dns = new TestDnsServer(Map.of("www.foobar.com.", InetAddress.getByAddress(new byte[] {127, 0, 0, 1})), false);
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.stop(0);
        }
        if (dns != null) {
            dns.close();
        }
    }

    private static void keytool(Path keytool, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(keytool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool " + String.join(" ", args) + ": " + output).isZero();
    }

    private static String walk(WalkRequest request, int expectedExit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Walk.run(request, false, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(expectedExit);
        return text;
    }

    @Test
    void theTlsHopShowsVersionCipherAndCertificate() {
        String out = walk(WalkRequest.builder("https://www.foobar.com:" + server.getAddress().getPort() + "/")
                .dns(dns.address()).caCert(certificatePem).build(), 0);

        assertThat(out).containsSubsequence(
                "DNS received  answer NOERROR",
                "TCP sent  connect",
                "TLS received  TLSv1.3 ",
                "* SSL connection using TLSv1.3 / ",
                "*  subject: CN=www.foobar.com",
                "*  subjectAltName: DNS:www.foobar.com, IP:127.0.0.1",
                "HTTP sent  GET / HTTP/1.1",
                "< HTTP/1.1 200 OK",
                "secure hello");
        assertThat(out).contains("Cipher suite: TLS_").contains("Server certificate: CN=www.foobar.com");
    }

    @Test
    void anUntrustedCertificateStopsWithCurlsTlsExitCode() {
        String out = walk(WalkRequest.builder("https://www.foobar.com:" + server.getAddress().getPort() + "/")
                .dns(dns.address()).build(), 35);

        assertThat(out).contains("walk stopped: TLS handshake failed: TLS with 127.0.0.1:");
    }
}
