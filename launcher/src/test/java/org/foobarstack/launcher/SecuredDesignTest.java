package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code secured} design, running (on 127.0.92.x): the site answers over HTTPS only, with HSTS, and
 * every server's firewall leaves a visitor who goes around the balancer without an answer.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SecuredDesignTest {

    @TempDir
    static Path data;

    static Stack stack;

    @BeforeAll
    static void start() {
        stack = new Stack(StackConfig.builder().topology(ShippedTopologies.load("secured").relocated(92))
                .adminPort(0).dataDir(data).build());
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static HttpClient trustingTheBalancer() throws Exception {
        LbTierRuntime lb = (LbTierRuntime) stack.context().tiers(Role.LB).get(0);
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream pem = Files.newInputStream(lb.caCertificate())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    @Test
    void theSiteAnswersOverHttpsAndSendsPlainHttpThere() throws Exception {
        // the certificate names www.foobar.com; the address is the balancer's, so the name is checked off the host
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        HttpResponse<String> https = trustingTheBalancer().send(HttpRequest.newBuilder(
                URI.create("https://127.0.92.10:8443/api/messages")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.92.10:8080/api/messages")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(https.statusCode()).isEqualTo(200);
        assertThat(https.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
        assertThat(plain.statusCode()).isEqualTo(301);
        assertThat(plain.headers().firstValue("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void goingAroundTheBalancerGetsNoAnswerFromAServerOrItsDatabase() throws Exception {
        for (InetSocketAddress around : new InetSocketAddress[] {
                new InetSocketAddress("127.0.92.11", 8080), new InetSocketAddress("127.0.92.11", 1527)}) {
            try (Socket socket = new Socket()) {
                socket.connect(around, 2000); // the kernel answers the handshake; the firewall drops the rest
                socket.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
                socket.setSoTimeout(500);
                assertThat(catchThrowable(() -> socket.getInputStream().read())).as("%s", around)
                        .isInstanceOf(SocketTimeoutException.class);
            }
        }
    }
}
