package org.foobarstack.http.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/**
 * The server-side TLS configuration: the JDK's own TLS engine (no native library), TLS 1.3 and 1.2 only, and ALPN
 * offering http/1.1 alone, so that a browser never tries HTTP/2 on this port.
 */
public final class TlsContexts {

    private TlsContexts() {
    }

    public static SslContext forServer(LocalCertificateAuthority ca) throws SSLException {
        return SslContextBuilder.forServer(ca.serverCertificateChain().toFile(), ca.serverKey().toFile())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }
}
