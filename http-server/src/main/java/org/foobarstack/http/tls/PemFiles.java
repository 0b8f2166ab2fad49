package org.foobarstack.http.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files this package writes, with the JDK alone: a PEM file is base64 text between
 * {@code -----BEGIN <label>-----} and {@code -----END <label>-----} lines (RFC 7468 §2).
 *
 * <p>Reading needs no BouncyCastle, so a restart with an existing certificate authority does not load it:
 * BouncyCastle is only needed to build and sign new certificates at first start.
 */
final class PemFiles {

    /** RFC 7468 §10: the label of an unencrypted PKCS #8 private key. */
    private static final String PRIVATE_KEY_LABEL = "PRIVATE KEY";
    /** The keys this package writes are ECDSA P-256 (see {@link LocalCertificateAuthority}). */
    private static final String KEY_ALGORITHM = "EC";

    private PemFiles() {
    }

    static PrivateKey readPrivateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + PRIVATE_KEY_LABEL + "-----";
        String end = "-----END " + PRIVATE_KEY_LABEL + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(file + " does not hold a PKCS #8 private key (no '" + begin + "' block)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the private key is not valid base64: " + e.getMessage(), e);
        }
        try {
            return KeyFactory.getInstance(KEY_ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " does not hold an " + KEY_ALGORITHM + " private key: " + e.getMessage(), e);
        }
    }

    /** Every certificate in a PEM file, in file order: for a chain, the leaf first. */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .stream().map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " does not hold X.509 certificates: " + e.getMessage(), e);
        }
    }
}
