package org.foobarstack.httpcodec.parser;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.foobarstack.httpcodec.response.HttpStatus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.foobarstack.httpcodec.parser.MessageSyntax.*;

/**
 * The client side's reader: turns the bytes a server sends into responses, a {@link ReceivedResponseHead} and then
 * its body as {@link HttpBodyPart}s (the last one marked), or one {@link HttpResponseError} when a rule is broken.
 * The load balancer reads its backends with it, and the load generator the servers it loads.
 *
 * <p>A response cannot be framed without knowing its request: the answer to a HEAD has no body whatever its
 * Content-Length says (RFC 9112 §6.3, rule 1). So whoever writes a request tells the parser first, with
 * {@link #expectResponseTo(String)}; responses are matched to requests in order (§9.3.2), and bytes that arrive
 * while no request waits are an error rather than the start of a response.
 *
 * <pre>
 *   STATUS_LINE ──► HEADER_FIELDS ──┬─► (no body: HEAD, 1xx, 204, 304) ─────────────────► STATUS_LINE
 *                                   ├─► FIXED_BODY ─────────────────────────────────────► STATUS_LINE
 *                                   ├─► CHUNK_SIZE ─► CHUNK_DATA ─► CHUNK_DATA_END ─► ... TRAILER_FIELDS ─► STATUS_LINE
 *                                   └─► UNTIL_CLOSE ─── (the server closes) ──► done
 *   any state ──(rule broken, or the connection closes mid-message)──► REJECTED
 * </pre>
 *
 * <p>The rules that requests and responses share (line endings, field lines, Content-Length, chunk lines) are the
 * request parser's, from {@link MessageSyntax}: one reading of the framing for both directions. What differs is
 * named here: the status line (§4), the framing decision for responses (§6.3 rules 1, 3 and 8), and incomplete
 * messages (§8).
 */
public final class HttpResponseParser extends ByteToMessageDecoder {

    /** The parser's position in RFC 9112's grammar for a response. */
    public enum State {
        /** Waiting for "HTTP-version SP status-code SP [ reason-phrase ] CRLF" (§4). */
        STATUS_LINE,
        /** Reading field lines until the empty line (§5). */
        HEADER_FIELDS,
        /** Passing on Content-Length body bytes (§6.2). */
        FIXED_BODY,
        /** Reading a chunk-size line (§7.1). */
        CHUNK_SIZE,
        /** Passing on chunk data. */
        CHUNK_DATA,
        /** Expecting the CRLF after chunk data. */
        CHUNK_DATA_END,
        /** Reading trailer fields after the last chunk (§7.1.2); they are dropped. */
        TRAILER_FIELDS,
        /** Passing on everything until the server closes the connection (§6.3, rule 8). */
        UNTIL_CLOSE,
        /** A rule was broken or the message was cut off; everything that arrives is dropped. */
        REJECTED
    }

    private final ParserLimits limits;
    private final BooleanSupplier captureHeads;
    /** The methods of the requests written and not yet answered, oldest first. */
    private final Deque<String> waiting = new ArrayDeque<>();

    private State state = State.STATUS_LINE;
    private HttpVersion version;
    private HttpStatus status;
    private final List<HttpFields.Field> fields = new ArrayList<>();
    private int headerBytes;
    private long contentLength;
    private boolean keepAlive;
    private final HeadCopy headCopy = new HeadCopy();
    private final BodyReader body = new BodyReader();

    public HttpResponseParser(ParserLimits limits) {
        this(limits, () -> false);
    }

    /** @param captureHeads asked once per response: true keeps a copy of the head's bytes for a trace */
    public HttpResponseParser(ParserLimits limits, BooleanSupplier captureHeads) {
        this.limits = limits;
        this.captureHeads = captureHeads;
    }

    /** Tells the parser that a request with this method was written: its response is the next one to read. */
    public void expectResponseTo(String method) {
        waiting.addLast(method);
    }

    /** Requests written whose response has not fully arrived. */
    public int waitingResponses() {
        return waiting.size();
    }

    public State state() {
        return state;
    }

    /** True between responses: nothing of a response has been read, so the connection may carry another request. */
    public boolean isIdle() {
        return state == State.STATUS_LINE && waiting.isEmpty();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            boolean progress = true;
            while (progress && in.isReadable()) {
                progress = switch (state) {
                    case STATUS_LINE -> readStatusLine(in);
                    case HEADER_FIELDS -> readHeaderField(in, out);
                    case FIXED_BODY -> readFixedBody(in, out);
                    case CHUNK_SIZE -> readChunkSize(in);
                    case CHUNK_DATA -> readChunkData(in, out);
                    case CHUNK_DATA_END -> readChunkDataEnd(in);
                    case TRAILER_FIELDS -> readTrailerField(in, out);
                    case UNTIL_CLOSE -> {
                        out.add(new HttpBodyPart(in.readRetainedSlice(in.readableBytes()), false));
                        yield false;
                    }
                    case REJECTED -> {
                        in.skipBytes(in.readableBytes());
                        yield false;
                    }
                };
            }
        } catch (Rejection rejection) {
            reject(in, out, rejection.violation, rejection.detail);
        }
    }

    /**
     * The server closed the connection. A body framed "until close" ends here, normally; any other message that
     * has begun and not ended is incomplete (§8), and is reported rather than passed on as if it were whole.
     */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        switch (state) {
            case UNTIL_CLOSE -> {
                out.add(HttpBodyPart.emptyLast());
                waiting.pollFirst();
                state = State.STATUS_LINE;
            }
            case STATUS_LINE, REJECTED -> {
                // nothing begun: a closed idle connection, or one whose request got no byte of answer (the
                // reader sees the close with its request still waiting, which it may retry)
            }
            case HEADER_FIELDS -> reject(in, out, HttpViolation.INCOMPLETE_RESPONSE, "in the header section");
            default -> reject(in, out, HttpViolation.INCOMPLETE_RESPONSE,
                    contentLength >= 0 ? (contentLength - body.remaining()) + " of " + contentLength + " body bytes"
                            : "in the chunked body, after " + body.chunkedBytes() + " bytes");
        }
    }

    private void reject(ByteBuf in, List<Object> out, HttpViolation violation, String detail) {
        in.skipBytes(in.readableBytes());
        state = State.REJECTED;
        fields.clear();
        headCopy.discard();
        out.add(new HttpResponseError(violation, detail));
    }

    // ---------------------------------------------------------------- STATUS_LINE

    /** status-line = HTTP-version SP status-code SP [ reason-phrase ] (§4). */
    private boolean readStatusLine(ByteBuf in) {
        if (waiting.isEmpty()) {
            throw new Rejection(HttpViolation.UNSOLICITED_RESPONSE,
                    in.readableBytes() + " bytes: " + printable(ascii(in, in.readerIndex(),
                            Math.min(in.readableBytes(), 40))));
        }
        int lineLength = findLine(in, limits.maxRequestLineBytes(), HttpViolation.STATUS_LINE_TOO_LONG);
        if (lineLength < 0) {
            return false;
        }
        int start = in.readerIndex();
        in.skipBytes(lineLength + CRLF_LENGTH);
        headCopy.start(captureHeads.getAsBoolean());
        headCopy.add(in, start, lineLength + CRLF_LENGTH);
        String line = ascii(in, start, lineLength);
        // "HTTP/1.1 200" + optional " reason": the version is 8 characters, the code 3
        if (line.length() < 12 || line.charAt(8) != ' '
                || (line.length() > 12 && line.charAt(12) != ' ')) {
            throw new Rejection(HttpViolation.MALFORMED_STATUS_LINE, printable(line));
        }
        version = parseVersion(line.substring(0, 8));
        String code = line.substring(9, 12);
        if (!isDigit(code.charAt(0)) || !isDigit(code.charAt(1)) || !isDigit(code.charAt(2))
                || code.charAt(0) < '1' || code.charAt(0) > '5') {
            throw new Rejection(HttpViolation.INVALID_STATUS_CODE, printable(code));
        }
        // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): a client SHOULD ignore it (§4), but not its controls
        String reason = line.length() > 13 ? line.substring(13) : "";
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new Rejection(HttpViolation.INVALID_REASON_PHRASE, printable(reason));
            }
        }
        int statusCode = Integer.parseInt(code);
        if (statusCode == 101) {
            // only a request with Upgrade may be answered 101; the readers of this parser never send one
            throw new Rejection(HttpViolation.UNREQUESTED_PROTOCOL_SWITCH, line);
        }
        HttpStatus known = HttpStatus.of(statusCode);
        status = reason.isEmpty() || reason.equals(known.reason()) ? known : new HttpStatus(statusCode, reason);
        fields.clear();
        headerBytes = 0;
        state = State.HEADER_FIELDS;
        return true;
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT (§2.3); a 1.x above 1.1 is read as 1.1 (RFC 9110 §6.2). */
    private static HttpVersion parseVersion(String text) {
        if (!text.startsWith("HTTP/") || text.charAt(6) != '.' || !isDigit(text.charAt(5)) || !isDigit(text.charAt(7))) {
            throw new Rejection(HttpViolation.INVALID_VERSION, printable(text));
        }
        if (text.charAt(5) != '1') {
            throw new Rejection(HttpViolation.UNSUPPORTED_VERSION, text);
        }
        return text.charAt(7) == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    // ---------------------------------------------------------------- HEADER_FIELDS

    private boolean readHeaderField(ByteBuf in, List<Object> out) {
        int lineLength = readFieldLine(in, true);
        if (lineLength == 0) {
            endOfHeaderSection(out);
        }
        return lineLength >= 0;
    }

    /**
     * Reads one line of the header or trailer section; returns -1 when it has not fully arrived, 0 for the empty
     * line that ends the section, else the line's length (the field was added to {@link #fields}).
     */
    private int readFieldLine(ByteBuf in, boolean header) {
        refuseLeadingWhitespace(in.getByte(in.readerIndex()), header && fields.isEmpty());
        int room = limits.maxHeaderBytes() - headerBytes;
        int lineLength = findLine(in, Math.max(room, 0), HttpViolation.HEADER_SECTION_TOO_LARGE);
        if (lineLength < 0) {
            return -1;
        }
        int start = in.readerIndex();
        in.skipBytes(lineLength + CRLF_LENGTH);
        headerBytes += lineLength + CRLF_LENGTH;
        if (header) {
            headCopy.add(in, start, lineLength + CRLF_LENGTH);
        }
        if (lineLength > 0) {
            HttpFields.Field field = parseFieldLine(in, start, lineLength);
            if (fields.size() >= limits.maxHeaderFields()) {
                throw new Rejection(HttpViolation.TOO_MANY_FIELDS, "limit " + limits.maxHeaderFields());
            }
            fields.add(field);
        }
        return lineLength;
    }

    /** The empty line arrived: decide the framing of the body (§6.3) and emit the head. */
    private void endOfHeaderSection(List<Object> out) {
        HttpFields headers = HttpFields.of(fields);
        fields.clear();
        String method = waiting.peekFirst();
        int code = status.code();

        BodyFraming framing;
        contentLength = -1;
        List<String> transferEncodings = headers.getAll("transfer-encoding");
        List<String> contentLengths = headers.getAll("content-length");
        if (method.equals("HEAD") || code < 200 || code == 204 || code == 304) {
            // rule 1: these never have a body, whatever their fields say
            framing = BodyFraming.NONE;
        } else if (!transferEncodings.isEmpty()) {
            if (!contentLengths.isEmpty()) {
                // rule 3: "ought to be handled as an error"; a proxy that forwarded it could be split in two
                throw new Rejection(HttpViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                        "Content-Length: " + contentLengths.get(0));
            }
            if (version == HttpVersion.HTTP_1_0) {
                throw new Rejection(HttpViolation.TRANSFER_ENCODING_IN_HTTP_1_0, null);
            }
            List<String> codings = transferCodings(transferEncodings);
            boolean chunkedLast = !codings.isEmpty() && codings.get(codings.size() - 1).equals("chunked");
            if (chunkedLast && codings.indexOf("chunked") != codings.size() - 1) {
                throw new Rejection(HttpViolation.CHUNKED_TWICE, "Transfer-Encoding: "
                        + String.join(", ", transferEncodings));
            }
            if (chunkedLast && codings.size() > 1) {
                throw new Rejection(HttpViolation.UNKNOWN_TRANSFER_CODING, codings.get(0));
            }
            // rule 4: a response whose final coding is not chunked runs until the server closes
            framing = chunkedLast ? BodyFraming.CHUNKED : BodyFraming.UNTIL_CLOSE;
        } else if (!contentLengths.isEmpty()) {
            if (contentLengths.size() > 1) {
                throw new Rejection(HttpViolation.MULTIPLE_CONTENT_LENGTHS, String.join(", ", contentLengths));
            }
            contentLength = parseContentLength(contentLengths.get(0));
            framing = BodyFraming.CONTENT_LENGTH;
        } else {
            // rule 8: no length at all: the body is everything until the server closes
            framing = BodyFraming.UNTIL_CLOSE;
        }

        keepAlive = framing != BodyFraming.UNTIL_CLOSE
                && !headers.containsToken("connection", "close")
                && (version.persistentByDefault() || headers.containsToken("connection", "keep-alive"));
        out.add(new ReceivedResponseHead(version, status, headers, framing, contentLength, keepAlive, method,
                headCopy.take()));
        if (code < 200) {
            // an interim response; the final one to the same request follows
            state = State.STATUS_LINE;
            return;
        }
        switch (framing) {
            case NONE -> endOfMessage(out);
            case CONTENT_LENGTH -> {
                if (contentLength == 0) {
                    endOfMessage(out);
                } else {
                    body.startFixed(contentLength);
                    state = State.FIXED_BODY;
                }
            }
            case CHUNKED -> {
                body.startChunked();
                state = State.CHUNK_SIZE;
            }
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
        }
    }

    // ---------------------------------------------------------------- bodies

    private boolean readFixedBody(ByteBuf in, List<Object> out) {
        if (body.readFixed(in, out)) {
            finishMessage();
        }
        return true;
    }

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
        body.startChunk(size);
        state = State.CHUNK_DATA;
        return true;
    }

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

    private boolean readTrailerField(ByteBuf in, List<Object> out) {
        int lineLength = readFieldLine(in, false);
        if (lineLength == 0) {
            fields.clear();
            endOfMessage(out);
        }
        return lineLength >= 0;
    }

    private void endOfMessage(List<Object> out) {
        out.add(HttpBodyPart.emptyLast());
        finishMessage();
    }

    private void finishMessage() {
        waiting.pollFirst();
        state = State.STATUS_LINE;
    }
}
