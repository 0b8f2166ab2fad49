package org.foobarstack.lb.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.foobarstack.httpcodec.parser.HttpResponseParser;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.httpcodec.request.RequestHeadEncoder;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.tls.ServerTls;
import org.foobarstack.lb.tls.TlsHandshake;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The balancer's connections to its servers, kept open between requests (HAProxy's idle connection pool): a new
 * TCP connection per request would cost a handshake each time and leave thousands of sockets in TIME_WAIT.
 *
 * <p>Each event loop keeps its own idle connections per server, so that a request and the connection it uses
 * run on one thread and nothing here needs a lock. A request's connection:
 * <ol>
 *   <li>when reuse is allowed, {@link #pollIdle} gives the most recently used idle connection to that server (the
 *       one least likely to have been closed by the server meanwhile);</li>
 *   <li>otherwise {@link #connect} opens a new one from the balancer's own address, within
 *       {@code timeout connect}.</li>
 * </ol>
 * {@link #release} puts a connection back once its response is complete and both sides said it stays open;
 * anything else closes it. An idle connection closes itself after {@code idleTimeout}.
 *
 * <p>With {@code backendTls} a new connection is ready only once its TLS handshake has finished and the server's
 * certificate has been verified ({@link ServerTls}); a handshake that fails fails the attempt as a refused
 * connection would. Keeping connections alive matters twice as much then: each new one costs a handshake (a
 * round trip more, and the public-key operations), a reused one none.
 */
final class BackendConnections {

    private static final RequestHeadEncoder ENCODER = new RequestHeadEncoder();

    private final Class<? extends Channel> channelType;
    private final InetAddress sourceAddress;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    /** The TLS to the servers, or null when the balancer speaks plain HTTP to them. */
    private final ServerTls serverTls;
    /** Idle connections by event loop, then by server; each inner map is touched only by its loop. */
    private final Map<EventLoop, Map<Server, Deque<BackendConnection>>> idle = new ConcurrentHashMap<>();
    /** Every open connection, for closing them all when the balancer stops. */
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();

    BackendConnections(Class<? extends Channel> channelType, InetAddress sourceAddress, Duration connectTimeout,
                       Duration idleTimeout, ServerTls serverTls) {
        this.channelType = channelType;
        this.sourceAddress = sourceAddress;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.serverTls = serverTls;
    }

    /** The TLS to the servers, or null for plain HTTP. */
    ServerTls serverTls() {
        return serverTls;
    }

    /** An idle kept-alive connection to {@code server} on {@code loop}, or null when there is none. */
    BackendConnection pollIdle(Server server, EventLoop loop) {
        Map<Server, Deque<BackendConnection>> byServer = idle.get(loop);
        Deque<BackendConnection> idleHere = byServer == null ? null : byServer.get(server);
        if (idleHere == null) {
            return null;
        }
        BackendConnection connection;
        while ((connection = idleHere.pollFirst()) != null) {
            if (connection.channel().isActive()) {
                return connection;
            }
        }
        return null;
    }

    /**
     * A new connection to {@code server} on {@code loop}, from the balancer's address; with TLS, ready once its
     * handshake has passed. A failed handshake fails the future with {@link ServerTls.HandshakeFailed}.
     */
    Future<BackendConnection> connect(Server server, EventLoop loop) {
        Promise<BackendConnection> promise = loop.newPromise();
        long startNanos = System.nanoTime();
        BackendConnection connection = new BackendConnection(server, this);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (serverTls != null) {
                            ch.pipeline().addLast("tls", serverTls.newHandler(ch.alloc(), server.address()));
                        }
                        ch.pipeline().addLast(new HttpResponseParser(ParserLimits.responseDefaults()), ENCODER,
                                new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                connection);
                    }
                });
        ChannelFuture connect = sourceAddress == null
                ? bootstrap.connect(server.address())
                : bootstrap.connect(server.address(), new InetSocketAddress(sourceAddress, 0));
        open.add(connect.channel());
        connect.channel().closeFuture().addListener(f -> open.remove(connect.channel()));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
            } else if (serverTls == null) {
                promise.setSuccess(connection);
            } else {
                awaitHandshake(server, connect.channel(), connection, startNanos, promise);
            }
        });
        return promise;
    }

    /** TCP is connected: the connection is ready when the TLS handshake has passed too. */
    private void awaitHandshake(Server server, Channel channel, BackendConnection connection, long startNanos,
                                Promise<BackendConnection> promise) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        tls.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                connection.tlsEstablished(TlsHandshake.of(tls.engine().getSession(), startNanos, System.nanoTime())
                        .withServerName(serverTls.serverName()));
                promise.setSuccess(connection);
            } else {
                ServerTls.Refusal refusal = serverTls.refused(server.name(), ProxyExchange.hostPort(server.address()),
                        h.cause(), "a request");
                promise.setFailure(new ServerTls.HandshakeFailed(refusal, h.cause()));
            }
        });
    }

    /** Puts a connection back to be reused, or closes it when it cannot be. Runs on its event loop. */
    void release(BackendConnection connection, boolean reusable) {
        connection.detach();
        Channel channel = connection.channel();
        if (reusable && channel.isActive() && connection.parser().isIdle()) {
            idleFor(channel.eventLoop(), connection.server()).addFirst(connection);
        } else {
            channel.close();
        }
    }

    /** A connection closed: it must not be handed out again. Runs on its event loop. */
    void forget(BackendConnection connection) {
        Channel channel = connection.channel();
        if (channel == null) {
            return;
        }
        Map<Server, Deque<BackendConnection>> byServer = idle.get(channel.eventLoop());
        if (byServer != null) {
            Deque<BackendConnection> queue = byServer.get(connection.server());
            if (queue != null) {
                queue.remove(connection);
            }
        }
    }

    /**
     * Closes the idle connections to a server removed from the backend, on each event loop that keeps some: they
     * carry no request, and kept open they would hold a socket to a server the balancer no longer knows until
     * their idle timeout. (HAProxy purges a server's idle connections when it enters maintenance, and refuses
     * {@code del server} until they are gone.)
     */
    void closeIdle(Server server) {
        idle.forEach((loop, byServer) -> loop.execute(() -> {
            Deque<BackendConnection> idleHere = byServer.remove(server);
            if (idleHere != null) {
                for (BackendConnection connection : List.copyOf(idleHere)) {
                    connection.channel().close();
                }
            }
        }));
    }

    private Deque<BackendConnection> idleFor(EventLoop loop, Server server) {
        return idle.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(server, s -> new ArrayDeque<>());
    }

    /** Every connection that is open now, for an abrupt stop. */
    Set<Channel> openChannels() {
        return open;
    }
}
