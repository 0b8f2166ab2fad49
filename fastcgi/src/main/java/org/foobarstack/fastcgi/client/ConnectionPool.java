package org.foobarstack.fastcgi.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecordEncoder;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.NameValuePairs;
import org.foobarstack.fastcgi.RecordType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The connections of one event loop to one responder, and the calls waiting for a slot on them. Everything here
 * runs on that event loop, so nothing is locked.
 */
final class ConnectionPool {

    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    private static final FastCgiRecordEncoder ENCODER = new FastCgiRecordEncoder();

    private final EventLoop loop;
    private final InetSocketAddress address;
    private final Class<? extends Channel> channelType;
    private final FastCgiClientConfig config;
    private final List<FastCgiConnection> connections = new ArrayList<>();
    private final ArrayDeque<FastCgiCall> waiting = new ArrayDeque<>();
    private int connecting;
    private ServerCapabilities capabilities;
    private boolean probing;
    private boolean closed;

    ConnectionPool(EventLoop loop, InetSocketAddress address, Class<? extends Channel> channelType,
                   FastCgiClientConfig config) {
        this.loop = loop;
        this.address = address;
        this.channelType = channelType;
        this.config = config;
    }

    EventLoop loop() {
        return loop;
    }

    ServerCapabilities capabilities() {
        return capabilities;
    }

    int size() {
        return connections.size();
    }

    void submit(FastCgiCall call) {
        call.queued(this);
        waiting.add(call);
        dispatch();
    }

    void cancel(FastCgiCall call) {
        waiting.remove(call);
    }

    /** Gives waiting calls free slots, opening connections while below the pool size. */
    void dispatch() {
        if (closed) {
            return;
        }
        if (capabilities == null) {
            if (!probing) {
                probe();
            }
            return;
        }
        while (!waiting.isEmpty()) {
            FastCgiConnection free = null;
            for (FastCgiConnection c : connections) {
                if (c.hasFreeSlot()) {
                    free = c;
                    break;
                }
            }
            if (free != null) {
                free.start(waiting.poll());
                continue;
            }
            int limit = config.maxConnectionsPerLoop();
            if (capabilities.maxConns() > 0) {
                limit = Math.min(limit, capabilities.maxConns());
            }
            if (connecting < waiting.size() && connections.size() + connecting < limit) {
                open();
            }
            return;
        }
    }

    /** Requests one connection may carry at once: 1, or up to FCGI_MAX_REQS when the responder multiplexes. */
    private int slots() {
        return capabilities.mpxsConns()
                ? Math.max(1, Math.min(config.maxRequestsPerConnection(),
                        capabilities.maxReqs() > 0 ? capabilities.maxReqs() : Integer.MAX_VALUE))
                : 1;
    }

    private void open() {
        connecting++;
        FastCgiConnection connection = new FastCgiConnection(this, slots());
        bootstrap(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FastCgiRecordDecoder(), ENCODER, connection);
            }
        }).addListener((ChannelFuture f) -> {
            connecting--;
            if (f.isSuccess()) {
                connections.add(connection);
                dispatch();
            } else {
                failWaiting(new FastCgiClientException(FastCgiClientException.Kind.CONNECT_FAILED,
                        "cannot connect to the app tier at " + address + ": " + f.cause().getMessage(), f.cause()));
                // the responder may have restarted with other settings: ask again next time
                capabilities = null;
            }
        });
    }

    /**
     * Step 2 of {@link FastCgiClient}: GET_VALUES on a connection of its own. Calls wait meanwhile; a connect
     * failure fails them all at once, since the responder is evidently down.
     */
    private void probe() {
        probing = true;
        Map<String, String> query = new LinkedHashMap<>();
        query.put(FastCgiRecords.FCGI_MAX_CONNS, "");
        query.put(FastCgiRecords.FCGI_MAX_REQS, "");
        query.put(FastCgiRecords.FCGI_MPXS_CONNS, "");
        bootstrap(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FastCgiRecordDecoder(), ENCODER, new ProbeHandler());
            }
        }).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                probing = false;
                failWaiting(new FastCgiClientException(FastCgiClientException.Kind.CONNECT_FAILED,
                        "cannot connect to the app tier at " + address + ": " + f.cause().getMessage(), f.cause()));
                return;
            }
            Channel ch = f.channel();
            ch.writeAndFlush(FastCgiRecords.values(ch.alloc(), RecordType.GET_VALUES, query));
            ScheduledFuture<?> timeout = loop.schedule(() -> probed(ch, ServerCapabilities.NOT_MULTIPLEXING, false),
                    config.probeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            ch.closeFuture().addListener(c -> {
                timeout.cancel(false);
                probed(ch, ServerCapabilities.NOT_MULTIPLEXING, false);
            });
        });
    }

    /**
     * The answer (or its absence) decides how the pool uses connections from now on. A connection that answered
     * is kept and joins the pool (php-fpm and our app server both serve requests on it afterwards); one that did
     * not answer in time is closed, since there is no telling what state the responder is in.
     */
    private void probed(Channel ch, ServerCapabilities result, boolean answered) {
        if (!probing) {
            return;
        }
        probing = false;
        capabilities = result;
        log.debug("app tier at {} says {}", address, result);
        if (answered && ch.isActive()) {
            FastCgiConnection connection = new FastCgiConnection(this, slots());
            ch.pipeline().replace(ProbeHandler.class, "connection", connection);
            connections.add(connection);
        } else {
            ch.close();
        }
        dispatch();
    }

    /** Reads the GET_VALUES_RESULT of a probe connection. */
    private final class ProbeHandler extends SimpleChannelInboundHandler<FastCgiRecord> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FastCgiRecord record) {
            if (record.is(RecordType.GET_VALUES_RESULT)) {
                probed(ctx.channel(), ServerCapabilities.from(NameValuePairs.readMap(record.content())), true);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            probed(ctx.channel(), ServerCapabilities.NOT_MULTIPLEXING, false);
        }
    }

    private ChannelFuture bootstrap(ChannelInitializer<Channel> initializer) {
        return new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(initializer)
                .connect(address, config.sourceAddress() == null ? null
                        : new java.net.InetSocketAddress(config.sourceAddress(), 0));
    }

    /** A connection closed: its calls have been failed by it; waiting calls may need a new one. */
    void removed(FastCgiConnection connection) {
        connections.remove(connection);
        dispatch();
    }

    /** A slot became free. */
    void released() {
        dispatch();
    }

    private void failWaiting(FastCgiClientException error) {
        List<FastCgiCall> failed = new ArrayList<>(waiting);
        waiting.clear();
        for (FastCgiCall call : failed) {
            call.fail(error);
        }
    }

    void close() {
        closed = true;
        failWaiting(new FastCgiClientException(FastCgiClientException.Kind.CONNECTION_LOST, "client closed"));
        for (FastCgiConnection c : new ArrayList<>(connections)) {
            c.close();
        }
    }
}
