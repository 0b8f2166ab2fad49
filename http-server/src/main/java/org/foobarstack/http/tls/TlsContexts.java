package org.foobarstack.http.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The server-side TLS configuration: the JDK's own TLS engine (no native library), TLS 1.3 and 1.2 only, and ALPN
 * offering http/1.1 alone, so that a browser never tries HTTP/2 on this port.
 *
 * <p>What a TLS server needs, step by step:
 * <ol>
 *   <li>its private key and certificate chain (leaf first), read from the local CA's PEM files, without the
 *       root (see {@link #withoutTrustAnchor});</li>
 *   <li>a key store holding them, from which a key manager picks the certificate to present in the handshake
 *       (RFC 8446 §4.4.2);</li>
 *   <li>an {@link SSLContext} built on that key manager: the JDK's TLS engine;</li>
 *   <li>Netty's {@link JdkSslContext} around it, which makes one TLS engine per connection with our protocol
 *       versions; {@link #newServerHandler} adds our ALPN choice to each.</li>
 * </ol>
 */
public final class TlsContexts {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final String[] ALPN_PROTOCOLS = {ApplicationProtocolNames.HTTP_1_1};
    /**
     * The key store lives in memory only, so its key protection guards nothing: JKS protects keys with a cheap
     * scheme, where PKCS #12 runs a password-based key derivation of 10,000 rounds to store the key and again to
     * read it, a visible part of the start-up time.
     */
    private static final String IN_MEMORY_STORE_TYPE = "JKS";
    /** The in-memory store's password protects nothing and just satisfies the API. */
    private static final char[] IN_MEMORY_PASSWORD = new char[0];
    private static final String KEY_ALIAS = "server";

    private TlsContexts() {
    }

    public static SslContext forServer(LocalCertificateAuthority ca) throws IOException {
        PrivateKey key = PemFiles.readPrivateKey(ca.serverKey());
        List<X509Certificate> chain = withoutTrustAnchor(PemFiles.readCertificates(ca.serverCertificateChain()));
        SSLContext jdkContext;
        try {
            KeyStore store = KeyStore.getInstance(IN_MEMORY_STORE_TYPE);
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, IN_MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, IN_MEMORY_PASSWORD);
            jdkContext = SSLContext.getInstance("TLS");
            jdkContext.init(keyManagers.getKeyManagers(), null, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the TLS context from " + ca.serverCertificateChain() + ": " + e, e);
        }
        return new JdkSslContext(jdkContext, false, null, IdentityCipherSuiteFilter.INSTANCE, null,
                ClientAuth.NONE, PROTOCOLS, false);
    }

    /**
     * The chain to present, without the self-signed root at its end. A client trusts a server because it already
     * holds the root that signed the chain (curl's {@code --cacert}, a browser's store): a root sent by the server
     * proves nothing, since anyone can sign a root of their own, so RFC 8446 §4.4.2 lets the server leave it out,
     * and nginx and HAProxy send what their certificate file holds, usually the leaf and intermediates. Left out,
     * a client without our CA says what is really missing ("unable to get local issuer certificate") instead of
     * pointing at a root it was sent ("self-signed certificate in certificate chain").
     */
    static List<X509Certificate> withoutTrustAnchor(List<X509Certificate> chain) {
        if (chain.size() < 2) {
            return chain;
        }
        X509Certificate last = chain.get(chain.size() - 1);
        boolean selfSigned = last.getSubjectX500Principal().equals(last.getIssuerX500Principal());
        return selfSigned ? chain.subList(0, chain.size() - 1) : chain;
    }

    /**
     * The TLS handler for one accepted connection (step 4), offering http/1.1 alone in ALPN (RFC 7301 §3.2): a
     * browser that would prefer h2 then speaks HTTP/1.1 with us. ALPN is set on the JDK's engine directly, which
     * is all the JDK's TLS engine needs.
     */
    public static SslHandler newServerHandler(SslContext context, ByteBufAllocator allocator) {
        SslHandler handler = context.newHandler(allocator);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(ALPN_PROTOCOLS);
        engine.setSSLParameters(parameters);
        return handler;
    }
}
