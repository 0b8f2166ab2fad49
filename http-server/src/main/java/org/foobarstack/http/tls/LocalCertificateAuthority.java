package org.foobarstack.http.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
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
 * ones), and carries the serverAuth extended key usage. Keys are ECDSA P-256. BouncyCastle builds and signs the
 * certificates; the JDK's TLS engine uses them.
 */
public final class LocalCertificateAuthority {

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(397);
    /** Certificates start being valid a little in the past, so that a clock slightly behind still accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);

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
                ca.createAuthority();
            }
            if (!Files.exists(ca.serverCertificateChain) || !Files.exists(ca.serverKey)) {
                ca.createServerCertificate(siteNames);
            }
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
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

    private void createAuthority() throws GeneralSecurityException, IOException,
            org.bouncycastle.operator.OperatorCreationException {
        KeyPair keys = newKeyPair();
        X500Name name = new X500Name("CN=foobar-stack local CA, O=foobar-stack");
        Instant now = Instant.now();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), name, keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        utils.createSubjectKeyIdentifier(keys.getPublic()));
        X509Certificate certificate = sign(builder, keys);
        writeAtomically(caKey, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
        writeAtomically(caCertificate, pem("CERTIFICATE", certificate.getEncoded()), false);
        // a new CA invalidates any server certificate signed by an old one
        Files.deleteIfExists(serverCertificateChain);
        Files.deleteIfExists(serverKey);
    }

    private void createServerCertificate(List<String> siteNames) throws GeneralSecurityException, IOException,
            org.bouncycastle.operator.OperatorCreationException {
        X509Certificate ca = readCertificate(caCertificate);
        java.security.PrivateKey caPrivate = PemFiles.readPrivateKey(caKey);
        KeyPair keys = newKeyPair();
        Instant now = Instant.now();
        GeneralName[] names = new GeneralName[siteNames.size() + 2];
        for (int i = 0; i < siteNames.size(); i++) {
            names[i] = new GeneralName(GeneralName.dNSName, siteNames.get(i));
        }
        names[siteNames.size()] = new GeneralName(GeneralName.dNSName, "localhost");
        names[siteNames.size() + 1] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), serial(),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(SERVER_VALIDITY)),
                new X500Name("CN=" + siteNames.get(0)), keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        utils.createSubjectKeyIdentifier(keys.getPublic()));
        ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(caPrivate);
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        writeAtomically(serverKey, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
        writeAtomically(serverCertificateChain,
                pem("CERTIFICATE", certificate.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()), false);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair keys)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keys.getPrivate());
        X509CertificateHolder holder = builder.build(signer);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    /** Random positive 128-bit serial numbers, as CAs must use unpredictable ones (CA/B Forum BR §7.1). */
    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }

    static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
    }

    private static String pem(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Writes to a temporary file and renames it, so that a crash never leaves half a key behind. */
    private static void writeAtomically(Path file, String content, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions are all we have
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
