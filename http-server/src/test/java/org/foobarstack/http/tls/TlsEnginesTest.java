package org.foobarstack.http.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import org.foobarstack.http.tls.TlsContexts.TlsEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both TLS engines speak the same TLS: a client cannot tell them apart except by speed. Each engine's context
 * serves a one-line reply over a real socket to the JDK's TLS client, which checks what a browser would: the
 * protocol version, the chain it was sent, and the ALPN answer.
 */
class TlsEnginesTest {

    @TempDir
    static Path dir;

    private static LocalCertificateAuthority ca;
    private static EventLoopGroup group;

    @BeforeAll
    static void createAuthority() throws Exception {
        ca = LocalCertificateAuthority.openOrCreate(dir.resolve("tls"), List.of("foobar.com", "www.foobar.com"));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoop() {
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void boringSslIsTheEngineOnLinuxX8664() throws Exception {
        boolean linuxX8664 = System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").equals("amd64");
        TlsEngine expected = linuxX8664 ? TlsEngine.BORINGSSL : TlsEngine.JDK;
        assertThat(TlsContexts.preferredEngine()).isEqualTo(expected);
        assertThat(TlsContexts.engineOf(TlsContexts.forServer(ca))).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void eachEngineBuildsTheContextItIsAskedFor(TlsEngine engine) throws Exception {
        assertThat(TlsContexts.engineOf(TlsContexts.forServer(ca, engine))).isEqualTo(engine);
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void tls13TheLeafAloneAndHttp11InAlpnWhateverTheEngine(TlsEngine engine) throws Exception {
        SslContext context = TlsContexts.forServer(ca, engine);
        Channel server = serve(context);
        try (SSLSocket socket = (SSLSocket) trustingTheCa().getSocketFactory()
                .createSocket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();

            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
            var chain = socket.getSession().getPeerCertificates();
            assertThat(chain).hasSize(1);
            assertThat(((X509Certificate) chain[0]).getSubjectAlternativeNames())
                    .extracting(name -> name.get(1).toString()).contains("www.foobar.com");
            assertThat(new String(socket.getInputStream().readNBytes(3), StandardCharsets.US_ASCII))
                    .isEqualTo("ok\n");
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    private static Channel serve(SslContext context) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(TlsContexts.newServerHandler(context, ch.alloc()));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.copiedBuffer("ok\n", StandardCharsets.US_ASCII));
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private static SSLContext trustingTheCa() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca.caCertificate())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, factory.getTrustManagers(), null);
        return ssl;
    }
}
