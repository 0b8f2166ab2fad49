package org.foobarstack.launcher;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.foobarstack.launcher.hosts.LbTierRuntime;

/**
 * One GET over TLS to a balancer, trusting only its certificate authority and speaking to it as www.foobar.com (SNI
 * and the name check), as a browser would after DNS gave it the address; the whole response as text.
 */
final class BalancerTls {

    private BalancerTls() {
    }

    static String get(LbTierRuntime lb, InetSocketAddress https, String path) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream pem = Files.newInputStream(lb.caCertificate())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        try (Socket tcp = new Socket(https.getAddress(), https.getPort());
             SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "www.foobar.com",
                     https.getPort(), true)) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the name must be on the certificate
            tls.setSSLParameters(parameters);
            tls.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
