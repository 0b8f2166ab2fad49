package org.foobarstack.lb;

import org.foobarstack.lb.backend.CheckResult;
import org.foobarstack.lb.backend.CheckStatus;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.Mode;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HTTPS at the balancer, over real sockets: TLS terminated with the site's certificate, plain HTTP redirected,
 * Strict-Transport-Security on HTTPS only, the server told the client used https, and the balancer speaking TLS
 * again to servers whose certificates it verifies. The certificates are made here: a CA, a certificate for
 * www.foobar.com it signs, and the wrong ones (self-signed; signed by the CA but for another name).
 */
class HttpsTest {

    private static final String SITE = "www.foobar.com";
    private static final TestCertificates.Authority CA = TestCertificates.authority("foobar-stack test CA");
    private static final TestCertificates.Issued SITE_CERTIFICATE = CA.issue(SITE);
    private static final Duration A_YEAR = Duration.ofDays(365);
    private static final AtomicLong TRACES = new AtomicLong(0x4bf92f3577b34da6L);

    @RegisterExtension
    final Opened opened = new Opened();

    /** HAProxy's {@code bind :8443 ssl crt site.pem}, on any free port. */
    private static BalancerConfig.Builder https(BalancerConfig.Builder builder) {
        return builder.tls(SITE_CERTIFICATE.serverContext()).httpsPort(0);
    }

    /** HAProxy's {@code server ... ssl verify required ca-file ca.pem verifyhost www.foobar.com}. */
    private static BalancerConfig.Builder reEncrypting(BalancerConfig.Builder builder) {
        return builder.backendTls(CA.clientContext()).backendServerName(SITE);
    }

    private RawClient browser(LoadBalancer lb) throws IOException {
        return opened.add(RawClient.overTls(lb.httpsAddress(), CA.jdkClientContext(), SITE));
    }

    private TestBackend tlsBackend(String name, TestCertificates.Issued certificate) {
        return opened.add(new TestBackend(name, certificate.serverContext()));
    }

    // ------------------------------------------------------------------ terminating TLS

    @Test
    void aBrowserTrustingTheCaGetsThePageOverHttpsWithHstsAndTheServerLearnsItWasHttps() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer lb = opened.balancer(b -> https(b).hsts(A_YEAR), web);

        RawClient browser = browser(lb);
        RawClient.Response response = browser.get("/echo");

        assertThat(browser.tlsSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
        assertThat(response.header("X-Backend-Server")).isEqualTo("web-1");
        // the web server behind the balancer only ever sees plain HTTP: these headers are how it knows
        var received = web.received.get(0).head().fields();
        assertThat(received.get("x-forwarded-proto")).isEqualTo("https");
        assertThat(received.get("forwarded")).isEqualTo("for=127.0.0.1;by=127.0.0.1;proto=https;host=www.foobar.com");
    }

    @Test
    void overPlainHttpNoHstsIsSentAndAClientCannotClaimHttps() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer lb = opened.balancer(b -> https(b).hsts(A_YEAR), web);

        RawClient.Response response = opened.client(lb.address()).request("GET /echo HTTP/1.1\r\n"
                + "Host: www.foobar.com\r\nX-Forwarded-Proto: https\r\n\r\n", "GET");

        assertThat(response.status()).isEqualTo(200);
        // RFC 6797 §7.2: a policy heard over plain HTTP could have been forged on the way
        assertThat(response.header("Strict-Transport-Security")).isNull();
        assertThat(web.received.get(0).head().fields().getAll("x-forwarded-proto")).containsExactly("http");
    }

    @Test
    void aPlainRequestIsRedirectedToTheSameUrlInHttpsAndTheConnectionStaysUsable() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer lb = opened.balancer(b -> https(b).redirectToHttps(true).hsts(A_YEAR), web);
        int httpsPort = lb.httpsAddress().getPort();

        RawClient plain = opened.client(lb.address());
        RawClient.Response get = plain.request("GET /news?page=2 HTTP/1.1\r\nHost: www.foobar.com:"
                + lb.address().getPort() + "\r\n\r\n", "GET");
        RawClient.Response post = plain.request("POST /form HTTP/1.1\r\nHost: www.foobar.com\r\n"
                + "Content-Length: 5\r\n\r\nhello", "POST");
        RawClient.Response head = plain.request("HEAD / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n", "HEAD");

        assertThat(get.status()).isEqualTo(301);
        assertThat(get.reason()).isEqualTo("Moved Permanently");
        assertThat(get.header("Location")).isEqualTo("https://www.foobar.com:" + httpsPort + "/news?page=2");
        assertThat(get.header("Strict-Transport-Security")).isNull();
        assertThat(get.body()).contains("https://www.foobar.com:" + httpsPort + "/news?page=2").hasSizeLessThan(200);
        assertThat(post.status()).isEqualTo(301);
        assertThat(post.header("Location")).isEqualTo("https://www.foobar.com:" + httpsPort + "/form");
        assertThat(head.status()).isEqualTo(301);
        assertThat(head.header("Location")).isEqualTo("https://www.foobar.com:" + httpsPort + "/");
        assertThat(web.requests.get()).as("a redirected request reaches no server").isZero();

        // following the redirect
        RawClient.Response followed = browser(lb).get("/news?page=2");
        assertThat(followed.status()).isEqualTo(200);
        assertThat(followed.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
        assertThat(web.paths()).containsExactly("/news?page=2");
    }

    @Test
    void overTlsALastResponseIsFollowedByAnOrderlyCloseAndRefusalsCarryHstsToo() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer lb = opened.balancer(b -> https(b).hsts(A_YEAR), web);

        RawClient last = browser(lb);
        RawClient.Response response = last.request("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n"
                + "Connection: close\r\n\r\n", "GET");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(last.closedByServer()).isTrue();

        RawClient refused = browser(lb);
        RawClient.Response bad = refused.request("GET / HTTP/1.1\r\n\r\n", "GET");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
        assertThat(refused.closedByServer()).isTrue();
    }

    @Test
    void theHostsFirewallFilterSeesConnectionsToTheHttpsPortToo() {
        TestBackend web = opened.backend("web-1");
        AtomicInteger refused = new AtomicInteger();
        LoadBalancer lb = opened.balancer(b -> https(b).acceptFilter(ch -> {
            refused.incrementAndGet();
            ch.close();
            return false;
        }), web);

        assertThatThrownBy(() -> RawClient.overTls(lb.httpsAddress(), CA.jdkClientContext(), SITE))
                .isInstanceOf(IOException.class);
        assertThat(refused.get()).isEqualTo(1);
        assertThat(lb.openConnections()).isZero();
    }

    // ------------------------------------------------------------------ what the trace says

    @Test
    void theTraceSaysTheRequestWasEncryptedToTheBalancerAndPlaintextBehindIt() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer lb = opened.balancer(b -> https(b), web);

        String overTls = newTraceId();
        RawClient browser = browser(lb);
        browser.request(get("/", overTls), "GET");
        SSLSession session = browser.tlsSession();
        String overPlain = newTraceId();
        opened.client(lb.address()).request(get("/", overPlain), "GET");

        List<Hop> hops = lb.config().traceRecorder().trace(overTls).hops();
        Hop handshake = hop(hops, Protocol.TLS, Direction.RECEIVED);
        assertThat(handshake.summary()).isEqualTo("handshake " + session.getProtocol() + " "
                + session.getCipherSuite() + " SNI www.foobar.com");
        String clientLeg = "TLS (" + session.getProtocol() + ", " + session.getCipherSuite() + ")";
        assertThat(field(hop(hops, Protocol.HTTP, Direction.RECEIVED), "Client leg")).isEqualTo(clientLeg);
        Hop forwarded = forwarded(hops);
        assertThat(forwarded.summary())
                .endsWith("; encrypted from the client to lb-test, plaintext from lb-test to web-1");
        assertThat(field(forwarded, "Client leg")).isEqualTo(clientLeg);
        assertThat(field(forwarded, "Server leg")).isEqualTo("plaintext");

        List<Hop> plainHops = lb.config().traceRecorder().trace(overPlain).hops();
        assertThat(plainHops).noneMatch(h -> h.protocol() == Protocol.TLS);
        assertThat(forwarded(plainHops).summary())
                .endsWith("; plaintext from the client to lb-test, plaintext from lb-test to web-1");
        assertThat(field(forwarded(plainHops), "Client leg")).isEqualTo("plaintext");
    }

    // ------------------------------------------------------------------ re-encrypting to the servers

    @Test
    void theBalancerSpeaksTlsToItsServerVerifiesItsCertificateAndKeepsTheConnection() throws Exception {
        TestBackend web = tlsBackend("web-1", SITE_CERTIFICATE);
        LoadBalancer lb = opened.balancer(b -> reEncrypting(https(b)), web);

        String first = newTraceId();
        String second = newTraceId();
        RawClient browser = browser(lb);
        RawClient.Response one = browser.request(get("/echo", first), "GET");
        RawClient.Response two = browser.request(get("/echo", second), "GET");

        assertThat(one.status()).isEqualTo(200);
        assertThat(two.status()).isEqualTo(200);
        assertThat(web.received).hasSize(2);
        assertThat(web.received.get(0).head().fields().get("x-forwarded-proto")).isEqualTo("https");
        // one connection, one handshake, asking for the site by name
        assertThat(web.connections.get()).isEqualTo(1);
        assertThat(web.serverNamesAsked).containsExactly(SITE);

        List<Hop> hops = lb.config().traceRecorder().trace(first).hops();
        Hop handshake = hop(hops, Protocol.TLS, Direction.SENT);
        assertThat(handshake.summary()).startsWith("lb-test -> web-1: handshake TLSv1.3 ")
                .endsWith(", certificate verified for www.foobar.com");
        Hop forwarded = forwarded(hops);
        assertThat(forwarded.summary())
                .endsWith("; encrypted from the client to lb-test, encrypted from lb-test to web-1");
        assertThat(field(forwarded, "Server leg")).isEqualTo("TLS, certificate verified for www.foobar.com");
        assertThat(field(forwarded, "Connection to the server")).contains("TLS handshake TLSv1.3");
        List<Hop> secondHops = lb.config().traceRecorder().trace(second).hops();
        assertThat(secondHops).noneMatch(h -> h.protocol() == Protocol.TLS);
        assertThat(field(forwarded(secondHops), "Connection to the server"))
                .isEqualTo("kept-alive connection, request 2 on it (no new TLS handshake)");

        // the health check speaks TLS too (HAProxy's check-ssl)
        CheckResult check = lb.checkNow("web-1").get(5, TimeUnit.SECONDS);
        assertThat(check.status()).isEqualTo(CheckStatus.L7OK);
        assertThat(web.awaitHealthChecks(1, 5, TimeUnit.SECONDS)).isTrue();
        assertThat(web.serverNamesAsked).containsExactly(SITE, SITE);
    }

    @Test
    void aServerWhoseCertificateNoCaSignedFailsAsAConnectionFailureSayingWhy() throws Exception {
        TestBackend impostor = tlsBackend("web-1", TestCertificates.selfSigned(SITE));
        LoadBalancer lb = opened.balancer(b -> reEncrypting(https(b)).hsts(A_YEAR).retries(1).redispatch(false),
                impostor);

        String traceId = newTraceId();
        RawClient.Response response = browser(lb).request(get("/", traceId), "GET");

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).contains("could not be reached: L6RSP certificate not trusted");
        // the balancer's own page goes over TLS too, and carries the policy
        assertThat(response.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");
        assertThat(impostor.requests.get()).as("nothing was sent to it").isZero();
        assertThat(impostor.connections.get()).as("the attempt and its retry").isEqualTo(2);
        List<Hop> failures = lb.config().traceRecorder().trace(traceId).hops().stream()
                .filter(h -> h.protocol() == Protocol.TCP && h.direction() == Direction.SENT).toList();
        assertThat(failures).hasSize(2).allSatisfy(h -> assertThat(field(h, "Problem"))
                .startsWith("L6RSP certificate not trusted: it does not chain to the CA the balancer trusts"));
        assertThat(lb.backend().server("web-1").orElseThrow().lastFailure().describe())
                .startsWith("L6RSP (certificate not trusted").endsWith("seen on traffic");
        assertThat(lb.stats().servers().get(0).connectionErrors()).isEqualTo(2);
    }

    @Test
    void aServerWhoseCertificateNamesAnotherHostIsRefusedAndTheRequestGoesElsewhere() throws Exception {
        TestBackend wrongName = tlsBackend("web-1", CA.issue("other.example"));
        TestBackend right = tlsBackend("web-2", SITE_CERTIFICATE);
        LoadBalancer lb = opened.balancer(b -> reEncrypting(https(b)).retries(1), wrongName, right);

        RawClient browser = browser(lb);
        RawClient.Response one = browser.get("/");
        RawClient.Response two = browser.get("/");

        // round robin sends one of the two to web-1 first: refused, it is redispatched to web-2
        assertThat(one.status()).isEqualTo(200);
        assertThat(two.status()).isEqualTo(200);
        assertThat(one.header("X-Backend-Server")).isEqualTo("web-2");
        assertThat(two.header("X-Backend-Server")).isEqualTo("web-2");
        assertThat(wrongName.requests.get()).isZero();
        assertThat(lb.backend().server("web-1").orElseThrow().lastFailure().info())
                .startsWith("name mismatch: the certificate is not for www.foobar.com");

        CheckResult check = lb.checkNow("web-1").get(5, TimeUnit.SECONDS);
        assertThat(check.status()).isEqualTo(CheckStatus.L6RSP);
        assertThat(check.info()).startsWith("name mismatch");
        assertThat(wrongName.healthChecks.get()).isZero();
    }

    @Test
    void aTcpCheckOverTlsPassesOnlyWhenTheHandshakeAndTheCertificateDo() throws Exception {
        TestBackend right = tlsBackend("web-1", SITE_CERTIFICATE);
        TestBackend impostor = tlsBackend("web-2", TestCertificates.selfSigned(SITE));
        LoadBalancer lb = opened.balancer(b -> reEncrypting(b).check(HealthCheckConfig.defaults()
                .withInter(Duration.ofHours(1)).withType(HealthCheckConfig.CheckType.TCP)), right, impostor);

        CheckResult passed = lb.checkNow("web-1").get(5, TimeUnit.SECONDS);
        CheckResult failed = lb.checkNow("web-2").get(5, TimeUnit.SECONDS);

        assertThat(passed.status()).isEqualTo(CheckStatus.L6OK);
        assertThat(passed.info()).isEqualTo("TLS, certificate verified for www.foobar.com");
        assertThat(failed.status()).isEqualTo(CheckStatus.L6RSP);
        assertThat(failed.info()).startsWith("certificate not trusted");
    }

    @Test
    void aBrowserThatDoesNotTrustTheSiteCertificateGetsNothingAndTheBalancerGoesOn() throws IOException {
        TestBackend web = opened.backend("web-1");
        LoadBalancer lb = opened.balancer(b -> b.tls(TestCertificates.selfSigned(SITE).serverContext()).httpsPort(0),
                web);

        assertThatThrownBy(() -> RawClient.overTls(lb.httpsAddress(), CA.jdkClientContext(), SITE))
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(web.requests.get()).isZero();
        assertThat(RawClient.get(lb.address(), "/").status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void settingsThatCannotWorkAreRefusedWithTheReason() {
        TestBackend web = opened.backend("web-1");
        assertThatThrownBy(() -> https(Balancers.config(web).mode(Mode.TCP)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mode http");
        assertThatThrownBy(() -> Balancers.config(web).redirectToHttps(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redirectToHttps needs tls");
        assertThatThrownBy(() -> Balancers.config(web).hsts(A_YEAR).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RFC 6797 §7.2");
        assertThatThrownBy(() -> Balancers.config(web).backendTls(CA.clientContext()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backendServerName");
        assertThatThrownBy(() -> Balancers.config(web).tls(CA.clientContext()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server-side");

        BalancerConfig config = reEncrypting(https(Balancers.config(web))).httpsPort(8443).redirectToHttps(true)
                .hsts(A_YEAR).build();
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(Balancers.config(web).build().tls()).isNull();
    }

    // ------------------------------------------------------------------ helpers

    private static String newTraceId() {
        return String.format("%016x%016x", TRACES.incrementAndGet(), 0xa3ce929d0e0e4736L);
    }

    private static String get(String path, String traceId) {
        return "GET " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\ntraceparent: 00-" + traceId
                + "-00f067aa0ba902b7-01\r\n\r\n";
    }

    private static Hop hop(List<Hop> hops, Protocol protocol, Direction direction) {
        return hops.stream().filter(h -> h.protocol() == protocol && h.direction() == direction).findFirst()
                .orElseThrow(() -> new AssertionError("no " + protocol + " " + direction + " hop in " + hops));
    }

    /** The head forwarded to a server: the HTTP hop sent whose summary is the balancer's decision. */
    private static Hop forwarded(List<Hop> hops) {
        return hops.stream().filter(h -> h.protocol() == Protocol.HTTP && h.direction() == Direction.SENT
                && h.summary().startsWith("lb-test chose")).findFirst()
                .orElseThrow(() -> new AssertionError("no forwarded hop in " + hops));
    }

    private static String field(Hop hop, String name) {
        return hop.fields().stream().filter(f -> f.name().equals(name)).map(Field::value).findFirst()
                .orElseThrow(() -> new AssertionError("no field " + name + " in " + hop.fields()));
    }
}
