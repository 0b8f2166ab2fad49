package org.foobarstack.httpcodec.parser;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.foobarstack.httpcodec.parser.MessageSyntax.*;

/**
 * Turns the bytes of one connection into requests: an {@link HttpRequestHead}, then its body as
 * {@link HttpBodyPart}s, the last one marked; then the next request. Bytes that break a rule turn into one
 * {@link HttpRequestError}, after which the parser discards everything (RFC 9112 §9.6: the server answers, then
 * closes).
 *
 * <p>The parser is a state machine with one state per step of RFC 9112's message grammar. Each call of
 * {@link #decode} runs states for as long as the buffered bytes allow; a state that needs more bytes than have
 * arrived returns and is resumed, unchanged, when the next TCP segment comes. That is why a request split at any
 * byte boundary parses to the same result.
 *
 * <pre>
 *   REQUEST_LINE ──► HEADER_FIELDS ──┬─► (no body) ─────────────────────────────────────► REQUEST_LINE
 *                                    ├─► FIXED_BODY ────────────────────────────────────► REQUEST_LINE
 *                                    └─► CHUNK_SIZE ─► CHUNK_DATA ─► CHUNK_DATA_END ─┐
 *                                           ▲  │ size 0                               │
 *                                           │  └──► TRAILER_FIELDS ─────────────────────► REQUEST_LINE
 *                                           └─────────────────────────────────────────┘
 *   any state ──(rule broken)──► REJECTED          after "Connection: close" ──► CLOSED
 * </pre>
 *
 * <p>For tracing, the parser can keep a copy of each request's head exactly as it arrived (request line and
 * header lines with their CRLFs, {@link HttpRequestHead#rawHead()}) and the moment its first byte was read. It
 * decides per request by asking {@code captureHeads}, so switching tracing off stops the copying at once.
 */
public final class HttpRequestParser extends ByteToMessageDecoder {

    /** The content type of a TLS handshake record (RFC 8446 §5.1, B.1). */
    private static final int TLS_HANDSHAKE = 0x16;

    /** The parser's position in RFC 9112's grammar. */
    public enum State {
        /** Waiting for "method SP request-target SP HTTP-version CRLF" (§3); empty lines before it are skipped. */
        REQUEST_LINE,
        /** Reading "field-name: field-value CRLF" lines until the empty line that ends the header section (§5). */
        HEADER_FIELDS,
        /** Passing on exactly Content-Length body bytes (§6.2). */
        FIXED_BODY,
        /** Reading "chunk-size [ chunk-ext ] CRLF" (§7.1). */
        CHUNK_SIZE,
        /** Passing on chunk-size bytes of chunk data. */
        CHUNK_DATA,
        /** Expecting the CRLF that ends the chunk data. */
        CHUNK_DATA_END,
        /** Reading trailer fields after the last chunk, until an empty line (§7.1.2). */
        TRAILER_FIELDS,
        /** A rule was broken; everything that arrives is dropped. */
        REJECTED,
        /** The last request asked to close the connection; nothing after it is a request (§9.6). */
        CLOSED
    }

    /** The methods of RFC 9110 §9 and RFC 5789 (PATCH). Other tokens are valid syntax, but not implemented (501). */
    static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final ParserLimits limits;
    private final BooleanSupplier captureHeads;

    /** The copy of the head being read, kept for a trace when {@link #captureHeads} says so. */
    private final HeadCopy headCopy = new HeadCopy();
    private final BodyReader body = new BodyReader();
    private long firstByteNanos;

    private State state = State.REQUEST_LINE;

    // the request being read
    private String method;
    private RequestTarget target;
    private HttpVersion version;
    private final List<HttpFields.Field> fields = new ArrayList<>();
    private int headerBytes;
    /** The Content-Length, checked when its line arrived; -1 while none has. */
    private long contentLength = -1;
    /** Whether a Transfer-Encoding line has arrived. */
    private boolean transferEncoded;
    private boolean keepAlive;

    public HttpRequestParser(ParserLimits limits) {
        this(limits, () -> false);
    }

    /** @param captureHeads asked once per request: true keeps a copy of the head's bytes for a trace */
    public HttpRequestParser(ParserLimits limits, BooleanSupplier captureHeads) {
        this.limits = limits;
        this.captureHeads = captureHeads;
    }

    public State state() {
        return state;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            boolean progress = true;
            while (progress && in.isReadable()) {
                progress = switch (state) {
                    case REQUEST_LINE -> readRequestLine(in);
                    case HEADER_FIELDS -> readHeaderField(in, out);
                    case FIXED_BODY -> readFixedBody(in, out);
                    case CHUNK_SIZE -> readChunkSize(in);
                    case CHUNK_DATA -> readChunkData(in, out);
                    case CHUNK_DATA_END -> readChunkDataEnd(in);
                    case TRAILER_FIELDS -> readTrailerField(in, out);
                    case REJECTED, CLOSED -> {
                        in.skipBytes(in.readableBytes());
                        yield false;
                    }
                };
            }
        } catch (Rejection rejection) {
            in.skipBytes(in.readableBytes());
            state = State.REJECTED;
            fields.clear();
            headCopy.discard();
            out.add(new HttpRequestError(rejection.violation, rejection.detail, method));
        }
    }

    // ---------------------------------------------------------------- REQUEST_LINE

    private boolean readRequestLine(ByteBuf in) {
        // a new request: until its method is read, an error here belongs to no method
        method = null;
        if (!rejectTlsRecord(in)) {
            return false;
        }
        int lineLength = findLine(in, limits.maxRequestLineBytes(), HttpViolation.REQUEST_LINE_TOO_LONG);
        if (lineLength < 0) {
            return false;
        }
        int start = in.readerIndex();
        in.skipBytes(lineLength + CRLF_LENGTH);
        if (lineLength == 0) {
            // §2.2: a server SHOULD ignore at least one empty line received before the request-line
            return true;
        }
        headCopy.start(captureHeads.getAsBoolean());
        if (headCopy.keeping()) {
            // the line has just been read whole; its first byte arrived at the latest now
            firstByteNanos = System.nanoTime();
        }
        headCopy.add(in, start, lineLength + CRLF_LENGTH);
        // method SP request-target SP HTTP-version: exactly one space between the three parts (§3)
        int firstSpace = indexOf(in, start, start + lineLength, SP);
        if (firstSpace < 0) {
            throw new Rejection(HttpViolation.MALFORMED_REQUEST_LINE, "no space after the method");
        }
        int secondSpace = indexOf(in, firstSpace + 1, start + lineLength, SP);
        if (secondSpace < 0) {
            throw new Rejection(HttpViolation.MALFORMED_REQUEST_LINE,
                    "no HTTP-version: HTTP/0.9 requests are not supported");
        }
        if (indexOf(in, secondSpace + 1, start + lineLength, SP) >= 0) {
            throw new Rejection(HttpViolation.MALFORMED_REQUEST_LINE, "more than two spaces");
        }
        method = ascii(in, start, firstSpace - start);
        if (method.isEmpty() || !isToken(in, start, firstSpace)) {
            throw new Rejection(HttpViolation.INVALID_METHOD, "method " + printable(method));
        }
        int targetStart = firstSpace + 1;
        for (int i = targetStart; i < secondSpace; i++) {
            if (!CharClasses.isTargetChar(in.getByte(i))) {
                throw new Rejection(HttpViolation.INVALID_TARGET,
                        "byte 0x" + Integer.toHexString(in.getByte(i) & 0xFF) + " in the request-target");
            }
        }
        String rawTarget = ascii(in, targetStart, secondSpace - targetStart);
        version = parseVersion(ascii(in, secondSpace + 1, start + lineLength - secondSpace - 1));
        if (!KNOWN_METHODS.contains(method)) {
            throw new Rejection(HttpViolation.UNKNOWN_METHOD, method);
        }
        if (method.equals("CONNECT")) {
            throw new Rejection(HttpViolation.CONNECT_NOT_SUPPORTED, rawTarget);
        }
        target = RequestTarget.parse(rawTarget);
        if (target.form() == RequestTarget.Form.AUTHORITY
                || (target.form() == RequestTarget.Form.ASTERISK && !method.equals("OPTIONS"))) {
            throw new Rejection(HttpViolation.INVALID_TARGET, printable(rawTarget));
        }
        fields.clear();
        headerBytes = 0;
        contentLength = -1;
        transferEncoded = false;
        state = State.HEADER_FIELDS;
        return true;
    }

    /**
     * A TLS record starts with its header (RFC 8446 §5.1): a content type byte, 22 (0x16) for a handshake, then
     * the legacy record version, 0x03 0x0X (0x0301 in a ClientHello). No request line can start with 0x16, a
     * control character that is not a token character, so those bytes are a client speaking TLS to a plain
     * HTTP port: refused with a reason that says so, instead of the syntax error the binary bytes would cause
     * further on.
     *
     * @return false while too few bytes have arrived to tell; true when the bytes are not a TLS record header
     */
    private static boolean rejectTlsRecord(ByteBuf in) {
        int start = in.readerIndex();
        if (in.getUnsignedByte(start) != TLS_HANDSHAKE) {
            return true;
        }
        if (in.readableBytes() < 3) {
            return false;
        }
        int major = in.getUnsignedByte(start + 1);
        int minor = in.getUnsignedByte(start + 2);
        if (major == 3 && minor <= 0x0F) {
            throw new Rejection(HttpViolation.TLS_HANDSHAKE_ON_PLAIN_PORT, String.format(
                    "record header %02x %02x %02x: content type 22 (handshake), version %d.%d", TLS_HANDSHAKE,
                    major, minor, major, minor));
        }
        return true;
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT (§2.3); 1.x above 1.1 is answered as 1.1 (RFC 9110 §6.2). */
    private static HttpVersion parseVersion(String text) {
        if (text.length() != 8 || !text.startsWith("HTTP/") || text.charAt(6) != '.'
                || !isDigit(text.charAt(5)) || !isDigit(text.charAt(7))) {
            throw new Rejection(HttpViolation.INVALID_VERSION, printable(text));
        }
        int major = text.charAt(5) - '0';
        int minor = text.charAt(7) - '0';
        if (major != 1) {
            throw new Rejection(HttpViolation.UNSUPPORTED_VERSION, text);
        }
        return minor == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    // ---------------------------------------------------------------- HEADER_FIELDS

    private boolean readHeaderField(ByteBuf in, List<Object> out) {
        FieldLine line = readFieldLine(in);
        if (line == FieldLine.SECTION_ENDED) {
            endOfHeaderSection(out);
        }
        return line != FieldLine.NEED_MORE_BYTES;
    }

    /** What {@link #readFieldLine} found at the reader index. */
    private enum FieldLine {
        /** A field line was read and added to {@link #fields}. */
        LINE_READ,
        /** The empty line that ends the section was read. */
        SECTION_ENDED,
        /** The line has not fully arrived; nothing was consumed. */
        NEED_MORE_BYTES
    }

    /**
     * Reads one line of a header or trailer section, adding a field line to {@link #fields}. Shared by
     * HEADER_FIELDS and TRAILER_FIELDS, since trailers have the same syntax (§7.1.2) and the same size budget.
     */
    private FieldLine readFieldLine(ByteBuf in) {
        // a line that starts with whitespace is refused at its first byte, without waiting for its end
        refuseLeadingWhitespace(in.getByte(in.readerIndex()), fields.isEmpty() && state == State.HEADER_FIELDS);
        int room = limits.maxHeaderBytes() - headerBytes;
        int lineLength = findLine(in, Math.max(room, 0), HttpViolation.HEADER_SECTION_TOO_LARGE);
        if (lineLength < 0) {
            return FieldLine.NEED_MORE_BYTES;
        }
        int start = in.readerIndex();
        in.skipBytes(lineLength + CRLF_LENGTH);
        headerBytes += lineLength + CRLF_LENGTH;
        if (state == State.HEADER_FIELDS) {
            headCopy.add(in, start, lineLength + CRLF_LENGTH);
        }
        if (lineLength == 0) {
            return FieldLine.SECTION_ENDED;
        }
        HttpFields.Field field = parseFieldLine(in, start, lineLength);
        if (fields.size() >= limits.maxHeaderFields()) {
            throw new Rejection(HttpViolation.TOO_MANY_FIELDS, "limit " + limits.maxHeaderFields());
        }
        if (state == State.HEADER_FIELDS) {
            checkFramingField(field);
        }
        fields.add(field);
        return FieldLine.LINE_READ;
    }

    /**
     * The home of the framing rules that one line can break (§6.3): Content-Length must be digits and come once,
     * and never with Transfer-Encoding (rule 3: a message with both is a smuggling attempt or a broken sender; the
     * server MUST close). They are checked as soon as the line is complete, not at the end of the header section: a
     * request that is already certain to be refused is refused before the client sends more. The rules that need
     * the whole section are in {@link #endOfHeaderSection}.
     */
    private void checkFramingField(HttpFields.Field field) {
        if (field.name().equals("content-length")) {
            long length = parseContentLength(field.value());
            if (contentLength >= 0) {
                throw new Rejection(HttpViolation.MULTIPLE_CONTENT_LENGTHS, "a second Content-Length: " + field.value());
            }
            if (transferEncoded) {
                throw new Rejection(HttpViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, null);
            }
            contentLength = length;
        } else if (field.name().equals("transfer-encoding")) {
            if (contentLength >= 0) {
                throw new Rejection(HttpViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, null);
            }
            transferEncoded = true;
        }
    }

    /** The empty line arrived: check the section as a whole, decide the body framing, emit the head. */
    private void endOfHeaderSection(List<Object> out) {
        HttpFields headers = HttpFields.of(fields);
        fields.clear();

        // Host (§3.2): exactly one in HTTP/1.1, and well-formed wherever it appears
        int hostCount = headers.count("host");
        if (hostCount > 1) {
            throw new Rejection(HttpViolation.MULTIPLE_HOSTS, String.join(", ", headers.getAll("host")));
        }
        if (hostCount == 0 && version == HttpVersion.HTTP_1_1) {
            throw new Rejection(HttpViolation.MISSING_HOST, null);
        }
        // an empty Host is allowed (a target without authority, §3.2); anything else must be uri-host [":" port]
        String host = hostCount == 1 ? headers.get("host") : null;
        if (host != null && !host.isEmpty()) {
            HostSyntax.Problem problem = HostSyntax.problem(host, HttpViolation.INVALID_HOST);
            if (problem != null) {
                throw new Rejection(problem.violation(), "Host: " + printable(host) + ": " + problem.reason());
            }
        }

        // Framing (§6.3): Transfer-Encoding, then Content-Length, then nothing. Content-Length's syntax, a second
        // Content-Length and the two together were refused as their lines arrived (checkFramingField).
        BodyFraming framing;
        if (transferEncoded) {
            if (version == HttpVersion.HTTP_1_0) {
                throw new Rejection(HttpViolation.TRANSFER_ENCODING_IN_HTTP_1_0, null);
            }
            checkTransferCodings(headers.getAll("transfer-encoding"));
            framing = BodyFraming.CHUNKED;
        } else if (contentLength >= 0) {
            if (contentLength > limits.maxBodyBytes()) {
                throw new Rejection(HttpViolation.BODY_TOO_LARGE,
                        contentLength + " bytes, limit " + limits.maxBodyBytes());
            }
            framing = BodyFraming.CONTENT_LENGTH;
        } else {
            framing = BodyFraming.NONE;
        }

        // Expect (RFC 9110 §10.1.1)
        String expect = headers.get("expect");
        boolean expectContinue = false;
        if (expect != null) {
            if (!expect.equalsIgnoreCase("100-continue")) {
                throw new Rejection(HttpViolation.UNSUPPORTED_EXPECTATION, printable(expect));
            }
            // an HTTP/1.0 client cannot understand 100 Continue (RFC 9110 §10.1.1)
            expectContinue = version == HttpVersion.HTTP_1_1;
        }

        // Persistence (§9.3): "close" always wins; HTTP/1.0 needs "keep-alive" to stay open
        keepAlive = !headers.containsToken("connection", "close")
                && (version.persistentByDefault() || headers.containsToken("connection", "keep-alive"));

        boolean kept = headCopy.keeping();
        HttpRequestHead head = new HttpRequestHead(method, target, version, headers, framing, contentLength,
                keepAlive, expectContinue, headCopy.take(), kept ? firstByteNanos : 0);
        out.add(head);
        switch (framing) {
            case CHUNKED -> {
                body.startChunked();
                state = State.CHUNK_SIZE;
            }
            case CONTENT_LENGTH -> {
                if (contentLength == 0) {
                    endOfMessage(out);
                } else {
                    body.startFixed(contentLength);
                    state = State.FIXED_BODY;
                }
            }
            case NONE -> endOfMessage(out);
        }
    }

    /**
     * transfer-coding list (§6.1): chunked must be last and appear once; any other coding would have to be undone
     * before the body means anything, and this server decodes none of them.
     */
    private static void checkTransferCodings(List<String> lines) {
        List<String> codings = transferCodings(lines);
        if (codings.isEmpty() || !codings.get(codings.size() - 1).equals("chunked")) {
            throw new Rejection(HttpViolation.CHUNKED_NOT_LAST, "Transfer-Encoding: " + String.join(", ", lines));
        }
        if (codings.indexOf("chunked") != codings.size() - 1) {
            throw new Rejection(HttpViolation.CHUNKED_TWICE, "Transfer-Encoding: " + String.join(", ", lines));
        }
        if (codings.size() > 1) {
            throw new Rejection(HttpViolation.UNKNOWN_TRANSFER_CODING, codings.get(0));
        }
    }

    // ---------------------------------------------------------------- FIXED_BODY

    private boolean readFixedBody(ByteBuf in, List<Object> out) {
        if (body.readFixed(in, out)) {
            finishMessage();
        }
        return true;
    }

    // ---------------------------------------------------------------- CHUNK_SIZE

    /** chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk = 1*("0") [ chunk-ext ] CRLF (§7.1). */
    private boolean readChunkSize(ByteBuf in) {
        int lineLength = findLine(in, ParserLimits.MAX_CHUNK_LINE_BYTES, HttpViolation.CHUNK_LINE_TOO_LONG);
        if (lineLength < 0) {
            return false;
        }
        int start = in.readerIndex();
        in.skipBytes(lineLength + CRLF_LENGTH);
        long size = parseChunkSizeLine(in, start, lineLength);
        if (size == 0) {
            fields.clear();
            state = State.TRAILER_FIELDS;
            return true;
        }
        if (body.startChunk(size) > limits.maxBodyBytes()) {
            throw new Rejection(HttpViolation.BODY_TOO_LARGE, "more than " + limits.maxBodyBytes() + " bytes");
        }
        state = State.CHUNK_DATA;
        return true;
    }

    // ---------------------------------------------------------------- CHUNK_DATA, CHUNK_DATA_END

    private boolean readChunkData(ByteBuf in, List<Object> out) {
        if (body.readChunkData(in, out)) {
            state = State.CHUNK_DATA_END;
        }
        return true;
    }

    private boolean readChunkDataEnd(ByteBuf in) {
        if (!readCrlfAfterChunk(in)) {
            return false;
        }
        state = State.CHUNK_SIZE;
        return true;
    }

    // ---------------------------------------------------------------- TRAILER_FIELDS

    /**
     * Trailer fields are read with the same rules as header fields and count against the same limits, then
     * dropped: nothing downstream of this server (static files, FastCGI) has a place for them (§7.1.2 allows it).
     */
    private boolean readTrailerField(ByteBuf in, List<Object> out) {
        FieldLine line = readFieldLine(in);
        if (line == FieldLine.SECTION_ENDED) {
            fields.clear();
            endOfMessage(out);
        }
        return line != FieldLine.NEED_MORE_BYTES;
    }

    // ---------------------------------------------------------------- end of a message

    private void endOfMessage(List<Object> out) {
        out.add(HttpBodyPart.emptyLast());
        finishMessage();
    }

    private void finishMessage() {
        // §9.6: after a request that closes the connection, nothing more is read as a request
        state = keepAlive ? State.REQUEST_LINE : State.CLOSED;
    }
}
