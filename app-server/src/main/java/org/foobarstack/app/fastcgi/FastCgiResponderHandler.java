package org.foobarstack.app.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.api.AppRequest;
import org.foobarstack.app.api.AppResponse;
import org.foobarstack.fastcgi.BeginRequestBody;
import org.foobarstack.fastcgi.FastCgiProtocolException;
import org.foobarstack.fastcgi.FastCgiRecord;
import org.foobarstack.fastcgi.FastCgiRecordDecoder;
import org.foobarstack.fastcgi.FastCgiRecords;
import org.foobarstack.fastcgi.NameValuePairs;
import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.RecordType;
import org.foobarstack.fastcgi.Role;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.faults.FaultPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.DUPLICATE_REQUEST_ID;
import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.STDIN_TOO_LARGE;
import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.STREAM_ORDER;
import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.STREAM_TIMEOUT;
import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.UNEXPECTED_RECORD;
import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.WRONG_REQUEST_ID;

/**
 * The FastCGI responder role (specification §6.2) for one connection: it receives decoded records, assembles
 * requests, hands each finished one to the application on a worker thread, and writes the answer back.
 *
 * <p>What happens to each record, in the order a web server sends them:
 * <ol>
 *   <li>A type FastCGI 1.0 does not define, or a management record the responder does not understand: answered
 *       with UNKNOWN_TYPE (§4.2). GET_VALUES is answered with GET_VALUES_RESULT (§4.1).</li>
 *   <li>BEGIN_REQUEST (§5.1) makes its request id active, unless it is refused at once with END_REQUEST:
 *       UNKNOWN_ROLE for a role other than RESPONDER, CANT_MPX_CONN when multiplexing is off and a request is
 *       already active, OVERLOADED at the per-connection or per-server limits, or while the connection waits
 *       to close (§5.5).</li>
 *   <li>PARAMS records (§5.2) are collected until the empty one, then decoded as name-value pairs (§3.4).</li>
 *   <li>STDIN records (§5.3) are collected until the empty one; then the request runs on a worker.</li>
 *   <li>The worker's {@link AppResponse} comes back to this connection's event loop and is written as STDOUT
 *       records of at most 65,535 bytes, the empty STDOUT record, and END_REQUEST (§5.5). Without FCGI_KEEP_CONN
 *       the connection is then closed (§5.1), once the other requests on it have answered.</li>
 * </ol>
 * ABORT_REQUEST (§5.4) ends a request at any step with END_REQUEST; a late answer from its worker is dropped.
 * Records for an inactive request id are ignored (§3.3).
 *
 * <p>Broken input (a bad version, a malformed record, a record out of order) closes the connection with one log
 * line: after such a record nothing that follows can be trusted. Oversized streams are answered in HTTP terms
 * (431, 413) since the peer is well-behaved but asks too much; the rest of such a request is read and dropped
 * (never stored) until STDIN ends, and only then answered, because a web server still busy sending would see a
 * reset connection rather than the answer. A request whose streams do not end within the request timeout closes
 * the connection.
 *
 * <p>Faults a test planned ({@link ResponderContext#faults()}) are met at the same steps: request start when
 * PARAMS ends (step 3), request body as STDIN arrives (step 4), response start, body and end as the answer is
 * written (step 5); {@link RequestFaults} says what each effect does here. The plan is read once per request, at
 * BEGIN_REQUEST; without faults, that read is all.
 *
 * <p>Each record received and sent is also told to {@link ResponderTrace}, which makes the request's hops when
 * tracing is on and does nothing when it is off.
 *
 * <p>Threads: every method runs on this connection's event loop, except the application call, which runs on a
 * worker and posts its result back with {@code ctx.executor().execute}. So the request table needs no locks.
 */
public final class FastCgiResponderHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(FastCgiResponderHandler.class);
    /** Any number of at most 18 decimal digits fits in a long (Long.MAX_VALUE has 19). */
    private static final int MAX_LENGTH_DIGITS = 18;

    /** appStatus of a request the application completed: like a CGI program's exit status 0. */
    public static final long APP_STATUS_OK = 0;
    /** appStatus of a request ended without running the application to completion (refused, too large, aborted). */
    public static final long APP_STATUS_NOT_COMPLETED = 1;
    /**
     * The status counted for a request the web server aborted: nginx logs such a request as 499 ("client closed
     * request"), so metrics use the same number.
     */
    static final int STATUS_ABORTED = 499;

    /** The connection as a whole. */
    enum ConnectionState {
        /** Records are read and requests accepted. */
        OPEN,
        /** Over the server's connection limit: every BEGIN_REQUEST is answered OVERLOADED, then the connection closes. */
        OVER_CAPACITY,
        /**
         * A close was decided (no keep-conn and no other request active, or broken input, which closes at once even
         * with other requests active: nothing after it can be trusted): records still arriving are dropped.
         */
        CLOSING
    }

    private final ResponderContext server;
    private final AppServerConfig config;
    /** Active requests by id (§3.3). Event-loop only. */
    private final Map<Integer, ResponderRequest> active = new HashMap<>();
    /** This connection's hops; made when the handler joins its channel. */
    private ResponderTrace trace;
    private ConnectionState state = ConnectionState.OPEN;
    /** A close was asked for while other requests were active: it happens when the last of them has ended. */
    private boolean closeWhenIdle;
    private boolean counted;

    public FastCgiResponderHandler(ResponderContext server) {
        this.server = server;
        this.config = server.config();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        trace = new ResponderTrace(server.recorder(), ctx.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        counted = server.tryOpenConnection();
        if (!counted) {
            state = ConnectionState.OVER_CAPACITY;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (ResponderRequest request : active.values()) {
            request.returnBuffer(server);
            request.release();
            server.requestEnded(); // nobody is left to answer
        }
        active.clear();
        if (counted) {
            counted = false;
            server.connectionClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        FastCgiRecord record = (FastCgiRecord) msg;
        try {
            if (state != ConnectionState.CLOSING) {
                onRecord(ctx, record);
            }
        } catch (FastCgiProtocolException e) {
            closeForBadInput(ctx, e);
        } finally {
            record.release();
        }
    }

    private void onRecord(ChannelHandlerContext ctx, FastCgiRecord record) {
        RecordType type = record.type();
        // Step 1: types this responder does not understand, and management records (request id 0).
        if (type == null) {
            server.metrics().protocolError("UNKNOWN_TYPE");
            server.log().warn("{}: unknown record type {}, answered UNKNOWN_TYPE (FastCGI §4.2)", peer(ctx),
                    record.typeCode());
            ctx.writeAndFlush(FastCgiRecords.unknownType(ctx.alloc(), record.typeCode()));
            return;
        }
        if (type.isManagement()) {
            if (record.requestId() != 0) {
                throw new FastCgiProtocolException(WRONG_REQUEST_ID, type + " with request id " + record.requestId());
            }
            if (type == RecordType.GET_VALUES) {
                answerGetValues(ctx, record.content());
            } else {
                // GET_VALUES_RESULT and UNKNOWN_TYPE are answers an application sends, never receives.
                server.metrics().protocolError("UNKNOWN_TYPE");
                server.log().warn("{}: management record {} not understood, answered UNKNOWN_TYPE (FastCGI §4.2)",
                        peer(ctx), type);
                ctx.writeAndFlush(FastCgiRecords.unknownType(ctx.alloc(), record.typeCode()));
            }
            return;
        }
        if (record.requestId() == 0) {
            throw new FastCgiProtocolException(WRONG_REQUEST_ID, type + " with request id 0");
        }
        switch (type) {
            case BEGIN_REQUEST -> begin(ctx, record);
            case ABORT_REQUEST, PARAMS, STDIN, DATA -> {
                ResponderRequest request = active.get(record.requestId());
                if (request == null) {
                    // §3.3: "While a request ID R is inactive, the application ignores records with requestId == R"
                    LOG.debug("{}: ignored {} for inactive request {}", peer(ctx), type, record.requestId());
                    return;
                }
                switch (type) {
                    case ABORT_REQUEST -> abort(ctx, request, record);
                    case PARAMS -> streamRecord(ctx, request, RequestStream.PARAMS, record);
                    case STDIN -> streamRecord(ctx, request, RequestStream.STDIN, record);
                    default -> throw new FastCgiProtocolException(UNEXPECTED_RECORD,
                            "DATA belongs to the FILTER role (§6.4), this is a RESPONDER request");
                }
            }
            default -> throw new FastCgiProtocolException(UNEXPECTED_RECORD,
                    type + " is sent by an application, never to one");
        }
    }

    /** §4.1: the answer lists only the names asked for that this server knows, each with its value. */
    private void answerGetValues(ChannelHandlerContext ctx, ByteBuf content) {
        Map<String, String> known = Map.of(
                FastCgiRecords.FCGI_MAX_CONNS, Integer.toString(config.maxConnections()),
                FastCgiRecords.FCGI_MAX_REQS,
                Long.toString((long) config.maxConnections() * config.maxRequestsPerConnection()),
                FastCgiRecords.FCGI_MPXS_CONNS, config.multiplexes() ? "1" : "0");
        Map<String, String> answer = new LinkedHashMap<>();
        for (NameValuePairs.Pair asked : NameValuePairs.readAll(content)) {
            String value = known.get(asked.name());
            if (value != null) {
                answer.put(asked.name(), value);
            }
        }
        ctx.writeAndFlush(FastCgiRecords.values(ctx.alloc(), RecordType.GET_VALUES_RESULT, answer));
    }

    // Step 2
    private void begin(ChannelHandlerContext ctx, FastCgiRecord record) {
        long received = System.nanoTime();
        BeginRequestBody body = BeginRequestBody.read(record.content());
        int id = record.requestId();
        if (active.containsKey(id)) {
            throw new FastCgiProtocolException(DUPLICATE_REQUEST_ID, "request id " + id);
        }
        if (body.role().orElse(null) != Role.RESPONDER) {
            server.log().warn("{}: request {} asks for role {}, answered UNKNOWN_ROLE (FastCGI §5.5)", peer(ctx),
                    id, body.role().map(Enum::name).orElse(Integer.toString(body.roleCode())));
            refuse(ctx, record, received, body.keepConnection(), ProtocolStatus.UNKNOWN_ROLE);
            return;
        }
        if (state == ConnectionState.OVER_CAPACITY || server.draining() || closeWhenIdle) {
            server.log().warn("{}: request {} refused with OVERLOADED (FastCGI §5.5): {}", peer(ctx), id,
                    server.draining() ? "server is shutting down"
                            : closeWhenIdle ? "the connection closes once its active requests have answered "
                                    + "(a request without FCGI_KEEP_CONN)"
                            : "more than " + config.maxConnections() + " connections");
            refuse(ctx, record, received, false, ProtocolStatus.OVERLOADED);
            return;
        }
        if (!active.isEmpty() && !config.multiplexes()) {
            server.log().warn("{}: request {} while request {} is active, answered CANT_MPX_CONN (FastCGI §5.5)",
                    peer(ctx), id, active.keySet().iterator().next());
            refuse(ctx, record, received, body.keepConnection(), ProtocolStatus.CANT_MPX_CONN);
            return;
        }
        if (active.size() >= config.maxRequestsPerConnection()) {
            server.log().warn("{}: request {} is one more than {} on this connection, answered OVERLOADED "
                    + "(FastCGI §5.5)", peer(ctx), id, config.maxRequestsPerConnection());
            refuse(ctx, record, received, body.keepConnection(), ProtocolStatus.OVERLOADED);
            return;
        }
        ResponderRequest request = new ResponderRequest(id, body.keepConnection(),
                ctx.alloc().compositeBuffer(), ctx.alloc().compositeBuffer());
        request.begunNanos(received);
        FaultPlan.Armed faults = server.faults().armed();
        if (faults != null) {
            request.faults(new RequestFaults(faults));
        }
        trace.begun(request, record, received);
        active.put(id, request);
        server.requestAccepted();
        request.timeout(ctx.executor().schedule(() -> timedOut(ctx, request),
                config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
    }

    // Steps 3 and 4: PARAMS (§5.2), then STDIN (§5.3), each collected until its empty record
    private void streamRecord(ChannelHandlerContext ctx, ResponderRequest request, RequestStream stream,
                              FastCgiRecord record) {
        if (request.state() != stream.state()) {
            throw new FastCgiProtocolException(STREAM_ORDER, stream + " for " + request);
        }
        trace.streamRecord(request, stream, record.header());
        ByteBuf content = record.content();
        RequestFaults faults = request.faults();
        if (faults != null && stream == RequestStream.STDIN && content.isReadable()
                && !faults.stdinArrived(ctx, content.readableBytes())) {
            stopForFault(request);
            return;
        }
        if (content.isReadable()) {
            collect(ctx, request, stream, content);
        } else if (stream == RequestStream.PARAMS) {
            paramsEnded(ctx, request);
        } else {
            stdinEnded(ctx, request);
        }
    }

    /** One record's content joins its stream, unless the request is refused already or the stream is too large. */
    private void collect(ChannelHandlerContext ctx, ResponderRequest request, RequestStream stream, ByteBuf content) {
        if (request.rejected()) {
            return; // read and dropped until STDIN ends
        }
        int size = request.append(stream, server, content);
        int limit = stream.limit(config);
        if (size < 0) {
            rejectForBudget(ctx, request);
        } else if (size > limit) {
            server.log().warn("{}: request {}: {}, answering {} ({})", peer(ctx), request.id(),
                    stream.overLimitLogText(limit), stream.tooLargeStatus(), stream.tooLarge().section());
            reject(request, stream.tooLargeStatus(), stream.overLimitAnswer(limit));
        }
    }

    /** §5.2: the empty PARAMS record; the pairs are decoded (§3.4) and STDIN comes next. */
    private void paramsEnded(ChannelHandlerContext ctx, ResponderRequest request) {
        request.state(ResponderRequest.State.STDIN);
        if (request.rejected()) {
            trace.paramsReceived(request, null);
            return;
        }
        // one copy of the stream serves both the parse and, when tracing, the hop's field tree
        byte[] params = ByteBufUtil.getBytes(request.received(RequestStream.PARAMS));
        request.params(NameValuePairs.readMap(params));
        // W3C Trace Context §3.2: a missing or invalid traceparent starts a new trace, never fails the request
        request.trace(TraceContext.parseOrFresh(request.params().get(AppRequest.TRACEPARENT_PARAM)));
        trace.paramsReceived(request, params);
        String declared = request.params().get("CONTENT_LENGTH");
        if (declared != null && declaredTooLong(declared)) {
            server.log().warn("{}: request {}: CONTENT_LENGTH {} over {} bytes, answering 413 ({})", peer(ctx),
                    request.id(), declared, config.maxStdinBytes(), STDIN_TOO_LARGE.section());
            reject(request, 413, RequestStream.STDIN.overLimitAnswer(config.maxStdinBytes()));
        }
        if (request.faults() != null && !request.faults().requestStart(ctx)) {
            stopForFault(request);
        }
    }

    /**
     * A fault ended the request before its answer. Closed or reset: the connection's end cleans up. Stalled: the
     * request is forgotten, so that the rest of its streams is ignored (§3.3, an inactive id), its stream timeout
     * does not close the connection instead, and a graceful stop does not wait for it; the web server waits for an
     * answer that never comes.
     */
    private void stopForFault(ResponderRequest request) {
        request.cancelTimeout();
        if (!request.faults().stalled()) {
            state = ConnectionState.CLOSING; // closed or reset: what still arrives is dropped
        }
        if (request.faults().stalled() && active.remove(request.id(), request)) {
            request.returnBuffer(server);
            request.release();
            server.requestEnded();
        }
    }

    /** §5.3: the empty STDIN record; the request is complete and runs, or its refusal is answered now. */
    private void stdinEnded(ChannelHandlerContext ctx, ResponderRequest request) {
        request.cancelTimeout();
        trace.stdinReceived(request);
        if (request.rejected()) {
            // the streams were read to their end, so the web server is listening now
            respondWithError(ctx, request, request.rejectionStatus(), request.rejectionMessage());
            return;
        }
        request.state(ResponderRequest.State.RUNNING);
        if (request.faults() != null && request.faults().runDelayNanos() > 0) {
            // a DELAY planned at request start or body: the application runs that much later
            ctx.executor().schedule(() -> {
                if (active.get(request.id()) == request) {
                    run(ctx, request);
                }
            }, request.faults().runDelayNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        run(ctx, request);
    }

    /** From now on the request's streams are read and dropped; the answer goes out when STDIN ends. */
    private void reject(ResponderRequest request, int status, String message) {
        request.reject(status, message);
        request.returnBuffer(server);
    }

    private void rejectForBudget(ChannelHandlerContext ctx, ResponderRequest request) {
        server.log().warn("{}: request {}: the server already holds {} bytes of requests (maxBufferedBytes), "
                + "answering 503", peer(ctx), request.id(), server.bufferedBytes());
        reject(request, 503, "the server holds too many request bytes right now; try again shortly");
    }

    /**
     * Whether a CONTENT_LENGTH announces more than the STDIN limit. nginx sends it empty for a request without a
     * body (RFC 3875 §4.1.2 allows "NULL" there); that, and anything that is not a number, is the application's
     * business, so only plain digits are read, without the cost of an exception per bodiless request.
     */
    private boolean declaredTooLong(String contentLength) {
        String digits = contentLength.trim();
        if (digits.isEmpty()) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return false;
            }
        }
        // more digits than any long holds is certainly more than the limit
        return digits.length() > MAX_LENGTH_DIGITS || Long.parseLong(digits) > config.maxStdinBytes();
    }

    // Step 5: off the event loop.
    private void run(ChannelHandlerContext ctx, ResponderRequest request) {
        AppRequest appRequest = new AppRequest(request.params(), request.stdinBytes(),
                (InetSocketAddress) ctx.channel().localAddress(), (InetSocketAddress) ctx.channel().remoteAddress(),
                request.trace());
        // the body now lives in the AppRequest; its share of the budget is kept until END_REQUEST
        request.release();
        try {
            server.workers().execute(() -> {
                long start = System.nanoTime();
                AppResponse response;
                String stderr = null;
                try {
                    request.route(server.application().route(appRequest));
                    response = server.application().handle(appRequest);
                } catch (Throwable e) {
                    LOG.error("{}: application failed on {}", peer(ctx), appRequest, e);
                    response = server.errorResponse(500, "the application failed; see the server log");
                    stderr = "application error: " + e + "\n";
                }
                if (server.capacity() != null) {
                    // an emulated server is as slow as its declared service time, however fast this machine is
                    server.capacity().holdWorker(start);
                }
                AppResponse finalResponse = response;
                String finalStderr = stderr;
                try {
                    ctx.executor().execute(() -> complete(ctx, request, finalResponse, finalStderr));
                } catch (RejectedExecutionException closed) {
                    // the connection's event loop has shut down (server closing): nobody left to answer
                    LOG.debug("{}: answer of {} dropped, the event loop is gone", peer(ctx), request);
                }
            });
        } catch (RejectedExecutionException e) {
            if (server.workers().isShutdown()) {
                // only after the shutdown timeout: until then a stopping server still runs what it accepted
                server.log().warn("{}: request {} refused with OVERLOADED (FastCGI §5.5): server is shutting down",
                        peer(ctx), request.id());
            } else {
                server.metrics().requestShed();
                server.log().warn("{}: request {} refused with OVERLOADED (FastCGI §5.5): {} requests already wait "
                        + "for a worker{}", peer(ctx), request.id(), config.effectiveQueue(),
                        server.capacity() == null ? ""
                                : ", capacity " + server.capacity().capacity().describe());
            }
            server.metrics().protocolError(ProtocolStatus.OVERLOADED.name());
            finish(ctx, request, List.of(), ProtocolStatus.OVERLOADED, APP_STATUS_NOT_COMPLETED, 503);
        }
    }

    /** Back on the event loop with the application's answer. */
    private void complete(ChannelHandlerContext ctx, ResponderRequest request, AppResponse response, String stderr) {
        if (active.get(request.id()) != request) {
            // aborted, or the connection closed, while the application ran: nobody is waiting for this answer
            LOG.debug("{}: dropped the answer of {}, which is no longer active", peer(ctx), request);
            return;
        }
        boolean head = "HEAD".equalsIgnoreCase(request.params().get("REQUEST_METHOD"));
        List<FastCgiRecord> records = new ArrayList<>(
                outputStream(request, RecordType.STDOUT, CgiResponseWriter.write(response, head, ctx.alloc()),
                        response.status() + " " + response.reason()));
        if (stderr != null) {
            records.addAll(outputStream(request, RecordType.STDERR,
                    ctx.alloc().buffer().writeBytes(stderr.getBytes(StandardCharsets.UTF_8)), "application error"));
        }
        finish(ctx, request, records, ProtocolStatus.REQUEST_COMPLETE, APP_STATUS_OK, response.status());
    }

    /** A whole output stream as records of at most 65,535 bytes, its terminating empty record included (§3.3). */
    private List<FastCgiRecord> outputStream(ResponderRequest request, RecordType type, ByteBuf data, String what) {
        long start = System.nanoTime();
        byte[] traced = trace.copyIfTraced(request, data);
        List<FastCgiRecord> records = new ArrayList<>(FastCgiRecords.stream(type, request.id(), data));
        records.add(FastCgiRecord.empty(type, request.id()));
        trace.streamSent(request, type, records, traced, what, start);
        return records;
    }

    /** An answer the responder writes itself (431, 413), ending the request before the application sees it. */
    private void respondWithError(ChannelHandlerContext ctx, ResponderRequest request, int status, String message) {
        AppResponse response = server.errorResponse(status, message);
        ByteBuf cgi = CgiResponseWriter.write(response, false, ctx.alloc());
        List<FastCgiRecord> records = outputStream(request, RecordType.STDOUT, cgi,
                status + " " + response.reason());
        finish(ctx, request, records, ProtocolStatus.REQUEST_COMPLETE, APP_STATUS_NOT_COMPLETED, status);
    }

    /** §5.4: the web server gave up on this request; END_REQUEST makes its id inactive. */
    private void abort(ChannelHandlerContext ctx, ResponderRequest request, FastCgiRecord record) {
        LOG.debug("{}: {} aborted by the web server", peer(ctx), request);
        trace.aborted(request, record);
        finish(ctx, request, List.of(), ProtocolStatus.REQUEST_COMPLETE, APP_STATUS_NOT_COMPLETED,
                STATUS_ABORTED);
    }

    /** Writes the records, then END_REQUEST; removes the request; closes the connection without keep-conn. */
    private void finish(ChannelHandlerContext ctx, ResponderRequest request, List<FastCgiRecord> records,
                        ProtocolStatus status, long appStatus, int httpStatus) {
        boolean wasActive = active.remove(request.id(), request);
        request.returnBuffer(server);
        request.release();
        RequestFaults faults = request.faults();
        if (faults == null) {
            for (FastCgiRecord record : records) {
                ctx.write(record);
            }
        }
        long start = System.nanoTime();
        FastCgiRecord end = FastCgiRecords.endRequest(ctx.alloc(), request.id(), appStatus, status);
        // recorded and counted before the write: once END_REQUEST is on the wire the peer may already ask for them
        trace.ended(request, end, status, appStatus, start);
        if (request.route() == null) {
            // answered by the responder itself (413, 431, 503, OVERLOADED, aborted): name the route if PARAMS came
            request.route(request.params() == null ? "unparsed" : server.application().route(new AppRequest(
                    request.params(), null, null, null, request.trace())));
        }
        server.metrics().request(request.route(), httpStatus, System.nanoTime() - request.begunNanos());
        if (faults != null) {
            faults.answer(ctx, records, end, written -> answered(request, wasActive, written), () -> {
                if (wasActive) {
                    server.requestEnded(); // a stalled or cut answer must not hold up a graceful stop
                }
            });
            return;
        }
        answered(request, wasActive, ctx.writeAndFlush(end));
    }

    /** END_REQUEST is handed to the connection ({@code written}): the request is counted ended. */
    private void answered(ResponderRequest request, boolean wasActive, ChannelFuture written) {
        if (wasActive) {
            // counted once END_REQUEST is handed to the connection: a stopping server flushes it before closing
            server.requestEnded();
        }
        if (!request.keepConnection() || closeWhenIdle) {
            closeAfter(written);
        }
    }

    /**
     * Closes the connection once {@code written} (an END_REQUEST) is on the wire, or, while other requests on it are
     * still active, once the last of them has ended. §5.1: without FCGI_KEEP_CONN "the application closes the
     * connection after responding to this request"; on a multiplexed connection closing at once would cut off the
     * answers of the others, which the web server is still waiting for.
     */
    private void closeAfter(ChannelFuture written) {
        if (active.isEmpty()) {
            state = ConnectionState.CLOSING;
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            closeWhenIdle = true;
        }
    }

    /** END_REQUEST for a request that never became active. */
    private void refuse(ChannelHandlerContext ctx, FastCgiRecord begin, long received, boolean keepConnection,
                        ProtocolStatus status) {
        int id = begin.requestId();
        server.metrics().protocolError(status.name());
        FastCgiRecord end = FastCgiRecords.endRequest(ctx.alloc(), id, APP_STATUS_NOT_COMPLETED, status);
        trace.refused(begin, received, end, status);
        var written = ctx.writeAndFlush(end);
        if (!keepConnection || state == ConnectionState.OVER_CAPACITY) {
            closeAfter(written);
        }
    }

    private void timedOut(ChannelHandlerContext ctx, ResponderRequest request) {
        if (active.get(request.id()) == request && request.state() != ResponderRequest.State.RUNNING) {
            closeForBadInput(ctx, new FastCgiProtocolException(STREAM_TIMEOUT, request + " still incomplete after "
                    + config.requestTimeout().toMillis() + " ms"));
        }
    }

    private void closeForBadInput(ChannelHandlerContext ctx, FastCgiProtocolException e) {
        if (state == ConnectionState.CLOSING && !ctx.channel().isActive()) {
            return;
        }
        server.metrics().protocolError(e.violation().name());
        String why = e.getMessage();
        server.log().warn("{}: closing the connection: {}", peer(ctx), why);
        state = ConnectionState.CLOSING;
        ctx.close();
    }

    /**
     * A peer that sends records but does not read our answers would make the outbound buffer grow without end:
     * stop reading from it while its buffer is above the high-water mark.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && active.isEmpty()) {
            FastCgiRecordDecoder decoder = ctx.pipeline().get(FastCgiRecordDecoder.class);
            int partial = decoder == null ? 0 : decoder.bufferedBytes();
            if (partial > 0) {
                server.log().warn("{}: closing the connection: {} bytes of an unfinished record, then silence for {} "
                        + "ms (FastCGI §3.3)", peer(ctx), partial, config.idleTimeout().toMillis());
            } else {
                LOG.debug("{}: idle for {} ms, closing", peer(ctx), config.idleTimeout().toMillis());
            }
            state = ConnectionState.CLOSING;
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof FastCgiProtocolException protocolError) {
            closeForBadInput(ctx, protocolError);
        } else if (root instanceof IOException) {
            LOG.debug("{}: connection error: {}", peer(ctx), root.toString());
            ctx.close();
        } else {
            server.log().warn("{}: closing the connection after an unexpected error: {}", peer(ctx), root.toString());
            ctx.close();
        }
    }

    private static String peer(ChannelHandlerContext ctx) {
        return "fastcgi " + ctx.channel().remoteAddress();
    }
}
