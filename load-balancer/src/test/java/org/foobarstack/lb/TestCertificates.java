package org.foobarstack.lb;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Certificates made for the tests, as a site's operator would have them: a certificate authority, a certificate
 * for www.foobar.com that it signs, and, for what must be refused, certificates it did not sign or that name
 * another host. EC P-256 keys, SHA-256 signatures, a day of validity.
 */
final class TestCertificates {

    /** A certificate and its key; {@code chain} is the certificate, then the CA's when a CA signed it. */
    record Issued(PrivateKey key, X509Certificate... chain) {

        /** A server-side context presenting this certificate, as the site's {@code bind :443 ssl crt}. */
        SslContext serverContext() {
            try {
                return SslContextBuilder.forServer(key, chain).protocols("TLSv1.3", "TLSv1.2").build();
            } catch (SSLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A certificate authority: what a client trusts, and what signs the servers' certificates. */
    record Authority(KeyPair keys, X509Certificate certificate) {

        /** A server certificate for {@code dnsName}, signed by this CA. */
        Issued issue(String dnsName) {
            KeyPair server = newKeyPair();
            X509Certificate leaf = build(new X500Name("CN=" + dnsName), server, subject(), keys.getPrivate(), false,
                    dnsName);
            return new Issued(server.getPrivate(), leaf, certificate);
        }

        private X500Name subject() {
            return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        }

        /** The balancer's side of trusting it: HAProxy's {@code ca-file}. */
        SslContext clientContext() {
            try {
                return SslContextBuilder.forClient().trustManager(certificate).protocols("TLSv1.3", "TLSv1.2")
                        .build();
            } catch (SSLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A browser's side of trusting it: the JDK's own TLS client, with this CA as its only anchor. */
        SSLContext jdkClientContext() {
            try {
                KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
                anchors.load(null, null);
                anchors.setCertificateEntry("ca", certificate);
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(anchors);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), new SecureRandom());
                return context;
            } catch (GeneralSecurityException | java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestCertificates() {
    }

    static Authority authority(String commonName) {
        KeyPair keys = newKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        return new Authority(keys, build(name, keys, name, keys.getPrivate(), true, null));
    }

    /** A certificate for {@code dnsName} that signs itself: no CA vouches for it. */
    static Issued selfSigned(String dnsName) {
        KeyPair keys = newKeyPair();
        X500Name name = new X500Name("CN=" + dnsName);
        return new Issued(keys.getPrivate(), build(name, keys, name, keys.getPrivate(), false, dnsName));
    }

    private static X509Certificate build(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey signer,
                                         boolean ca, String dnsName) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    subjectKeys.getPublic());
            if (ca) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false,
                                new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                        .addExtension(Extension.subjectAlternativeName, false,
                                new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e, e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
