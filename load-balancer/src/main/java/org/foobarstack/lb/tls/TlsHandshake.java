package org.foobarstack.lb.tls;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/**
 * What one finished TLS handshake agreed on, for the trace: the protocol version, the cipher suite, and the
 * server name the client asked for (SNI, RFC 6066 §3).
 *
 * @param version     "TLSv1.3"
 * @param cipherSuite "TLS_AES_256_GCM_SHA384"
 * @param serverName  the SNI name, or null when none was sent (a client that asked by address)
 * @param startNanos  when the handshake began (the TCP connection's accept or connect)
 * @param endNanos    when it finished
 */
public record TlsHandshake(String version, String cipherSuite, String serverName, long startNanos, long endNanos) {

    /** Reads a finished handshake's session. */
    public static TlsHandshake of(SSLSession session, long startNanos, long endNanos) {
        String sni = null;
        if (session instanceof ExtendedSSLSession extended) {
            try {
                for (SNIServerName name : extended.getRequestedServerNames()) {
                    if (name instanceof SNIHostName host) {
                        sni = host.getAsciiName();
                    }
                }
            } catch (UnsupportedOperationException e) {
                // a client-side session does not keep what it asked for: the caller knows it
            }
        }
        return new TlsHandshake(session.getProtocol(), session.getCipherSuite(), sni, startNanos,
                Math.max(startNanos, endNanos));
    }

    /** The same handshake, naming the server the client asked for (a client session does not keep it). */
    public TlsHandshake withServerName(String name) {
        return new TlsHandshake(version, cipherSuite, name, startNanos, endNanos);
    }

    /** "TLSv1.3, TLS_AES_256_GCM_SHA384". */
    public String describe() {
        return version + ", " + cipherSuite;
    }

    public long durationMillis() {
        return (endNanos - startNanos) / 1_000_000;
    }
}
