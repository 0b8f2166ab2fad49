package org.foobarstack.lb.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.foobarstack.httpcodec.parser.BodyFraming;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.HttpResponseError;
import org.foobarstack.httpcodec.parser.HttpVersion;
import org.foobarstack.httpcodec.parser.ReceivedResponseHead;
import org.foobarstack.httpcodec.request.RequestHead;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.CheckResult;
import org.foobarstack.lb.backend.CheckStatus;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.RetryOn;
import org.foobarstack.lb.tls.ServerTls;
import org.foobarstack.lb.tls.TlsHandshake;
import org.foobarstack.trace.TraceContext;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request's way through the balancer, from its head to the end of its response. Everything happens on the
 * client connection's event loop, which also runs the connection to the server.
 *
 * <ol>
 *   <li><b>Choose</b> a server ({@link Backend#choose}); none usable: 503, as HAProxy's "No server is available
 *       to handle this request".</li>
 *   <li><b>Connect</b>: take an idle kept-alive connection to it, or open one. A request that may be sent again
 *       (idempotent, no body) may use an idle connection; any other gets a fresh one, since an idle connection
 *       may have been closed by the server a moment before the request was written, and such a request must not
 *       be retried (RFC 9110 §9.2.2). While connecting, the client's body bytes wait here. With
 *       {@code backendTls}, a new connection is ready once its TLS handshake passed.</li>
 *   <li><b>Connection failed</b> (refused, timed out, or a TLS handshake that failed: a certificate not trusted
 *       or not for the expected name): the server is told (a failure seen on traffic counts as a
 *       failed check), then {@code retries} decides: the same server again after the turn-around time, or, on the
 *       last retry with {@code redispatch}, or at once when the server is already known to be down, another
 *       server. Retries used up: 503.</li>
 *   <li><b>Forward</b> the head (hop-by-hop fields dropped, X-Forwarded-For, Forwarded, Via, traceparent added:
 *       {@link ForwardedHeaders}) and stream the body, re-framed: Content-Length as sent, chunked re-chunked.
 *       A client that sent {@code Expect: 100-continue} gets its {@code 100 Continue} from the balancer, once a
 *       server is connected.</li>
 *   <li><b>Relay</b> the response: its head rewritten for the client, its body streamed (Content-Length as sent;
 *       chunked or until-close bodies re-chunked for an HTTP/1.1 client, sent until close to an HTTP/1.0 one).
 *       When either side's socket is full, reading from the other pauses.</li>
 *   <li><b>Server failed</b>: it closed before any byte of a response (an "empty response"): an idempotent
 *       request without a body is sent to another server if {@code retry-on empty-response}; anything else is
 *       502. A response that breaks HTTP's rules: 502 naming the rule. Silence past {@code timeout server}: 504.
 *       If the response had already started, the client's connection is closed instead: a status cannot be
 *       taken back.</li>
 *   <li><b>Done</b>: the server connection goes back to the pool when both sides keep it open, the counters and
 *       the trace are written, and the client connection reads its next request.</li>
 * </ol>
 */
final class ProxyExchange implements BackendConnection.Listener {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final HttpResponseHead CONTINUE = HttpResponseHead.builder(HttpStatus.CONTINUE).build();
    /** Body bytes kept while no server is connected; beyond this the client is not read until one is. */
    static final int MAX_WAITING_BODY_BYTES = 64 * 1024;

    private final ProxyContext context;
    private final FrontendHandler frontend;
    private final Channel client;
    private final HttpRequestHead request;
    private final TraceContext trace;
    private final ExchangeTrace hops;
    private final long startNanos = System.nanoTime();
    private final boolean replayable;

    // the request body from the client
    /** Body parts that arrived before a server was connected; made only for a request with a body. */
    private Deque<HttpBodyPart> waitingBody;
    private long waitingBodyBytes;
    private boolean requestComplete;
    private long requestBodyBytes;
    private boolean continueSent;

    // attempts
    /** Servers that failed this request, left out of the next choice; made only when one fails. */
    private List<Server> failedServers;
    private int retriesLeft;
    private int attempt;
    private Server server;
    private Backend.Choice decision;
    private BackendConnection backend;
    private long attemptStartNanos;
    private ScheduledFuture<?> retryTimer;

    // the response
    private boolean anyResponse;
    private boolean responseHeadSent;
    private BodyFraming clientFraming;
    private boolean clientKeepAlive;
    private boolean serverKeepAlive;
    private int status;
    private long responseBodyBytes;
    private ScheduledFuture<?> serverTimer;
    private long lastServerActivityNanos;
    private boolean finished;

    ProxyExchange(ProxyContext context, FrontendHandler frontend, HttpRequestHead request, ExchangeTrace hops) {
        this.context = context;
        this.frontend = frontend;
        this.client = frontend.channel();
        this.request = request;
        this.hops = hops;
        // W3C Trace Context §3.2: adopt a valid traceparent; a missing or invalid one starts a new trace
        this.trace = TraceContext.parseOrFresh(request.fields().get(TraceContext.HEADER));
        this.retriesLeft = context.config().retries();
        this.replayable = ForwardedHeaders.idempotent(request.method()) && !ForwardedHeaders.hasBody(request);
        this.requestComplete = !ForwardedHeaders.hasBody(request) && request.framing() != BodyFraming.CHUNKED;
    }

    String traceId() {
        return trace.traceId();
    }

    HttpRequestHead request() {
        return request;
    }

    /** True once the request's last body byte arrived from the client. */
    boolean requestComplete() {
        return requestComplete;
    }

    /** Whether the client may be read: not while body bytes wait for a server, nor while the server's socket is full. */
    boolean wantsClientBytes() {
        if (requestComplete || finished) {
            return false;
        }
        if (backend == null) {
            return waitingBodyBytes < MAX_WAITING_BODY_BYTES;
        }
        return backend.channel().isWritable();
    }

    // ---------------------------------------------------------------- 1. choose

    void start() {
        chooseAndConnect();
    }

    private void chooseAndConnect() {
        InetSocketAddress peer = (InetSocketAddress) client.remoteAddress();
        Backend.Choice choice = context.backend().choose(peer.getAddress(),
                context.config().algorithm() == org.foobarstack.lb.config.Algorithm.URI
                        ? request.target().originForm() : null, failedServers == null ? List.of() : failedServers);
        if (!choice.found()) {
            respondError(HttpStatus.SERVICE_UNAVAILABLE, attempt == 0
                            ? "No server is available to handle this request: " + choice.explanation()
                            : "No other server could take the request after " + attempt + " attempts: "
                                    + choice.explanation(),
                    "RFC 9110 §15.6.4");
            return;
        }
        server = choice.server();
        decision = choice;
        server.sessionStarted();
        connect();
    }

    // ---------------------------------------------------------------- 2. connect

    private void connect() {
        attempt++;
        attemptStartNanos = System.nanoTime();
        BackendConnection idle = replayable ? context.connections().pollIdle(server, client.eventLoop()) : null;
        if (idle != null) {
            connected(idle);
            return;
        }
        Future<BackendConnection> connecting = context.connections().connect(server, client.eventLoop());
        connecting.addListener(f -> {
            if (f.isSuccess()) {
                connected(connecting.getNow());
            } else {
                connectFailed(f.cause());
            }
        });
    }

    // ---------------------------------------------------------------- 3. connection failed

    private void connectFailed(Throwable cause) {
        if (finished) {
            return;
        }
        CheckStatus status;
        String problem;
        if (cause instanceof ServerTls.HandshakeFailed tls) {
            // HAProxy's retry-on conn-failure: "the connection or the SSL handshake failed"
            status = tls.refusal().status();
            problem = tls.refusal().reason();
        } else if (cause instanceof ConnectTimeoutException) {
            status = CheckStatus.L4TOUT;
            problem = "connection timed out";
        } else {
            status = CheckStatus.L4CON;
            problem = connectProblem(cause);
        }
        server.countConnectionError();
        observe(status, 0, problem);
        retryOrGiveUp(RetryOn.CONN_FAILURE, status.name() + " " + problem);
    }

    /**
     * After a failed attempt: try again if the retry budget and the failure's kind allow, on the same server after
     * the turn-around time or on another one at once; else answer the client.
     */
    private void retryOrGiveUp(RetryOn kind, String problem) {
        String serverAddress = hostPort(server.address());
        boolean allowed = context.config().retryOn().contains(kind) && (kind == RetryOn.CONN_FAILURE || replayable);
        if (!allowed || retriesLeft == 0) {
            String why = !allowed
                    ? (kind == RetryOn.EMPTY_RESPONSE && !replayable
                        ? "not retried: " + request.method() + " is not idempotent or had a body (RFC 9110 §9.2.2)"
                        : "not retried: retry-on does not include " + kind.keyword())
                    : "retries used up";
            hops.attemptFailed(trace.traceId(), server.name(), serverAddress, attempt, problem, why,
                    attemptStartNanos);
            endSession();
            if (kind == RetryOn.CONN_FAILURE) {
                respondError(HttpStatus.SERVICE_UNAVAILABLE, "The server " + server.name() + " could not be reached: "
                        + problem + " (" + why + ")", "RFC 9110 §15.6.4");
            } else {
                respondError(HttpStatus.BAD_GATEWAY, "The server " + server.name()
                        + " closed the connection without sending a response (" + why + ")", "RFC 9110 §15.6.3");
            }
            return;
        }
        retriesLeft--;
        boolean redispatch = context.config().redispatch()
                && (retriesLeft == 0 || !server.usable() || kind == RetryOn.EMPTY_RESPONSE);
        if (redispatch) {
            hops.attemptFailed(trace.traceId(), server.name(), serverAddress, attempt, problem,
                    "redispatch to another server", attemptStartNanos);
            server.countRedispatch();
            context.metrics().redispatch(server.name());
            failedServers().add(server);
            endSession();
            chooseAndConnect();
            return;
        }
        long wait = context.config().timeouts().turnAround().toMillis();
        int retryNumber = context.config().retries() - retriesLeft;
        hops.attemptFailed(trace.traceId(), server.name(), serverAddress, attempt, problem,
                "retry " + retryNumber + " of " + context.config().retries() + " on " + server.name() + " in "
                        + wait + " ms", attemptStartNanos);
        server.countRetry();
        context.metrics().retry(server.name());
        retryTimer = client.eventLoop().schedule(() -> {
            if (finished) {
                return;
            }
            if (context.config().redispatch() && !server.usable()) {
                // taken out meanwhile (its checks, or other requests' failures): no point trying it again
                hops.attemptFailed(trace.traceId(), server.name(), serverAddress, attempt,
                        "marked " + server.status() + " while this request waited", "redispatch to another server",
                        attemptStartNanos);
                server.countRedispatch();
                context.metrics().redispatch(server.name());
                failedServers().add(server);
                endSession();
                chooseAndConnect();
            } else {
                connect();
            }
        }, wait, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- 4. forward

    private void connected(BackendConnection connection) {
        if (finished) {
            context.connections().release(connection, true);
            return;
        }
        backend = connection;
        connection.attach(this);
        RequestHead head = ForwardedHeaders.toServer(request, ((InetSocketAddress) client.remoteAddress()).getAddress(),
                context.self(), frontend.overTls() ? "https" : "http", context.config().name(),
                trace.child().toHeader());
        connection.parser().expectResponseTo(request.method());
        Channel server = connection.channel();
        server.write(head, server.voidPromise());
        if (hops.enabled()) {
            TlsHandshake tls = connection.tls();
            String serverLeg = tls == null ? ExchangeTrace.PLAINTEXT : context.connections().serverTls().leg();
            if (tls != null && !connection.reused()) {
                hops.serverHandshake(trace.traceId(), this.server.name(), hostPort(this.server.address()), tls,
                        serverLeg);
            }
            hops.forwarded(trace.traceId(), this.server.name(), hostPort(this.server.address()), head,
                    decision.explanation(), connection.reused()
                            ? "kept-alive connection, request " + connection.requests() + " on it"
                                    + (tls == null ? "" : " (no new TLS handshake)")
                            : "new connection from " + hostPort((InetSocketAddress) server.localAddress())
                                    + (tls == null ? "" : ", TLS handshake " + tls.describe() + " in "
                                            + tls.durationMillis() + " ms"),
                    attempt, attemptStartNanos, serverLeg,
                    context.config().tls() != null || context.connections().serverTls() != null);
        }
        if (request.expectContinue() && !continueSent && !requestComplete) {
            // RFC 9110 §10.1.1: the client waits for this before it sends its body
            continueSent = true;
            client.writeAndFlush(CONTINUE);
        }
        if (waitingBody != null) {
            HttpBodyPart part;
            while ((part = waitingBody.pollFirst()) != null) {
                writeBody(part);
            }
        }
        waitingBodyBytes = 0;
        server.flush();
        armServerTimer();
        frontend.updateReading();
    }

    /** A body part from the client: passed on, or kept until a server is connected. */
    void clientBodyPart(HttpBodyPart part) {
        requestBodyBytes += part.content().readableBytes();
        if (part.isLast()) {
            requestComplete = true;
        }
        if (finished) {
            part.release();
            return;
        }
        if (backend == null) {
            if (waitingBody == null) {
                waitingBody = new ArrayDeque<>();
            }
            waitingBody.addLast(part);
            waitingBodyBytes += part.content().readableBytes();
        } else {
            writeBody(part);
            backend.channel().flush();
        }
        frontend.updateReading();
    }

    /**
     * Writes one body part with the framing announced to the server: as is, or as a chunk. Writes here take the
     * channel's void promise: nothing waits on them one by one (a failed write closes the channel, which the
     * exchange hears of), and a promise per write would be one more object per message.
     */
    private void writeBody(HttpBodyPart part) {
        Channel server = backend.channel();
        ByteBuf content = part.content();
        boolean last = part.isLast();
        if (request.framing() == BodyFraming.CHUNKED) {
            writeChunk(server, content, last);
            part.release();
        } else if (content.isReadable()) {
            server.write(part.content(), server.voidPromise());
        } else {
            part.release();
        }
    }

    // ---------------------------------------------------------------- 5. relay the response

    @Override
    public void fromServer(Object message) {
        if (finished) {
            ReferenceCountUtil.release(message);
            return;
        }
        armServerTimer();
        if (message instanceof ReceivedResponseHead head) {
            anyResponse = true;
            if (!head.isInterim()) {
                responseHead(head);
            }
        } else if (message instanceof HttpBodyPart part) {
            anyResponse = true;
            responseBody(part);
        } else if (message instanceof HttpResponseError error) {
            anyResponse = true;
            serverBroken(error);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    private void responseHead(ReceivedResponseHead head) {
        status = head.status().code();
        serverKeepAlive = head.keepAlive();
        // counted when the status is known, as HAProxy does: a client may read the whole answer before the end
        // of it has been seen here
        server.countResponse(status);
        context.frontend().countResponse(status);
        if (status >= 500) {
            observe(CheckStatus.L7STS, status, "HTTP status " + status + " on " + request.requestLine());
        } else {
            observe(CheckStatus.L7OK, status, "");
        }
        boolean noBody = !head.hasBody();
        boolean http10Client = request.version() == HttpVersion.HTTP_1_0;
        if (noBody) {
            clientFraming = BodyFraming.NONE;
        } else if (head.framing() == BodyFraming.CONTENT_LENGTH) {
            clientFraming = BodyFraming.CONTENT_LENGTH;
        } else {
            // chunked or until-close: an HTTP/1.1 client gets chunks, an HTTP/1.0 one reads until the close
            clientFraming = http10Client ? BodyFraming.UNTIL_CLOSE : BodyFraming.CHUNKED;
        }
        clientKeepAlive = request.keepAlive() && clientFraming != BodyFraming.UNTIL_CLOSE && !frontend.closing();
        HttpResponseHead out = ForwardedHeaders.toClient(head, clientFraming, clientKeepAlive, request.version(),
                context.config().name(), server.name(),
                frontend.overTls() ? context.strictTransportSecurity() : null);
        client.write(out, client.voidPromise());
        responseHeadSent = true;
        hops.responded(trace.traceId(), out, null, startNanos);
    }

    private void responseBody(HttpBodyPart part) {
        ByteBuf content = part.content();
        responseBodyBytes += content.readableBytes();
        boolean last = part.isLast();
        if (clientFraming == BodyFraming.CHUNKED) {
            writeChunk(client, content, last);
            part.release();
        } else if (content.isReadable() && clientFraming != BodyFraming.NONE) {
            client.write(content, client.voidPromise());
        } else {
            part.release();
        }
        if (last) {
            // the bookkeeping first, the flush after: once the client has the last byte it may ask the stats,
            // which must already count this request as ended
            finishSuccessfully();
            client.flush();
            return;
        }
        client.flush();
        if (!client.isWritable() && backend != null) {
            // the client reads slower than the server sends: stop reading the server until it catches up
            backend.channel().config().setAutoRead(false);
        }
    }

    /**
     * One chunk of a chunked body (RFC 9112 §7.1): size in hex, CRLF, the data, CRLF; and after the last data the
     * zero-size chunk that ends the body. The data is retained: the caller releases its part.
     */
    private static void writeChunk(Channel channel, ByteBuf content, boolean last) {
        if (content.isReadable()) {
            channel.write(Unpooled.copiedBuffer(Integer.toHexString(content.readableBytes()) + "\r\n",
                    StandardCharsets.US_ASCII), channel.voidPromise());
            channel.write(content.retain(), channel.voidPromise());
            channel.write(Unpooled.wrappedBuffer(CRLF), channel.voidPromise());
        }
        if (last) {
            channel.write(Unpooled.wrappedBuffer(LAST_CHUNK), channel.voidPromise());
        }
    }

    /** The client's socket drained (or filled): the server's reading follows. */
    void clientWritabilityChanged(boolean writable) {
        if (backend != null && !finished) {
            backend.channel().config().setAutoRead(writable);
        }
    }

    @Override
    public void serverWritabilityChanged(boolean writable) {
        frontend.updateReading();
    }

    // ---------------------------------------------------------------- 6. the server failed

    @Override
    public void serverClosed() {
        if (finished) {
            return;
        }
        cancelServerTimer();
        BackendConnection closed = backend;
        backend = null;
        if (!anyResponse) {
            server.countResponseError();
            observe(CheckStatus.L7RSP, 0, "connection closed without a response");
            retryOrGiveUp(RetryOn.EMPTY_RESPONSE, "closed the connection without a response"
                    + (closed.reused() ? " (a kept-alive connection)" : ""));
            return;
        }
        if (!responseHeadSent) {
            // only an interim response (1xx, RFC 9110 §15.2) came, which is never relayed: the client has
            // nothing yet and gets a whole 502. Not retried: the server may have read the request's body.
            server.countResponseError();
            observe(CheckStatus.L7RSP, 0, "connection closed after an interim response");
            endSession();
            respondError(HttpStatus.BAD_GATEWAY, "The server " + server.name()
                    + " closed the connection after an interim (1xx) response, without a final one",
                    "RFC 9110 §15.2");
            return;
        }
        // a response had begun: the parser has already said what was missing, or this is a bare close
        failAfterResponseStarted("the server closed the connection in the middle of the response");
    }

    private void serverBroken(HttpResponseError error) {
        server.countResponseError();
        observe(CheckStatus.L7RSP, 0, error.violation().description());
        context.log().warn("{} got a broken response from {} to {}: {}", context.config().name(), server.name(),
                request.requestLine(), error.message());
        closeBackend();
        if (!responseHeadSent) {
            endSession();
            respondError(HttpStatus.BAD_GATEWAY, "The server " + server.name()
                    + " returned an invalid or incomplete response: " + error.message(), error.violation().rule());
        } else {
            failAfterResponseStarted(error.message());
        }
    }

    private void serverTimedOut() {
        if (finished) {
            return;
        }
        server.countResponseError();
        observe(CheckStatus.L7TOUT, 0, "no response within " + context.config().timeouts().server().toMillis() + " ms");
        closeBackend();
        if (!responseHeadSent) {
            endSession();
            respondError(HttpStatus.GATEWAY_TIMEOUT, "The server " + server.name() + " didn't respond within "
                    + context.config().timeouts().server().toMillis() + " ms (timeout server)", "RFC 9110 §15.6.5");
        } else {
            failAfterResponseStarted("the server stopped sending in the middle of the response");
        }
    }

    private void failAfterResponseStarted(String why) {
        context.log().warn("{} cut off the response to {} from {}: {}", context.config().name(),
                request.requestLine(), server == null ? "?" : server.name(), why);
        closeBackend();
        endSession();
        finish();
        // what was relayed leaves before the cut, so the client sees a response begun and cut off (an incomplete
        // body it can tell from a whole one), not a connection closed without a byte
        client.flush();
        frontend.abort();
    }

    // ---------------------------------------------------------------- 7. done

    private void finishSuccessfully() {
        cancelServerTimer();
        BackendConnection used = backend;
        backend = null;
        if (used != null) {
            used.channel().config().setAutoRead(true);
            // reusable only when the server said it stays open and every byte of both messages went through
            context.connections().release(used, serverKeepAlive && requestComplete && used.parser().isIdle());
        }
        server.countBytes(requestBodyBytes, responseBodyBytes);
        context.frontend().countBytes(requestBodyBytes, responseBodyBytes);
        context.metrics().response(server.name(), status, System.nanoTime() - startNanos);
        endSession();
        finish();
        frontend.exchangeFinished(this, clientKeepAlive);
    }

    /** The balancer answers the client itself: 502, 503 or 504. */
    private void respondError(HttpStatus errorStatus, String detail, String rule) {
        status = errorStatus.code();
        context.frontend().countResponse(status);
        context.metrics().response(null, status, System.nanoTime() - startNanos);
        context.log().warn("{} answered {} {} to {}: {}", context.config().name(), status, errorStatus.reason(),
                request.requestLine(), detail);
        finish();
        boolean keepAlive = requestComplete && request.keepAlive() && !frontend.closing();
        HttpResponseHead head = frontend.writeError(errorStatus, detail, rule, trace, keepAlive,
                "HEAD".equals(request.method()));
        hops.responded(trace.traceId(), head, detail, startNanos);
        frontend.exchangeFinished(this, keepAlive);
    }

    /** The client went away: whatever is in progress towards the server is dropped. */
    void clientClosed() {
        if (finished) {
            return;
        }
        closeBackend();
        if (server != null) {
            endSession();
        }
        finish();
    }

    /** The client's request body broke a rule half-way: nothing more can be read from it. */
    void clientBroken(String violation) {
        if (finished) {
            return;
        }
        closeBackend();
        if (server != null) {
            endSession();
        }
        finish();
    }

    private void finish() {
        finished = true;
        cancelServerTimer();
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
        if (waitingBody != null) {
            HttpBodyPart part;
            while ((part = waitingBody.pollFirst()) != null) {
                part.release();
            }
        }
    }

    boolean finished() {
        return finished;
    }

    private List<Server> failedServers() {
        if (failedServers == null) {
            failedServers = new ArrayList<>(2);
        }
        return failedServers;
    }

    /** True once the response's head went to the client: from then on a failure can only close the connection. */
    boolean responseStarted() {
        return responseHeadSent;
    }

    // ---------------------------------------------------------------- helpers

    private void endSession() {
        if (server != null) {
            server.sessionEnded();
        }
    }

    private void closeBackend() {
        cancelServerTimer();
        BackendConnection used = backend;
        backend = null;
        if (used != null) {
            used.detach();
            used.channel().close();
        }
    }

    /** A failure (or success) seen on this request counts like a check (HAProxy's {@code observe layer7}). */
    private void observe(CheckStatus checkStatus, int code, String info) {
        Server.Transition transition = server.recordCheck(new CheckResult(checkStatus, code, info,
                (System.nanoTime() - attemptStartNanos) / 1_000_000, System.currentTimeMillis(), true));
        if (transition != null) {
            context.backend().logTransition(transition);
            context.onTransition().accept(transition);
        }
    }

    /**
     * {@code timeout server} counts from the server's last sign of life. Rather than cancelling and scheduling a
     * timer on every message (a priority-queue insert each time), one timer runs; each message only moves
     * {@link #lastServerActivityNanos}, and when the timer fires it either times out or sleeps for what is left.
     */
    private void armServerTimer() {
        lastServerActivityNanos = System.nanoTime();
        if (serverTimer == null) {
            scheduleServerTimer(context.config().timeouts().server().toNanos());
        }
    }

    private void scheduleServerTimer(long delayNanos) {
        serverTimer = client.eventLoop().schedule(this::serverTimerFired, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void serverTimerFired() {
        serverTimer = null;
        if (finished || backend == null) {
            return;
        }
        long left = context.config().timeouts().server().toNanos() - (System.nanoTime() - lastServerActivityNanos);
        if (left > 0) {
            scheduleServerTimer(left);
        } else {
            serverTimedOut();
        }
    }

    private void cancelServerTimer() {
        if (serverTimer != null) {
            serverTimer.cancel(false);
            serverTimer = null;
        }
    }

    static String connectProblem(Throwable cause) {
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (message.contains("refused")) {
            return "Connection refused";
        }
        if (message.contains("reset")) {
            return "Connection reset by peer";
        }
        return message;
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
