package org.foobarstack.http.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * A certificate authority of this machine alone, and the server certificate it signs, created at first start in
 * the data directory and reused afterwards:
 *
 * <pre>
 *   &lt;dataDir&gt;/tls/ca.pem          the CA certificate: what curl --cacert and a browser's trust store take
 *   &lt;dataDir&gt;/tls/ca-key.pem      the CA's private key (owner-readable only)
 *   &lt;dataDir&gt;/tls/server.pem      the server certificate followed by the CA certificate (the chain)
 *   &lt;dataDir&gt;/tls/server-key.pem  the server's private key (owner-readable only)
 * </pre>
 *
 * Why a CA rather than one self-signed certificate: a learner trusts the CA once, and every certificate it signs
 * (one per web server instance, later) is trusted with it, exactly as with a real CA.
 *
 * <p>The server certificate names foobar.com, www.foobar.com, localhost and 127.0.0.1 in its subjectAltName
 * (clients match names there, not in the subject: RFC 6125 §6.4.4), is valid for 397 days (browsers refuse longer
 * ones), and carries the serverAuth extended key usage. Keys are ECDSA P-256. {@link CertificateIssuer} builds and
 * signs the certificates with BouncyCastle, at first start only; afterwards the JDK alone reads them ({@link
 * PemFiles}) and the JDK's TLS engine uses them.
 */
public final class LocalCertificateAuthority {

    private final Path caCertificate;
    private final Path caKey;
    private final Path serverCertificateChain;
    private final Path serverKey;

    private LocalCertificateAuthority(Path dir) {
        this.caCertificate = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca-key.pem");
        this.serverCertificateChain = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server-key.pem");
    }

    /**
     * Loads the CA and server certificate from {@code dir}, creating whichever is missing.
     *
     * @param dir       e.g. {@code <dataDir>/tls}
     * @param siteNames DNS names the server certificate must cover, e.g. foobar.com and www.foobar.com
     */
    public static LocalCertificateAuthority openOrCreate(Path dir, List<String> siteNames) throws IOException {
        Files.createDirectories(dir);
        LocalCertificateAuthority ca = new LocalCertificateAuthority(dir);
        try {
            if (!Files.exists(ca.caCertificate) || !Files.exists(ca.caKey)) {
                CertificateIssuer.createAuthority(ca.caCertificate, ca.caKey);
                // a new CA invalidates any server certificate signed by an old one
                Files.deleteIfExists(ca.serverCertificateChain);
                Files.deleteIfExists(ca.serverKey);
            }
            if (!Files.exists(ca.serverCertificateChain) || !Files.exists(ca.serverKey)) {
                CertificateIssuer.createServerCertificate(ca.caCertificate, ca.caKey,
                        ca.serverCertificateChain, ca.serverKey, siteNames);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot create the local certificate authority in " + dir + ": " + e, e);
        }
        return ca;
    }

    public Path caCertificate() {
        return caCertificate;
    }

    public Path serverCertificateChain() {
        return serverCertificateChain;
    }

    public Path serverKey() {
        return serverKey;
    }
}
