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
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Builds and signs the certificates of the {@link LocalCertificateAuthority} with BouncyCastle (the JDK has no
 * public API to build a certificate), and writes them as PEM files.
 *
 * <p>Kept apart from {@link LocalCertificateAuthority} so that BouncyCastle's classes load only when a certificate
 * is made, at first start: they come from signed jars, whose signatures the JVM checks on first use, which costs
 * a noticeable part of a second.
 */
final class CertificateIssuer {

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Browsers refuse server certificates valid for longer than 398 days. */
    private static final Duration SERVER_VALIDITY = Duration.ofDays(397);
    /** Certificates start being valid a little in the past, so that a clock slightly behind still accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final int PEM_LINE_LENGTH = 64;

    private CertificateIssuer() {
    }

    /** Creates a new CA: a key pair and a self-signed certificate that may sign others (basicConstraints cA). */
    static void createAuthority(Path caCertificate, Path caKey) throws GeneralSecurityException, IOException {
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
        X509Certificate certificate = sign(builder, keys.getPrivate());
        writeAtomically(caKey, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
        writeAtomically(caCertificate, pem("CERTIFICATE", certificate.getEncoded()), false);
    }

    /**
     * Creates the server's key pair and a certificate for {@code siteNames} (plus localhost and 127.0.0.1) signed
     * by the CA, and writes the chain (server certificate, then CA certificate) and the key.
     */
    static void createServerCertificate(Path caCertificate, Path caKey, Path serverCertificateChain, Path serverKey,
                                        List<String> siteNames) throws GeneralSecurityException, IOException {
        X509Certificate ca = PemFiles.readCertificates(caCertificate).get(0);
        PrivateKey caPrivate = PemFiles.readPrivateKey(caKey);
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
        X509Certificate certificate = sign(builder, caPrivate);
        writeAtomically(serverKey, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
        writeAtomically(serverCertificateChain,
                pem("CERTIFICATE", certificate.getEncoded()) + pem("CERTIFICATE", ca.getEncoded()), false);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws GeneralSecurityException {
        ContentSigner signer;
        try {
            signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signingKey);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + SIGNATURE_ALGORITHM + ": " + e.getMessage(), e);
        }
        X509CertificateHolder holder = builder.build(signer);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    /** Random positive 128-bit serial numbers, as CAs must use unpredictable ones (CA/B Forum BR §7.1). */
    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }

    /** RFC 7468 §2: base64 in lines of 64 characters between BEGIN and END lines naming the label. */
    private static String pem(String label, byte[] der) {
        String base64 = Base64.getMimeEncoder(PEM_LINE_LENGTH, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
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
