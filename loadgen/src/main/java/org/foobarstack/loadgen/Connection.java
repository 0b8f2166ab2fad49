package org.foobarstack.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpResponseError;
import org.foobarstack.httpcodec.parser.HttpResponseParser;
import org.foobarstack.httpcodec.parser.HttpViolation;
import org.foobarstack.httpcodec.parser.ParserLimits;
import org.foobarstack.httpcodec.parser.ReceivedResponseHead;
import org.foobarstack.httpcodec.request.RequestHead;
import org.foobarstack.httpcodec.request.RequestHeadEncoder;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One of a run's connection slots: at most one TCP connection at a time, carrying at most one request at a time
 * (no pipelining), kept open between requests when the server allows it (keep-alive), and replaced by a new one
 * when it fails or the server closes it.
 *
 * <pre>
 *            send()                  connected                 last byte of the response
 *   CLOSED ──────────► CONNECTING ─────────────► BUSY ──────────────────────────────────► IDLE ──┐
 *     ▲                    │                      │ ▲          (Connection: close → CLOSED)      │
 *     │   refused,         │      reset, timeout, │ └──────────────── send() ────────────────────┘
 *     └── connect timeout ─┴────── protocol ──────┘
 * </pre>
 *
 * The run's first connection is opened before its clock starts ({@link #openAhead}), so it goes from CONNECTING
 * straight to IDLE, or back to CLOSED.
 *
 * <p>Each request's deadline is a timer set when the connection takes it: intended start plus the timeout. Whatever
 * the request is doing when the timer fires (still connecting, or waiting for the response) it fails, and the
 * connection is closed: a late response on a reused connection would be read as the answer to the next request.
 *
 * <p>Every method runs on the run's event loop thread. Events from a connection that was already given up
 * (closed by a timeout, say) may still arrive afterwards; each channel's handler checks that its channel is still
 * this slot's current one, and ignores them otherwise.
 *
 * <p>Whenever a request ends, this slot first puts itself back in order (closed or idle) and only then tells the
 * run, because the run may hand it the next request straight away.
 */
final class Connection {

    enum State { CLOSED, CONNECTING, IDLE, BUSY }

    /** Stateless, so every connection of every run shares it. */
    private static final RequestHeadEncoder ENCODER = new RequestHeadEncoder();

    private final LoadRun run;
    private final int id;

    private State state = State.CLOSED;
    private Channel channel;
    private HttpResponseParser parser;
    /** The request this slot carries, or -1. */
    private long request = -1;
    private ScheduledFuture<?> deadline;
    /** The status of the final response being read, or -1 before its head has arrived. */
    private int status = -1;
    private boolean keepAlive;
    /** The counted header's value in the final response, or null: not there, not arrived yet, or none counted. */
    private String headerValue;
    /** For a connection opened ahead of any request: what to do once it is open, or has failed to open. */
    private Runnable whenOpened;

    Connection(LoadRun run, int id) {
        this.run = run;
        this.id = id;
    }

    boolean isOpen() {
        return state == State.IDLE;
    }

    /** Takes request {@code request}: writes it now if the connection is open, else opens one first. */
    void send(long request) {
        this.request = request;
        this.status = -1;
        this.headerValue = null;
        long delay = run.deadlineNanos(request) - System.nanoTime();
        deadline = run.loop().schedule(this::onDeadline, Math.max(0, delay), TimeUnit.NANOSECONDS);
        if (state == State.IDLE) {
            write();
        } else {
            connect();
        }
    }

    /**
     * Runs one request and a canned response through this class's pipeline in memory, without a socket. The first
     * time a JVM runs code it loads and initialises its classes, which for the codec and Netty's buffers takes tens
     * of milliseconds; done during the first real request, that time would be measured as the server's latency.
     */
    static void rehearse(RequestHead head) {
        HttpResponseParser responseParser = new HttpResponseParser(ParserLimits.responseDefaults());
        EmbeddedChannel channel = new EmbeddedChannel(ENCODER, responseParser);
        try {
            responseParser.expectResponseTo(head.method());
            channel.writeOutbound(head);
            channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                    StandardCharsets.ISO_8859_1));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Opens the connection before it has a request to carry, then runs {@code then}, whether it opened or not. */
    void openAhead(Runnable then) {
        whenOpened = then;
        connect();
    }

    /**
     * Forgets the request this slot carries and closes the connection: the run is ending.
     *
     * @return the request that was outstanding, or -1
     */
    long abandon() {
        long abandoned = request;
        request = -1;
        whenOpened = null;
        cancelDeadline();
        closeChannel();
        return abandoned;
    }

    private void connect() {
        state = State.CONNECTING;
        HttpResponseParser responseParser = new HttpResponseParser(ParserLimits.responseDefaults());
        Bootstrap bootstrap = run.bootstrap().clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                LoadConfig config = run.config();
                if (config.tls() != null) {
                    // HTTPS: the handshake runs first; a request written before it ends waits in the handler
                    io.netty.handler.ssl.SslHandler tls = config.tls().newHandler(ch.alloc(), config.serverName(),
                            config.target().getPort());
                    javax.net.ssl.SSLParameters parameters = tls.engine().getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the name must be on the certificate
                    tls.engine().setSSLParameters(parameters);
                    ch.pipeline().addLast(tls);
                }
                ch.pipeline().addLast(ENCODER, responseParser, new Reader(ch));
            }
        });
        LoadConfig config = run.config();
        ChannelFuture connecting = config.sourceAddress() == null
                ? bootstrap.connect(config.target())
                : bootstrap.connect(config.target(), new InetSocketAddress(config.sourceAddress(), 0));
        // known from now on, so that the handler can tell this attempt's events from an older channel's
        channel = connecting.channel();
        parser = responseParser;
        connecting.addListener(done -> onConnected(connecting));
    }

    private void onConnected(ChannelFuture connecting) {
        if (connecting.channel() != channel || state != State.CONNECTING) {
            return; // given up already (its deadline passed, or the run ended)
        }
        if (whenOpened != null) {
            Runnable then = whenOpened;
            whenOpened = null;
            if (connecting.isSuccess()) {
                state = State.IDLE;
            } else {
                closeChannel();
            }
            then.run();
            return;
        }
        if (connecting.isSuccess()) {
            write();
            return;
        }
        Throwable cause = connecting.cause();
        // ConnectTimeoutException is a ConnectException too, so it is asked about first
        FailureKind kind = cause instanceof ConnectTimeoutException ? FailureKind.CONNECT_TIMEOUT : FailureKind.REFUSED;
        fail(kind, describe(cause), null);
    }

    private void write() {
        state = State.BUSY;
        // the parser must know the method before the answer arrives: the answer to a HEAD has no body
        parser.expectResponseTo(run.config().method());
        Channel ch = channel;
        ChannelFuture written;
        if (run.body().length > 0) {
            ch.write(run.requestHead());
            written = ch.writeAndFlush(Unpooled.wrappedBuffer(run.body()));
        } else {
            written = ch.writeAndFlush(run.requestHead());
        }
        written.addListener(w -> {
            if (!w.isSuccess() && ch == channel && state == State.BUSY) {
                fail(FailureKind.RESET, describe(w.cause()), null);
            }
        });
    }

    private void onResponseHead(ReceivedResponseHead head) {
        if (head.isInterim()) {
            return; // a 100 Continue or the like: the final response follows
        }
        status = head.status().code();
        keepAlive = head.keepAlive();
        // the parser has already split the fields; a run that counts no header does not even look at them
        String counted = run.countedField();
        if (counted != null) {
            headerValue = HeaderCounter.valueIn(head.fields(), counted);
        }
    }

    private void onLastBodyPart() {
        long answered = request;
        int answeredStatus = status;
        String answeredValue = headerValue;
        request = -1;
        cancelDeadline();
        if (keepAlive) {
            state = State.IDLE;
        } else {
            closeChannel(); // the server said it closes after this response ("Connection: close")
        }
        run.answered(this, answered, answeredStatus, answeredValue);
    }

    private void onResponseError(HttpResponseError error) {
        if (error.violation() == HttpViolation.INCOMPLETE_RESPONSE) {
            // the bytes were fine, the connection went away: that is a reset, not a protocol error
            fail(FailureKind.RESET, error.message(), null);
        } else {
            fail(FailureKind.PROTOCOL, error.message(), error.violation().name());
        }
    }

    private void onDeadline() {
        deadline = null;
        if (request < 0) {
            return;
        }
        long millis = run.config().timeout().toMillis();
        if (state == State.CONNECTING) {
            fail(FailureKind.CONNECT_TIMEOUT, "not connected within " + millis + " ms", null);
        } else {
            fail(FailureKind.TIMEOUT, (status < 0 ? "no response" : "no complete response") + " within "
                    + millis + " ms", null);
        }
    }

    /** The request fails; the connection is closed, since what it would carry next cannot be trusted. */
    private void fail(FailureKind kind, String detail, String violation) {
        long failed = request;
        request = -1;
        cancelDeadline();
        closeChannel();
        run.failed(this, failed, kind, detail, violation);
    }

    private void closeChannel() {
        Channel ch = channel;
        channel = null;
        parser = null;
        state = State.CLOSED;
        if (ch != null) {
            ch.close();
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    @Override
    public String toString() {
        return "connection " + id + " " + state;
    }

    /** The end of one channel's pipeline: passes its events on to the slot, as long as it is the slot's channel. */
    private final class Reader extends ChannelInboundHandlerAdapter {

        private final Channel ch;

        Reader(Channel ch) {
            this.ch = ch;
        }

        private boolean current() {
            return ch == channel;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!current()) {
                    return;
                }
                if (state != State.BUSY) {
                    // bytes on an idle connection (the parser reports them as an unsolicited response)
                    closeChannel();
                } else if (msg instanceof ReceivedResponseHead head) {
                    onResponseHead(head);
                } else if (msg instanceof HttpBodyPart part) {
                    if (part.isLast() && status >= 0) {
                        onLastBodyPart();
                    }
                } else if (msg instanceof HttpResponseError error) {
                    onResponseError(error);
                }
            } finally {
                ReferenceCountUtil.release(msg); // body parts hold buffers; heads and errors hold none
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!current()) {
                return;
            }
            if (state == State.BUSY) {
                fail(FailureKind.RESET, status < 0
                        ? "the server closed the connection before any byte of the response"
                        : "the server closed the connection before the end of the response", null);
            } else {
                closeChannel(); // an idle connection the server closed: the next request opens a new one
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!current()) {
                ctx.close();
                return;
            }
            if (state == State.BUSY) {
                fail(FailureKind.RESET, describe(cause), null);
            } else {
                closeChannel();
            }
        }
    }
}
