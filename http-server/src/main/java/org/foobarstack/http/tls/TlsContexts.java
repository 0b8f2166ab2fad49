package org.foobarstack.http.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The server-side TLS configuration: TLS 1.3 and 1.2 only, and ALPN offering http/1.1 alone, so that a browser
 * never tries HTTP/2 on this port.
 *
 * <p>Two TLS engines can do the work, and which one runs is chosen once, when the context is built:
 * <ul>
 *   <li>{@link TlsEngine#BORINGSSL}: Google's fork of OpenSSL, the library Chrome and Envoy use, loaded from
 *       netty-tcnative's native library. It is what nginx and HAProxy are measured with (they link OpenSSL), and
 *       its handshakes and record encryption cost a fraction of the JDK's: the default wherever it loads;</li>
 *   <li>{@link TlsEngine#JDK}: the JDK's own engine, pure Java, always present: the fallback where the native
 *       library cannot load (another CPU or C library), or when asked for with
 *       {@code -Dfoobarstack.tls.engine=jdk} (to compare the two, as {@code bench/http} does).</li>
 * </ul>
 * The protocol on the wire is the same either way; only the speed differs.
 *
 * <p>What a TLS server needs, step by step:
 * <ol>
 *   <li>its private key and certificate chain (leaf first), read from the local CA's PEM files, without the
 *       root (see {@link #withoutTrustAnchor});</li>
 *   <li>BoringSSL takes the key and chain as they are; the JDK's engine wants them in a key store, from which
 *       a key manager picks the certificate to present in the handshake (RFC 8446 §4.4.2);</li>
 *   <li>no trust anchors: the server asks no client for a certificate, so it needs none to check one with
 *       ({@link #noTrustAnchors});</li>
 *   <li>Netty's {@link SslContext} around the engine, which makes one TLS engine per connection with our
 *       protocol versions and our ALPN choice ({@link #newServerHandler}).</li>
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

    /** Which library encrypts: see the class comment. */
    public enum TlsEngine { BORINGSSL, JDK }

    /** The system property that asks for the JDK's engine even where BoringSSL loads. */
    public static final String ENGINE_PROPERTY = "foobarstack.tls.engine";

    /** The server context with the engine {@link #preferredEngine()} names. */
    public static SslContext forServer(LocalCertificateAuthority ca) throws IOException {
        return forServer(ca, preferredEngine());
    }

    public static SslContext forServer(LocalCertificateAuthority ca, TlsEngine engine) throws IOException {
        PrivateKey key = PemFiles.readPrivateKey(ca.serverKey());
        List<X509Certificate> chain = withoutTrustAnchor(PemFiles.readCertificates(ca.serverCertificateChain()));
        return engine == TlsEngine.BORINGSSL ? boringSsl(key, chain) : jdk(ca, key, chain);
    }

    /**
     * BoringSSL where its native library loads, unless {@code -Dfoobarstack.tls.engine=jdk} says otherwise; the
     * JDK's engine everywhere else. Loading the library is a one-time cost of a few tens of milliseconds.
     */
    public static TlsEngine preferredEngine() {
        if ("jdk".equalsIgnoreCase(System.getProperty(ENGINE_PROPERTY, ""))) {
            return TlsEngine.JDK;
        }
        return OpenSsl.isAvailable() ? TlsEngine.BORINGSSL : TlsEngine.JDK;
    }

    /** Which engine a context built here runs on, for logs and the start-up banner. */
    public static TlsEngine engineOf(SslContext context) {
        return context instanceof JdkSslContext ? TlsEngine.JDK : TlsEngine.BORINGSSL;
    }

    private static SslContext boringSsl(PrivateKey key, List<X509Certificate> chain) throws IOException {
        try {
            return SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                    .sslProvider(SslProvider.OPENSSL)
                    // Netty hands the key to BoringSSL through a key store of this type: see IN_MEMORY_STORE_TYPE
                    .keyStoreType(IN_MEMORY_STORE_TYPE)
                    .trustManager(noTrustAnchors())
                    .protocols(PROTOCOLS)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            // a client that offers only h2 gets no ALPN answer and may go on with http/1.1
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ALPN_PROTOCOLS))
                    .build();
        } catch (SSLException | GeneralSecurityException e) {
            throw new IOException("cannot build the BoringSSL context: " + e, e);
        }
    }

    private static SslContext jdk(LocalCertificateAuthority ca, PrivateKey key, List<X509Certificate> chain)
            throws IOException {
        SSLContext jdkContext;
        try {
            KeyStore store = KeyStore.getInstance(IN_MEMORY_STORE_TYPE);
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, IN_MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, IN_MEMORY_PASSWORD);
            jdkContext = SSLContext.getInstance("TLS");
            jdkContext.init(keyManagers.getKeyManagers(), noTrustAnchors().getTrustManagers(), null);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the TLS context from " + ca.serverCertificateChain() + ": " + e, e);
        }
        return new JdkSslContext(jdkContext, false, null, IdentityCipherSuiteFilter.INSTANCE, null,
                ClientAuth.NONE, PROTOCOLS, false);
    }

    /**
     * The trust a server needs when it asks no client for a certificate (ClientAuth.NONE, RFC 8446 §4.3.2):
     * none, an empty trust store. Left unset, both engines load the JDK's default one (cacerts, about 140 roots)
     * as the context is built, about 150 ms of a start on the machine of bench/startup, for certificates
     * this server is never shown.
     */
    private static TrustManagerFactory noTrustAnchors() throws GeneralSecurityException {
        KeyStore empty = KeyStore.getInstance(IN_MEMORY_STORE_TYPE);
        try {
            empty.load(null, null);
        } catch (IOException e) {
            throw new KeyStoreException("an empty in-memory key store could not be made", e);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(empty);
        return factory;
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
     * The TLS handler for one accepted connection, offering http/1.1 alone in ALPN (RFC 7301 §3.2): a browser
     * that would prefer h2 then speaks HTTP/1.1 with us. BoringSSL's contexts carry the ALPN choice already; on
     * the JDK's engine it is set on the engine directly, which is all that engine needs.
     */
    public static SslHandler newServerHandler(SslContext context, ByteBufAllocator allocator) {
        SslHandler handler = context.newHandler(allocator);
        if (context instanceof JdkSslContext) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setApplicationProtocols(ALPN_PROTOCOLS);
            engine.setSSLParameters(parameters);
        }
        return handler;
    }
}
