package org.foobarstack.lb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.foobarstack.lb.backend.CheckStatus;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The balancer as a TLS client of its servers, HAProxy's
 * {@code server web-1 10.0.0.11:8443 ssl verify required ca-file ca.pem sni str(www.foobar.com)} with
 * {@code check-ssl} for the health checks. Every connection to a server, a request's or a check's, starts with a
 * TLS handshake in which the balancer checks the server's certificate twice (RFC 9110 §4.3.4):
 * <ol>
 *   <li><b>trusted</b>: it chains to the CA the balancer was given (the trust anchor in {@code backendTls});
 *       a self-signed certificate, or one from another CA, is refused;</li>
 *   <li><b>for the right name</b>: it carries {@code backendServerName} ("www.foobar.com") among its subject
 *       alternative names (RFC 6125 §6). The name is also sent as SNI (RFC 6066 §3), so that a server holding
 *       several certificates presents this site's.</li>
 * </ol>
 * Either failure ends the handshake, and the attempt counts as a connection failure to that server: it is retried
 * as HAProxy's {@code retry-on conn-failure} retries "connection or SSL handshake" failures, and counted as a
 * failed check ({@code L6RSP}). Why it failed is logged once per server every 10 s: a server with a wrong
 * certificate fails every request and every check, and one line says it as well as a thousand.
 *
 * <p>Verifying is what makes re-encrypting worth it: without it, anyone able to intercept the balancer's
 * connections inside the network could present any certificate and read everything.
 */
public final class ServerTls {

    /** One log line per server per this many milliseconds, whatever the number of failures in between. */
    static final long LOG_EVERY_MILLIS = 10_000;

    private final SslContext context;
    private final String serverName;
    private final Duration handshakeTimeout;
    private final String backendName;
    private final Consumer<String> log;
    private final LongSupplier clock;
    /** When each server's last refusal was logged, by server name. */
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    /**
     * @param context          a client-side context whose trust manager holds the CA (the {@code ca-file})
     * @param serverName       the name the servers' certificates must carry, sent as SNI too
     * @param handshakeTimeout how long a server may take to finish its handshake: {@code timeout server}, since
     *                         the handshake is the server's first answer
     * @param backendName      the backend's name, for the log ("servers")
     */
    public ServerTls(SslContext context, String serverName, Duration handshakeTimeout, String backendName) {
        this(context, serverName, handshakeTimeout, backendName,
                LoggerFactory.getLogger("org.foobarstack.lb")::warn, System::currentTimeMillis);
    }

    ServerTls(SslContext context, String serverName, Duration handshakeTimeout, String backendName,
              Consumer<String> log, LongSupplier clock) {
        this.context = Objects.requireNonNull(context, "context");
        this.serverName = Objects.requireNonNull(serverName, "serverName");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.backendName = backendName;
        this.log = log;
        this.clock = clock;
    }

    /** The name the servers' certificates must carry. */
    public String serverName() {
        return serverName;
    }

    /** What the trace says of a connection to a server once its handshake passed. */
    public String leg() {
        return "TLS, certificate verified for " + serverName;
    }

    /**
     * The TLS handler that goes first in a connection's pipeline to {@code server}. The checks are set on the
     * engine itself, whatever the context was built with: verifying the name is not optional here
     * ({@code verify required}).
     */
    public SslHandler newHandler(ByteBufAllocator allocator, InetSocketAddress server) {
        SslHandler handler = context.newHandler(allocator, serverName, server.getPort());
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        // "HTTPS": the certificate must name the host, by the rules of RFC 2818 §3.1 that RFC 9110 §4.3.4 keeps
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        engine.setSSLParameters(parameters);
        handler.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeout.toMillis()));
        return handler;
    }

    /**
     * Why a handshake with a server failed, as a check result would say it; logged once per server per 10 s.
     *
     * @param server        the server's name, "web-1"
     * @param serverAddress "10.0.0.11:8443"
     * @param seenBy        "a request" or "a health check", for the log
     */
    public Refusal refused(String server, String serverAddress, Throwable cause, String seenBy) {
        Refusal refusal = explain(cause, serverName);
        if (dueForLog(server, clock.getAsLong())) {
            log.accept("TLS to server " + backendName + "/" + server + " (" + serverAddress + ") failed on "
                    + seenBy + ": " + refusal.reason() + ". Requests to it fail as connection failures until it"
                    + " presents a certificate for " + serverName + " signed by the trusted CA (logged once per "
                    + LOG_EVERY_MILLIS / 1000 + " s per server).");
        }
        return refusal;
    }

    private boolean dueForLog(String server, long now) {
        Long before = lastLogged.get(server);
        if (before != null && now - before < LOG_EVERY_MILLIS) {
            return false;
        }
        // two event loops may see the same server fail at once: only the one whose update lands logs
        return before == null ? lastLogged.putIfAbsent(server, now) == null : lastLogged.replace(server, before, now);
    }

    /**
     * Why a handshake failed, in the words of the two checks ("certificate not trusted", "name mismatch"), from
     * the JDK's exception: its trust manager throws a certificate-path exception for the first, and a
     * CertificateException naming the host for the second.
     */
    static Refusal explain(Throwable cause, String expectedName) {
        String innermost = innermostMessage(cause);
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SslHandshakeTimeoutException) {
                return new Refusal(CheckStatus.L6TOUT, "TLS handshake timed out");
            }
            if (t instanceof CertificateExpiredException) {
                return new Refusal(CheckStatus.L6RSP, "certificate expired (" + t.getMessage() + ")");
            }
            if (t instanceof CertificateNotYetValidException) {
                return new Refusal(CheckStatus.L6RSP, "certificate not yet valid (" + t.getMessage() + ")");
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return notTrusted(innermost);
            }
            if (t instanceof NotSslRecordException) {
                return notTls();
            }
            if (t instanceof ClosedChannelException) {
                return new Refusal(CheckStatus.L6RSP, "the server closed the connection during the TLS handshake");
            }
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.contains("No subject alternative") || message.contains("No name matching")) {
                return new Refusal(CheckStatus.L6RSP, "name mismatch: the certificate is not for " + expectedName
                        + " (" + message + ")");
            }
            if (message.contains("PKIX path") || message.contains("unable to find valid certification path")) {
                return notTrusted(innermost);
            }
            if (message.contains("Unsupported or unrecognized SSL message")) {
                return notTls();
            }
        }
        return new Refusal(CheckStatus.L6RSP, "TLS handshake failed (" + innermost + ")");
    }

    private static Refusal notTrusted(String detail) {
        return new Refusal(CheckStatus.L6RSP, "certificate not trusted: it does not chain to the CA the balancer"
                + " trusts (" + detail + ")");
    }

    private static Refusal notTls() {
        return new Refusal(CheckStatus.L6RSP, "the server does not speak TLS on this port (its first bytes were"
                + " not a TLS record: plain HTTP?)");
    }

    private static String innermostMessage(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Whether a failure belongs to the TLS layer rather than to TCP. */
    public static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof SslHandshakeTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why a server's handshake failed.
     *
     * @param status {@code L6RSP}, or {@code L6TOUT} when it did not finish in time
     * @param reason "certificate not trusted: ...", "name mismatch: ..."
     */
    public record Refusal(CheckStatus status, String reason) {
    }

    /** What a connection attempt fails with when its handshake failed: a connection failure, with the reason. */
    public static final class HandshakeFailed extends SSLException {
        private final transient Refusal refusal;

        public HandshakeFailed(Refusal refusal, Throwable cause) {
            super(refusal.reason(), cause);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }
}
