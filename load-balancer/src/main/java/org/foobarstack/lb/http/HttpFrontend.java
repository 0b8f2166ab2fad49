package org.foobarstack.lb.http;

import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.stats.BalancerMetrics;
import org.foobarstack.lb.stats.FrontendCounters;
import org.foobarstack.lb.tls.ServerTls;
import org.foobarstack.trace.RateLimitedLog;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * {@code mode http}: builds each client connection's pipeline, and owns the connections to the servers that
 * the client connections share.
 *
 * <pre>
 *   [SslHandler] → IdleStateHandler (timeout client) → HttpRequestParser → ResponseHeadEncoder → FrontendHandler
 * </pre>
 * The parser is the web server's own (module http-codec), with the same limits by default: a request the web
 * server would refuse, the balancer refuses the same way, before any server sees it.
 *
 * <p>The HTTPS listener's connections ({@link #initTlsClientChannel}) have the same pipeline behind an
 * SslHandler holding the site's certificate: TLS is terminated there, and from the parser on a request is the
 * same whichever port it came in by. What differs is said where it matters: {@code X-Forwarded-Proto: https}
 * to the server, {@code Strict-Transport-Security} to the client, no redirect, and the trace's "Client leg".
 */
public final class HttpFrontend {

    private static final ResponseHeadEncoder RESPONSE_HEAD_ENCODER = new ResponseHeadEncoder();
    /** Shorter than the web server's 60 s keep-alive timeout, so the server never closes a connection under us. */
    private static final Duration SERVER_IDLE_TIMEOUT = Duration.ofSeconds(20);

    private final ProxyContext context;

    public HttpFrontend(BalancerConfig config, Backend backend, FrontendCounters frontend, BalancerMetrics metrics,
                        InetAddress self, Class<? extends Channel> channelType,
                        Consumer<Server.Transition> onTransition, ServerTls serverTls, IntSupplier httpsPort) {
        BackendConnections connections = new BackendConnections(channelType, self, config.timeouts().connect(),
                SERVER_IDLE_TIMEOUT, serverTls);
        // RFC 6797 §6.1.1: max-age in seconds; nothing else (includeSubDomains would bind every subdomain too)
        String hsts = config.hsts() == null ? null : "max-age=" + config.hsts().toSeconds();
        this.context = new ProxyContext(config, backend, connections, frontend, metrics, self,
                new RateLimitedLog(LoggerFactory.getLogger("org.foobarstack.lb")), onTransition, new DateHeader(),
                hsts, httpsPort);
    }

    /**
     * A connection to the HTTPS listener: TLS first, with the site's certificate ({@code bind :443 ssl crt}),
     * then the same pipeline as a plain one. The client has {@code timeout client} to finish its handshake, as it
     * has to send a request.
     */
    public void initTlsClientChannel(SocketChannel ch) {
        SslHandler tls = context.config().tls().newHandler(ch.alloc());
        tls.setHandshakeTimeoutMillis(Math.max(1, context.config().timeouts().client().toMillis()));
        ch.pipeline().addLast("tls", tls);
        initClientChannel(ch);
    }

    public void initClientChannel(SocketChannel ch) {
        BalancerConfig config = context.config();
        ch.pipeline().addLast("timeout", new IdleStateHandler(config.timeouts().client().toMillis(), 0, 0,
                TimeUnit.MILLISECONDS));
        ch.pipeline().addLast("parser", new HttpRequestParser(config.limits(), config.traceRecorder()::enabled));
        ch.pipeline().addLast("responseHead", RESPONSE_HEAD_ENCODER);
        ch.pipeline().addLast("proxy", new FrontendHandler(context));
    }

    /** Closes the kept-alive idle connections to a server removed from the backend. */
    public void closeIdleConnections(Server server) {
        context.connections().closeIdle(server);
    }

    /** Closes every connection to the servers; with {@code reset}, abruptly. */
    public void closeServerConnections(boolean reset) {
        for (Channel ch : List.copyOf(context.connections().openChannels())) {
            if (reset && ch.isActive()) {
                try {
                    ch.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException ignored) {
                    // closed meanwhile
                }
            }
            ch.close();
        }
    }
}
