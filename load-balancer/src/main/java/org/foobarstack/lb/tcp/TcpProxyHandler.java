package org.foobarstack.lb.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.ReferenceCountUtil;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.CheckResult;
import org.foobarstack.lb.backend.CheckStatus;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.stats.FrontendCounters;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code mode tcp}: one client connection, relayed byte for byte to one server. Nothing is read: no header can
 * be added (the server sees the balancer's address, not the client's), and the server is chosen once per
 * connection, so every request on a kept-alive connection goes to the same server.
 *
 * <ol>
 *   <li>The client's connection is accepted but not read yet ({@code autoRead} off).</li>
 *   <li>A server is chosen (roundrobin, leastconn or source; uri needs a request, so it is refused at
 *       configuration) and connected from the balancer's address, with the same retries, turn-around and
 *       redispatch as in HTTP mode; none reachable: the client's connection is closed.</li>
 *   <li>Bytes are copied both ways. When one side's socket is full, the other side is not read until it
 *       drains, so a slow reader cannot make the balancer buffer without end.</li>
 *   <li>When either side closes, what is left is flushed to the other, which is then closed too.</li>
 * </ol>
 */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {

    private final BalancerConfig config;
    private final Backend backend;
    private final FrontendCounters frontend;
    private final InetAddress source;
    private final Consumer<Server.Transition> onTransition;
    private final Class<? extends Channel> channelType;
    private final List<Server> failed = new ArrayList<>();
    private final TraceContext trace = TraceContext.fresh();
    private Channel client;
    private Channel serverChannel;
    private Server server;
    private int retriesLeft;
    private long bytesIn;
    private long bytesOut;

    /** @param channelType the socket channel class for connections to servers (epoll or NIO, as the listener) */
    public TcpProxyHandler(BalancerConfig config, Backend backend, FrontendCounters frontend, InetAddress source,
                           Consumer<Server.Transition> onTransition, Class<? extends Channel> channelType) {
        this.config = config;
        this.backend = backend;
        this.frontend = frontend;
        this.source = source;
        this.onTransition = onTransition;
        this.channelType = channelType;
        this.retriesLeft = config.retries();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        frontend.connectionOpened();
        chooseAndConnect();
    }

    private void chooseAndConnect() {
        InetSocketAddress peer = (InetSocketAddress) client.remoteAddress();
        Backend.Choice choice = backend.choose(peer.getAddress(), null, failed);
        if (!choice.found()) {
            record("no server: " + choice.explanation(), null);
            client.close();
            return;
        }
        server = choice.server();
        server.sessionStarted();
        connect(choice.explanation());
    }

    private void connect(String decision) {
        long started = System.nanoTime();
        Bootstrap bootstrap = new Bootstrap()
                .group(client.eventLoop())
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, config.timeouts().connect().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .handler(new Relay(false));
        ChannelFuture connect = source == null
                ? bootstrap.connect(server.address())
                : bootstrap.connect(server.address(), new InetSocketAddress(source, 0));
        connect.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                serverChannel = f.channel();
                record(decision, serverChannel);
                client.pipeline().addLast(new Relay(true));
                client.pipeline().remove(this);
                client.config().setAutoRead(true);
                serverChannel.config().setAutoRead(true);
                return;
            }
            boolean timeout = f.cause() instanceof ConnectTimeoutException;
            String problem = timeout ? "connection timed out" : "Connection refused";
            server.countConnectionError();
            Server.Transition transition = server.recordCheck(new CheckResult(timeout ? CheckStatus.L4TOUT
                    : CheckStatus.L4CON, 0, problem, (System.nanoTime() - started) / 1_000_000,
                    System.currentTimeMillis(), true));
            if (transition != null) {
                backend.logTransition(transition);
                onTransition.accept(transition);
            }
            if (!client.isActive() || retriesLeft == 0) {
                server.sessionEnded();
                record(server.name() + ": " + problem + "; retries used up, closing the client's connection", null);
                client.close();
                return;
            }
            retriesLeft--;
            if (config.redispatch() && (retriesLeft == 0 || !server.usable())) {
                server.countRedispatch();
                failed.add(server);
                server.sessionEnded();
                chooseAndConnect();
            } else {
                server.countRetry();
                client.eventLoop().schedule(() -> connect(decision), config.timeouts().turnAround().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    private void record(String decision, Channel toServer) {
        TraceRecorder recorder = config.traceRecorder();
        if (!recorder.enabled()) {
            return;
        }
        long now = System.nanoTime();
        String clientText = hostPort(client.remoteAddress());
        recorder.record(recorder.hop(trace.traceId(), Protocol.TCP, Direction.RECEIVED)
                .summary(config.name() + " (mode tcp) " + decision)
                .peer(clientText)
                .timing(now, now)
                .field(Field.info("Client", clientText))
                .field(Field.info("Balancer decision", decision))
                .field(Field.info("Connection to the server", toServer == null ? "none"
                        : hostPort(toServer.localAddress()) + " -> " + hostPort(toServer.remoteAddress())))
                .field(Field.info("What mode tcp cannot do", "read the request: no X-Forwarded-For, one server for "
                        + "the whole connection"))
                .build());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // the client left while no server was connected yet
        frontend.connectionClosed();
        if (server != null && serverChannel == null) {
            server.sessionEnded();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Copies what one side reads to the other side. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        private final boolean fromClient;

        Relay(boolean fromClient) {
            this.fromClient = fromClient;
        }

        private Channel other() {
            return fromClient ? serverChannel : client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel other = other();
            if (other == null || !other.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof ByteBuf bytes) {
                if (fromClient) {
                    bytesIn += bytes.readableBytes();
                } else {
                    bytesOut += bytes.readableBytes();
                }
            }
            other.writeAndFlush(msg);
            if (!other.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel other = other();
            if (ctx.channel().isWritable() && other != null) {
                other.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (fromClient) {
                frontend.connectionClosed();
                frontend.countBytes(bytesIn, bytesOut);
                if (server != null) {
                    server.countBytes(bytesIn, bytesOut);
                    server.sessionEnded();
                }
            }
            Channel other = other();
            if (other != null && other.isActive()) {
                other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String hostPort(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
