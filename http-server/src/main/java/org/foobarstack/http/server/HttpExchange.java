package org.foobarstack.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.handler.stream.ChunkedNioFile;
import org.foobarstack.httpcodec.parser.HttpBodyPart;
import org.foobarstack.httpcodec.parser.HttpRequestError;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.HttpVersion;
import org.foobarstack.httpcodec.response.ErrorPage;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;
import org.foobarstack.trace.faults.FaultPlan;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One request and its response on one connection. A {@link RequestHandler} reads the request from it and writes
 * the response through it; the exchange takes care of what every response must get right (RFC 9112):
 *
 * <ol>
 *   <li>{@link #sendHead} adds Date and Server, and chooses the framing: Content-Length when the length is known,
 *       chunked for an HTTP/1.1 client when it is not, and "close the connection at the end" for an HTTP/1.0
 *       client, which does not know chunked (§6.3, §7).</li>
 *   <li>It decides whether the connection stays open (§9.3) and says so with Connection.</li>
 *   <li>{@link #sendBody} and {@link #sendFile} write the body, chunk-framed when needed, and write nothing for
 *       HEAD or for statuses that have no body (1xx, 204, 304), while keeping the header fields GET would get.</li>
 *   <li>{@link #end} ends the body (the zero-size chunk), writes the access log line and hands the connection
 *       back, so that the next pipelined request can start.</li>
 * </ol>
 * All methods must be called on the connection's event loop ({@link #eventLoop()}).
 *
 * <p>When the server's {@link FaultPlan} held faults as the request started, every write goes through
 * {@link ExchangeFaults}, which may cut, hold back or drop it; otherwise {@code faults} is null and that is the
 * only thing checked.
 */
public final class HttpExchange {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FILE_CHUNK_SIZE = 16 * 1024;

    private enum Response { NOT_STARTED, HEAD_SENT, ENDED }

    private final HttpConnectionHandler connection;
    private final ChannelHandlerContext ctx;
    private final ServerContext server;
    private final HttpRequestHead request;
    private final TraceContext trace;
    private final boolean secure;
    private final long startNanos = System.nanoTime();
    /** The faults this request may meet, or null (almost always): see {@link ExchangeFaults}. */
    private final ExchangeFaults faults;

    // request body
    private final ArrayDeque<HttpBodyPart> bufferedBody = new ArrayDeque<>();
    private BodyListener bodyListener;
    private boolean requestComplete;
    private boolean continueSent;

    // response
    private Response response = Response.NOT_STARTED;
    private int status;
    private boolean chunked;
    private boolean bodyAllowed;
    private boolean keepAlive;
    private long bodyBytesSent;
    private Runnable onClientGone;
    private Runnable onWritable;

    HttpExchange(HttpConnectionHandler connection, ChannelHandlerContext ctx, ServerContext server,
                 HttpRequestHead request, boolean secure, FaultPlan.Armed armed) {
        this.connection = connection;
        this.faults = armed == null ? null : new ExchangeFaults(armed, ctx);
        this.ctx = ctx;
        this.server = server;
        this.request = request;
        this.secure = secure;
        // W3C Trace Context §3.2: adopt a valid traceparent; a missing or invalid one starts a new trace
        this.trace = TraceContext.parseOrFresh(request.fields().get(TraceContext.HEADER));
    }

    // ------------------------------------------------------------------ the request

    public HttpRequestHead request() {
        return request;
    }

    /**
     * This request's trace: the client's, when it sent a valid {@code traceparent} header, else a fresh one. Every
     * hop the web tier records for this request carries its {@link TraceContext#traceId()}; the app tier gets
     * {@code traceContext().child()} as the FastCGI param HTTP_TRACEPARENT. A route handler that talks to another
     * tier (the DoH handler asking the DNS server) records its hops under the same id, into
     * {@link #traceRecorder()}.
     */
    public TraceContext traceContext() {
        return trace;
    }

    /**
     * The web tier's hop recorder. Check {@link TraceRecorder#enabled()} before building a hop: when tracing is off,
     * nothing should be built at all.
     */
    public TraceRecorder traceRecorder() {
        return server.traceRecorder();
    }

    /**
     * The short id of this request: the first 8 hex digits of its trace id ({@link TraceContext#requestId()}). It is
     * sent upstream as REQUEST_ID, back to the client as X-Request-Id, and found on the dashboard by searching for
     * it.
     */
    public String requestId() {
        return trace.requestId();
    }

    public boolean isSecure() {
        return secure;
    }

    public ServerContext server() {
        return server;
    }

    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) ctx.channel().remoteAddress();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) ctx.channel().localAddress();
    }

    public io.netty.buffer.ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    /**
     * Asks for the request body. Parts already received are delivered at once, the rest as they arrive. When the
     * client sent "Expect: 100-continue", this is the moment it is told to go on (RFC 9110 §10.1.1): a handler
     * that answers without reading the body never invites it.
     */
    public void readBody(BodyListener listener) {
        this.bodyListener = listener;
        if (request.expectContinue() && !requestComplete && !continueSent && response == Response.NOT_STARTED) {
            continueSent = true;
            ctx.writeAndFlush(HttpResponseHead.builder(HttpStatus.CONTINUE).build());
        }
        while (!bufferedBody.isEmpty()) {
            listener.onPart(bufferedBody.poll());
        }
    }

    boolean requestComplete() {
        return requestComplete;
    }

    /** The faults of this request, or null when the plan was empty as it started. */
    ExchangeFaults faults() {
        return faults;
    }

    void deliverBodyPart(HttpBodyPart part) {
        if (faults != null
                && faults.bodyPartArrived(part, this::deliverBodyPartNow, connection::heldPartsDelivered)) {
            return; // held back by a DELAY, or dropped after a CLOSE, RESET or STALL
        }
        deliverBodyPartNow(part);
    }

    private void deliverBodyPartNow(HttpBodyPart part) {
        if (part.isLast()) {
            requestComplete = true;
        }
        if (bodyListener != null) {
            bodyListener.onPart(part);
        } else if (response == Response.ENDED) {
            part.release();
        } else {
            bufferedBody.add(part);
        }
    }

    /** The body broke a framing rule half-way: answer with the parser's status if still possible, then close. */
    void failRequest(HttpRequestError error) {
        requestComplete = true;
        server.httpMetrics().rejected(error.violation().name());
        releaseBufferedBody();
        if (bodyListener != null) {
            bodyListener.onAbort(error.message());
        }
        connection.closeAfterResponse();
        if (response == Response.NOT_STARTED) {
            sendError(HttpStatus.of(error.status()), error.violation().description()
                    + (error.detail() == null ? "" : " (" + error.detail() + ")"), error.violation().rule());
        } else if (response == Response.HEAD_SENT) {
            abort();
        }
    }

    // ------------------------------------------------------------------ the response

    public boolean headSent() {
        return response != Response.NOT_STARTED;
    }

    public boolean ended() {
        return response == Response.ENDED;
    }

    /**
     * Writes the status line and header fields.
     *
     * @param head          status and fields chosen by the handler
     * @param contentLength the body's length, or -1 when it is not known in advance
     */
    public void sendHead(HttpResponseHead.Builder head, long contentLength) {
        if (response != Response.NOT_STARTED) {
            throw new IllegalStateException("response head already sent");
        }
        response = Response.HEAD_SENT;
        HttpStatus st = head.status();
        status = st.code();
        bodyAllowed = !request.isHead() && !st.forbidsBody();
        // a client that was not invited to send its body may still send it, or may not: the only safe way on
        // is to close (RFC 9110 §10.1.1)
        boolean unreadBody = request.expectContinue() && !continueSent && !requestComplete;
        keepAlive = request.keepAlive() && !server.shuttingDown() && !connection.closing() && !unreadBody;

        head.remove("Date").remove("Server");
        head.addFirst("Server", server.serverHeader());
        head.addFirst("Date", server.date());
        // the ids a learner needs to find this request on the dashboard. traceparent itself is a request header
        // only (W3C Trace Context defines no response use), so the full trace id goes back as X-Trace-Id.
        head.set("X-Request-Id", trace.requestId());
        head.set("X-Trace-Id", trace.traceId());
        head.remove("Transfer-Encoding");
        if (st.forbidsBody()) {
            head.remove("Content-Length");
        } else if (contentLength >= 0) {
            head.set("Content-Length", Long.toString(contentLength));
        } else if (request.version() == HttpVersion.HTTP_1_1) {
            head.remove("Content-Length");
            head.set("Transfer-Encoding", "chunked");
            chunked = bodyAllowed;
        } else {
            // HTTP/1.0 has no chunked coding: the end of the connection marks the end of the body (§6.3, rule 8)
            head.remove("Content-Length");
            keepAlive = false;
        }
        if (!keepAlive) {
            head.set("Connection", "close");
        } else if (request.version() == HttpVersion.HTTP_1_0) {
            head.set("Connection", "keep-alive");
        } else {
            head.remove("Connection");
        }
        long headNanos = System.nanoTime();
        HttpResponseHead built = head.build();
        if (faults != null) {
            faults.responseStart();
        }
        out(built, false);
        connection.trace().responseSent(trace.traceId(), built, headNanos, System.nanoTime());
    }

    /** Writes body bytes, framed as a chunk when the response is chunked; takes ownership of {@code data}. */
    public ChannelFuture sendBody(ByteBuf data) {
        requireHeadSent();
        int n = data.readableBytes();
        if (!bodyAllowed || n == 0) {
            data.release();
            return ctx.newSucceededFuture();
        }
        if (faults != null) {
            return faults.sendBody(data, bodyBytesSent, this::writeBody);
        }
        return writeBody(data);
    }

    /** One piece of the body on the wire, chunk-framed when needed. */
    private ChannelFuture writeBody(ByteBuf data) {
        int n = data.readableBytes();
        bodyBytesSent += n;
        if (chunked) {
            ByteBuf size = ctx.alloc().ioBuffer(10);
            size.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
            size.writeBytes(CRLF);
            out(size, false);
            out(data, false);
            return out(Unpooled.wrappedBuffer(CRLF), true);
        }
        return out(data, true);
    }

    /** Every write of the exchange: straight to the channel, or through the faults when there are any. */
    private ChannelFuture out(Object msg, boolean flush) {
        if (faults == null) {
            return flush ? ctx.writeAndFlush(msg) : ctx.write(msg);
        }
        return faults.write(msg, flush);
    }

    /**
     * Writes {@code length} bytes of a file. On plain TCP the kernel copies them straight from the page cache to
     * the socket (a FileRegion, sendfile(2)); under TLS the bytes must pass through the cipher, so they are read
     * in chunks instead. The file channel is closed once written (or at once, when no body is sent).
     */
    public void sendFile(FileChannel file, long offset, long length) throws IOException {
        requireHeadSent();
        if (!bodyAllowed || length == 0) {
            file.close();
            return;
        }
        if (chunked) {
            throw new IllegalStateException("files are sent with a Content-Length");
        }
        if (faults != null && faults.watchesResponseBody()) {
            // a fault may cut the body: the file goes through memory, where it can be cut at any byte
            sendBody(faults.readRegion(new DefaultFileRegion(file, offset, length)));
            return;
        }
        bodyBytesSent += length;
        if (secure) {
            out(new ChunkedNioFile(file, offset, length, FILE_CHUNK_SIZE), false);
        } else {
            out(new DefaultFileRegion(file, offset, length), false);
        }
    }

    /** Writes a region of a file with sendfile(2); plain TCP only. The region is released once written. */
    public void sendFileRegion(io.netty.channel.FileRegion region, long length) {
        requireHeadSent();
        if (!bodyAllowed || length == 0 || secure || chunked) {
            region.release();
            if (secure || chunked) {
                throw new IllegalStateException("a FileRegion needs plain TCP and a Content-Length");
            }
            return;
        }
        if (faults != null && faults.watchesResponseBody()) {
            try {
                sendBody(faults.readRegion(region));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        bodyBytesSent += length;
        out(region, false);
    }

    /** Ends the response: the last chunk if chunked, a flush, the access log line. */
    public void end() {
        requireHeadSent();
        if (response == Response.ENDED) {
            return;
        }
        response = Response.ENDED;
        releaseBufferedBody();
        // whatever body is still on its way must be read (and dropped) before the next request can start
        connection.pauseReading(false);
        // counted before the flush, so that a client that has read the response finds it in the metrics
        logAccess();
        ChannelFuture done = chunked
                ? out(Unpooled.wrappedBuffer(LAST_CHUNK), true)
                : out(Unpooled.EMPTY_BUFFER, true);
        if (faults == null) {
            connection.responseEnded(this, keepAlive, done);
            return;
        }
        faults.responseEnd(done, connection::closeAfterResponse,
                () -> connection.responseEnded(this, keepAlive, done));
    }

    /** A whole response at once. */
    public void respond(HttpResponseHead.Builder head, ByteBuf body) {
        sendHead(head, body.readableBytes());
        sendBody(body);
        end();
    }

    /**
     * An HTML error page naming what went wrong and the rule that says so, with any {@code extraFields} the status
     * calls for, e.g. {@code Retry-After} on a 503 (RFC 9110 §10.2.3).
     */
    public void sendError(HttpStatus errorStatus, String detail, String rule, HttpResponseHead.Field... extraFields) {
        if (response != Response.NOT_STARTED) {
            abort();
            return;
        }
        byte[] page = ErrorPage.html(errorStatus, detail, rule).getBytes(StandardCharsets.UTF_8);
        HttpResponseHead.Builder head = HttpResponseHead.builder(errorStatus)
                .add("Content-Type", "text/html; charset=utf-8")
                .add("Cache-Control", "no-store");
        for (HttpResponseHead.Field field : extraFields) {
            head.add(field.name(), field.value());
        }
        respond(head, Unpooled.wrappedBuffer(page));
    }

    /** Gives up on a response whose head is already out: closing is the only way to tell the client. */
    public void abort() {
        if (response == Response.ENDED) {
            return;
        }
        response = Response.ENDED;
        releaseBufferedBody();
        logAccess();
        connection.responseAborted(this);
    }

    // ------------------------------------------------------------------ flow control and lifecycle

    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    /**
     * Stops (true) or resumes (false) reading this request's body from the client, for a consumer that cannot keep
     * up: TCP flow control then slows the client down instead of the server buffering the body.
     */
    public void pauseBody(boolean pause) {
        if (response != Response.ENDED || !requestComplete) {
            connection.pauseReading(pause);
        }
    }

    /** Called when the client's socket buffer drains again, so that a streaming producer can resume. */
    public void onWritable(Runnable callback) {
        this.onWritable = callback;
    }

    /** Called when the client goes away before the response ended, so that upstream work can be cancelled. */
    public void onClientGone(Runnable callback) {
        this.onClientGone = callback;
    }

    void writabilityChanged() {
        if (onWritable != null && ctx.channel().isWritable()) {
            onWritable.run();
        }
    }

    void clientGone() {
        releaseBufferedBody();
        if (faults != null) {
            faults.releaseHeldParts();
        }
        if (bodyListener != null && !requestComplete) {
            bodyListener.onAbort("client closed the connection");
        }
        if (response != Response.ENDED) {
            response = Response.ENDED;
            if (status == 0) {
                status = 499; // nginx's code for "client closed request", so the access log shows what happened
            }
            logAccess();
            if (onClientGone != null) {
                onClientGone.run();
            }
        }
    }

    private void requireHeadSent() {
        if (response == Response.NOT_STARTED) {
            throw new IllegalStateException("send the head first");
        }
    }

    private void releaseBufferedBody() {
        while (!bufferedBody.isEmpty()) {
            bufferedBody.poll().release();
        }
    }

    private void logAccess() {
        server.httpMetrics().responded(request.method(), status, bodyBytesSent, startNanos);
        if (!server.accessLog().enabled()) {
            return;
        }
        server.accessLog().log(remoteAddress(), request.requestLine(), status, bodyBytesSent,
                request.fields().get("referer"), request.fields().get("user-agent"), startNanos);
    }
}
