package org.foobarstack.httpcodec.parser;

import java.nio.charset.StandardCharsets;

/**
 * A request's line and header section, as the parser hands it on. Its body follows as {@link HttpBodyPart}s.
 *
 * @param method         the method token, case-sensitive (RFC 9110 §9.1): "GET", not "get"
 * @param target         the request-target, split into its parts
 * @param version        HTTP/1.0 or HTTP/1.1
 * @param fields         the header fields
 * @param framing        how the body is delimited
 * @param contentLength  the Content-Length, or -1 when the body is chunked or absent
 * @param keepAlive      whether the connection may carry another request after this one (RFC 9112 §9.3)
 * @param expectContinue whether the client waits for "100 Continue" before sending its body (RFC 9110 §10.1.1)
 * @param rawHead        the request line and header section exactly as received, final empty line included, for a
 *                       trace's field tree; null when the parser was not asked to keep it
 * @param firstByteNanos {@code System.nanoTime()} when the request line had been read, 0 when not captured
 */
public record HttpRequestHead(String method, RequestTarget target, HttpVersion version, HttpFields fields,
                              BodyFraming framing, long contentLength, boolean keepAlive, boolean expectContinue,
                              byte[] rawHead, long firstByteNanos) {

    /** A head without a captured copy of its bytes. */
    public HttpRequestHead(String method, RequestTarget target, HttpVersion version, HttpFields fields,
                           BodyFraming framing, long contentLength, boolean keepAlive, boolean expectContinue) {
        this(method, target, version, fields, framing, contentLength, keepAlive, expectContinue, null, 0);
    }

    public boolean hasBody() {
        return framing == BodyFraming.CHUNKED || (framing == BodyFraming.CONTENT_LENGTH && contentLength > 0);
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }

    /** "GET /index.html HTTP/1.1", as an access log shows it. */
    public String requestLine() {
        return method + " " + target.raw() + " " + version.text();
    }

    /**
     * The head as it is sent (RFC 9112 §2.1): the bytes as they came over the wire when they were kept, else rebuilt
     * from the parts: the request line, one "name: value" line per field in the order they arrived (names
     * lower-cased, as stored), and the empty line, each ended by CRLF. The parser's decisions (framing, keep-alive)
     * are left out: they are not part of the message. {@link ReceivedResponseHead} prints a response the same way.
     */
    @Override
    public String toString() {
        if (rawHead != null) {
            return new String(rawHead, StandardCharsets.ISO_8859_1);
        }
        StringBuilder text = new StringBuilder(requestLine()).append("\r\n");
        for (HttpFields.Field field : fields.asList()) {
            text.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        return text.append("\r\n").toString();
    }

    /** A copy that will close the connection after its response. */
    public HttpRequestHead withKeepAlive(boolean keep) {
        return new HttpRequestHead(method, target, version, fields, framing, contentLength, keep, expectContinue,
                rawHead, firstByteNanos);
    }
}
