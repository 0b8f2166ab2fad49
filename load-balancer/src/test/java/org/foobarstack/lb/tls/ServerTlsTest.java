package org.foobarstack.lb.tls;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.foobarstack.lb.backend.CheckStatus;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the log says when a server's certificate is refused: why, in the words of the check that failed, and once
 * per server every 10 s however many requests and checks fail meanwhile. The exceptions are the JDK's, with its
 * own messages.
 */
class ServerTlsTest {

    private final List<String> log = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ServerTls tls = new ServerTls(client(), "www.foobar.com", Duration.ofSeconds(1), "servers",
            log::add, now::get);

    @Test
    void aRefusedServerIsLoggedOncePerTenSecondsAndEachServerForItself() {
        for (int i = 0; i < 50; i++) {
            tls.refused("web-1", "127.0.0.11:8443", nameMismatch(), "a request");
        }
        tls.refused("web-2", "127.0.0.12:8443", untrusted(), "a health check");
        now.addAndGet(9_999);
        tls.refused("web-1", "127.0.0.11:8443", nameMismatch(), "a request");

        assertThat(log).hasSize(2);
        assertThat(log.get(0)).startsWith("TLS to server servers/web-1 (127.0.0.11:8443) failed on a request: "
                + "name mismatch: the certificate is not for www.foobar.com");
        assertThat(log.get(1)).startsWith("TLS to server servers/web-2 (127.0.0.12:8443) failed on a health check:"
                + " certificate not trusted");

        now.addAndGet(1);
        tls.refused("web-1", "127.0.0.11:8443", nameMismatch(), "a request");
        assertThat(log).hasSize(3);
    }

    @Test
    void eachFailureIsNamedAsACheckWouldNameIt() {
        assertThat(ServerTls.explain(nameMismatch(), "www.foobar.com"))
                .isEqualTo(new ServerTls.Refusal(CheckStatus.L6RSP, "name mismatch: the certificate is not for"
                        + " www.foobar.com (No subject alternative DNS name matching www.foobar.com found.)"));
        assertThat(ServerTls.explain(untrusted(), "www.foobar.com").reason())
                .isEqualTo("certificate not trusted: it does not chain to the CA the balancer trusts (unable to"
                        + " find valid certification path to requested target)");
        assertThat(ServerTls.explain(new SSLException("Unsupported or unrecognized SSL message"), "x").reason())
                .startsWith("the server does not speak TLS on this port");
        assertThat(ServerTls.explain(new SslHandshakeTimeoutException("handshake timed out after 10000ms"), "x"))
                .isEqualTo(new ServerTls.Refusal(CheckStatus.L6TOUT, "TLS handshake timed out"));
    }

    private static SSLHandshakeException nameMismatch() {
        SSLHandshakeException e = new SSLHandshakeException(
                "No subject alternative DNS name matching www.foobar.com found.");
        e.initCause(new CertificateException("No subject alternative DNS name matching www.foobar.com found."));
        return e;
    }

    private static SSLHandshakeException untrusted() {
        SSLHandshakeException e = new SSLHandshakeException("PKIX path building failed: "
                + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification"
                + " path to requested target");
        e.initCause(new java.security.cert.CertPathBuilderException(
                "unable to find valid certification path to requested target"));
        return e;
    }

    private static io.netty.handler.ssl.SslContext client() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
