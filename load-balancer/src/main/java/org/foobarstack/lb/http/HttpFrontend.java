package org.foobarstack.lb.http;

import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.foobarstack.httpcodec.parser.HttpRequestParser;
import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.httpcodec.response.ResponseHeadEncoder;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.stats.BalancerMetrics;
import org.foobarstack.lb.stats.FrontendCounters;
import org.foobarstack.trace.RateLimitedLog;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code mode http}: builds each client connection's pipeline, and owns the connections to the servers that
 * the client connections share.
 *
 * <pre>
 *   IdleStateHandler (timeout client) → HttpRequestParser → ResponseHeadEncoder → FrontendHandler
 * </pre>
 * The parser is the web server's own (module http-codec), with the same limits by default: a request the web
 * server would refuse, the balancer refuses the same way, before any server sees it.
 */
public final class HttpFrontend {

    private static final ResponseHeadEncoder RESPONSE_HEAD_ENCODER = new ResponseHeadEncoder();
    /** Shorter than the web server's 60 s keep-alive timeout, so the server never closes a connection under us. */
    private static final Duration SERVER_IDLE_TIMEOUT = Duration.ofSeconds(20);

    private final ProxyContext context;

    public HttpFrontend(BalancerConfig config, Backend backend, FrontendCounters frontend, BalancerMetrics metrics,
                        InetAddress self, Class<? extends Channel> channelType,
                        Consumer<Server.Transition> onTransition) {
        BackendConnections connections = new BackendConnections(channelType, self, config.timeouts().connect(),
                SERVER_IDLE_TIMEOUT);
        this.context = new ProxyContext(config, backend, connections, frontend, metrics, self,
                new RateLimitedLog(LoggerFactory.getLogger("org.foobarstack.lb")), onTransition, new DateHeader());
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
