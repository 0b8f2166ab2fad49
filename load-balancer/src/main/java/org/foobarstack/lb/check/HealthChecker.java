package org.foobarstack.lb.check;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.foobarstack.httpcodec.parser.HttpResponseError;
import org.foobarstack.httpcodec.parser.HttpResponseParser;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.httpcodec.parser.ReceivedResponseHead;
import org.foobarstack.httpcodec.request.RequestHead;
import org.foobarstack.httpcodec.request.RequestHeadEncoder;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.CheckResult;
import org.foobarstack.lb.backend.CheckStatus;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.tls.ServerTls;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Active health checks, HAProxy's {@code check}: every {@code inter}, each checked server is asked whether it
 * is alive, and {@link Server#recordCheck} turns the answers into UP and DOWN.
 *
 * <p>One check, step by step:
 * <ol>
 *   <li>open a TCP connection to the server, from the balancer's own address, within the check timeout. Refused
 *       or reset: {@code L4CON}; no answer: {@code L4TOUT}. For a TCP check the connection itself is the
 *       answer: {@code L4OK}, and it is closed at once;</li>
 *   <li>when the balancer speaks TLS to its servers ({@code backendTls}), the check does too, as HAProxy's
 *       {@code check-ssl}: the handshake must pass, with the server's certificate verified, or the check fails
 *       with {@code L6RSP} ("certificate not trusted", "name mismatch") or {@code L6TOUT}. A TCP check ends
 *       there: {@code L6OK}. A server whose certificate is wrong is thus taken out by its checks, before
 *       requests find out one by one;</li>
 *   <li>for an HTTP check, send {@code GET /health HTTP/1.1} with {@code Connection: close} and read the answer
 *       with the same response parser the proxy uses: 2xx or 3xx is {@code L7OK}, another status
 *       {@code L7STS}, something that is not HTTP {@code L7RSP}, silence past the timeout {@code L7TOUT};</li>
 *   <li>record the result and schedule the next check {@code inter} after this one started.</li>
 * </ol>
 * A server in MAINT is not checked (an operator took it out; HAProxy stops its checks too), one in DRAIN is.
 * The first checks of the servers are spread over the first interval, so that they do not all fire at once; until
 * its first check a server is assumed UP, as HAProxy assumes, and a failure seen on traffic counts all the same.
 *
 * <p>A server added while the balancer runs ({@link #add}) is checked at once and then every {@code inter}: it
 * starts DOWN, and the sooner its checks begin, the sooner it rises. A server removed ({@link #remove}) leaves
 * the schedule: its next check is cancelled, and a check that was already running when it left is neither
 * recorded nor followed by another one.
 */
public final class HealthChecker implements AutoCloseable {

    private static final RequestHeadEncoder ENCODER = new RequestHeadEncoder();

    private final Backend backend;
    private final HealthCheckConfig config;
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final InetAddress sourceAddress;
    private final Consumer<Server.Transition> onTransition;
    private final LongSupplier wallClock;
    /** TLS to the servers ({@code check-ssl}), or null for plain checks. */
    private final ServerTls serverTls;
    /** The next check of each server under check, guarded by this; a server not in it is not checked again. */
    private final Map<Server, ScheduledFuture<?>> nextCheck = new HashMap<>();
    private volatile boolean closed;

    /**
     * @param sourceAddress the address checks leave from (the balancer's), so a server's logs and firewall see
     *                      the balancer; null lets the kernel choose
     * @param onTransition  told when a server goes UP or DOWN
     */
    public HealthChecker(Backend backend, HealthCheckConfig config, EventLoopGroup group,
                         Class<? extends Channel> channelType, InetAddress sourceAddress,
                         Consumer<Server.Transition> onTransition, LongSupplier wallClock) {
        this(backend, config, group, channelType, sourceAddress, onTransition, wallClock, null);
    }

    /**
     * @param serverTls the TLS the balancer speaks to its servers, which the checks speak too; null: plain
     */
    public HealthChecker(Backend backend, HealthCheckConfig config, EventLoopGroup group,
                         Class<? extends Channel> channelType, InetAddress sourceAddress,
                         Consumer<Server.Transition> onTransition, LongSupplier wallClock, ServerTls serverTls) {
        this.backend = backend;
        this.config = config;
        this.group = group;
        this.channelType = channelType;
        this.sourceAddress = sourceAddress;
        this.onTransition = onTransition;
        this.wallClock = wallClock;
        this.serverTls = serverTls;
    }

    /** Schedules every checked server's checks, the first ones spread over the first interval. */
    public synchronized void start() {
        List<Server> checked = backend.servers().stream().filter(Server::checked).toList();
        long interNanos = config.inter().toNanos();
        for (int i = 0; i < checked.size(); i++) {
            schedule(checked.get(i), group.next(), interNanos * (i + 1) / checked.size());
        }
    }

    /**
     * Starts checking a server added while the balancer runs: its first check now, then every {@code inter}.
     * Does nothing for an unchecked server, or once the checker is closed.
     */
    public synchronized void add(Server server) {
        if (closed || !server.checked() || nextCheck.containsKey(server)) {
            return;
        }
        schedule(server, group.next(), 0);
    }

    /**
     * Stops checking a removed server: its next check is cancelled, and a check running at this moment is not
     * recorded and not followed by another.
     */
    public synchronized void remove(Server server) {
        ScheduledFuture<?> next = nextCheck.remove(server);
        if (next != null) {
            next.cancel(false);
        }
    }

    /** Whether the server is on the schedule: checked, added or configured, and not removed. */
    public synchronized boolean checking(Server server) {
        return nextCheck.containsKey(server);
    }

    private synchronized void schedule(Server server, EventLoop loop, long delayNanos) {
        nextCheck.put(server, loop.schedule(() -> runAndReschedule(server, loop), delayNanos, TimeUnit.NANOSECONDS));
    }

    private void runAndReschedule(Server server, EventLoop loop) {
        if (closed || !checking(server)) {
            return;
        }
        long started = System.nanoTime();
        CompletableFuture<CheckResult> check = server.adminState() == Server.AdminState.MAINT
                ? CompletableFuture.completedFuture(null)
                : checkNow(server);
        check.whenComplete((result, failure) -> {
            long next = Math.max(0, config.inter().toNanos() - (System.nanoTime() - started));
            synchronized (this) {
                // removed while its check ran (or the checker closed): the schedule ends here
                if (!closed && nextCheck.containsKey(server)) {
                    schedule(server, loop, next);
                }
            }
        });
    }

    /** Checks one server now and records the result; completes with it. */
    public CompletableFuture<CheckResult> checkNow(Server server) {
        CompletableFuture<CheckResult> done = new CompletableFuture<>();
        long startNanos = System.nanoTime();
        long startMillis = wallClock.getAsLong();
        Attempt attempt = new Attempt(server, done, startNanos);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, config.timeout().toMillis()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (serverTls != null) {
                            ch.pipeline().addLast("tls", serverTls.newHandler(ch.alloc(), server.address()));
                        }
                        if (config.type() == HealthCheckConfig.CheckType.HTTP) {
                            ch.pipeline().addLast(new HttpResponseParser(ParserLimits.responseDefaults()), ENCODER,
                                    attempt);
                        } else if (serverTls != null) {
                            ch.pipeline().addLast(attempt);
                        }
                    }
                });
        ChannelFuture connect = sourceAddress == null
                ? bootstrap.connect(server.address())
                : bootstrap.connect(server.address(), new InetSocketAddress(sourceAddress, 0));
        attempt.channel = connect.channel();
        // one deadline for the whole check, connect included
        connect.channel().eventLoop().schedule(() -> attempt.finish(!attempt.connected ? CheckStatus.L4TOUT
                        : attempt.handshaking ? CheckStatus.L6TOUT : CheckStatus.L7TOUT, 0,
                        "no answer within " + config.timeout().toMillis() + " ms"
                                + (attempt.handshaking ? " (TLS handshake)" : "")),
                config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                boolean timeout = cause instanceof ConnectTimeoutException;
                attempt.finish(timeout ? CheckStatus.L4TOUT : CheckStatus.L4CON, 0, connectProblem(cause));
                return;
            }
            attempt.connected = true;
            if (serverTls == null) {
                connectedAndReady(server, connect.channel(), attempt);
                return;
            }
            attempt.handshaking = true;
            SslHandler tls = connect.channel().pipeline().get(SslHandler.class);
            tls.handshakeFuture().addListener(h -> {
                attempt.handshaking = false;
                if (h.isSuccess()) {
                    connectedAndReady(server, connect.channel(), attempt);
                } else {
                    attempt.tlsFailed(h.cause());
                }
            });
        });
        return done.whenComplete((result, failure) -> {
            // a server removed while its check ran is gone: its result would change nothing and log a state
            // change of a server nobody can see any more
            if (result != null && backend.contains(server)) {
                Server.Transition transition = server.recordCheck(new CheckResult(result.status(), result.code(),
                        result.info(), result.durationMillis(), startMillis + result.durationMillis(), false));
                if (transition != null) {
                    backend.logTransition(transition);
                    onTransition.accept(transition);
                }
            }
        });
    }

    /** The connection is open (and its handshake passed, with TLS): a TCP check has its answer, an HTTP one asks. */
    private void connectedAndReady(Server server, Channel channel, Attempt attempt) {
        if (config.type() == HealthCheckConfig.CheckType.TCP) {
            if (serverTls == null) {
                attempt.finish(CheckStatus.L4OK, 0, "");
            } else {
                attempt.finish(CheckStatus.L6OK, 0, serverTls.leg());
            }
            return;
        }
        HttpResponseParser parser = channel.pipeline().get(HttpResponseParser.class);
        parser.expectResponseTo("GET");
        // over TLS the Host is the name the certificate was checked for, the site's; in plain HTTP its address
        String host = serverTls != null ? serverTls.serverName()
                : server.address().getAddress().getHostAddress() + ":" + server.address().getPort();
        channel.writeAndFlush(RequestHead.builder("GET", config.path())
                .add("Host", host)
                .add("User-Agent", "foobar-stack-lb/health-check")
                .add("Connection", "close")
                .build());
    }

    /** "Connection refused", the words a learner also sees from curl. */
    static String connectProblem(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t.getClass().getSimpleName().contains("Connect")) {
                String message = t.getMessage() == null ? "" : t.getMessage();
                if (message.contains("refused")) {
                    return "Connection refused";
                }
                if (t instanceof ConnectTimeoutException) {
                    return "connection timed out";
                }
            }
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** One check in progress: the HTTP answer, or whatever ends it first. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        private final Server server;
        private final CompletableFuture<CheckResult> done;
        private final long startNanos;
        volatile Channel channel;
        volatile boolean connected;
        /** Connected, TLS handshake under way. */
        volatile boolean handshaking;

        Attempt(Server server, CompletableFuture<CheckResult> done, long startNanos) {
            this.server = server;
            this.done = done;
            this.startNanos = startNanos;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ReceivedResponseHead head && !head.isInterim()) {
                    int code = head.status().code();
                    if (code >= 200 && code < 400) {
                        finish(CheckStatus.L7OK, code, "HTTP status " + code);
                    } else {
                        finish(CheckStatus.L7STS, code, "HTTP status " + code);
                    }
                } else if (msg instanceof HttpResponseError error) {
                    finish(CheckStatus.L7RSP, 0, error.violation().description());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(CheckStatus.L7RSP, 0, "connection closed without a response");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (serverTls != null && ServerTls.isTls(cause)) {
                tlsFailed(cause);
            } else {
                finish(CheckStatus.L4CON, 0, connectProblem(cause));
            }
        }

        /** The handshake failed: L6RSP (or L6TOUT) with the reason, logged once per server per 10 s. */
        void tlsFailed(Throwable cause) {
            if (done.isDone()) {
                return;
            }
            ServerTls.Refusal refusal = serverTls.refused(server.name(), server.address().getAddress()
                    .getHostAddress() + ":" + server.address().getPort(), cause, "a health check");
            finish(refusal.status(), 0, refusal.reason());
        }

        void finish(CheckStatus status, int code, String info) {
            long millis = (System.nanoTime() - startNanos) / 1_000_000;
            if (done.complete(new CheckResult(status, code, info, millis, 0, false))) {
                Channel ch = channel;
                if (ch != null) {
                    ch.close();
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ScheduledFuture<?> future : nextCheck.values()) {
            future.cancel(false);
        }
        nextCheck.clear();
    }

    Backend backend() {
        return backend;
    }
}
