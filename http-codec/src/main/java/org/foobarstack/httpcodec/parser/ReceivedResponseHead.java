package org.foobarstack.httpcodec.parser;

import org.foobarstack.httpcodec.response.HttpStatus;

import java.nio.charset.StandardCharsets;

/**
 * A response's status line and header section as {@link HttpResponseParser} read it from a server. Its body follows
 * as {@link HttpBodyPart}s, the last one marked; an interim (1xx) response has no body and is followed by the final
 * response to the same request.
 *
 * @param version       the server's HTTP version, 1.0 or 1.1
 * @param status        the status code, with the server's own reason phrase (which carries no meaning, RFC 9112 §4)
 * @param fields        the header fields, names lower-cased
 * @param framing       how the body ends: NONE, CONTENT_LENGTH, CHUNKED or UNTIL_CLOSE (RFC 9112 §6.3)
 * @param contentLength the Content-Length, or -1
 * @param keepAlive     whether the server keeps the connection open for another request after this response
 * @param requestMethod the method of the request this answers, which decides some framing (a HEAD gets no body)
 * @param rawHead       the status line and header section exactly as received, or null when not kept
 */
public record ReceivedResponseHead(HttpVersion version, HttpStatus status, HttpFields fields, BodyFraming framing,
                                   long contentLength, boolean keepAlive, String requestMethod, byte[] rawHead) {

    /** 1xx: an interim response, sent before the final one (RFC 9110 §15.2). */
    public boolean isInterim() {
        return status.code() < 200;
    }

    public boolean hasBody() {
        return framing == BodyFraming.CHUNKED || framing == BodyFraming.UNTIL_CLOSE
                || (framing == BodyFraming.CONTENT_LENGTH && contentLength > 0);
    }

    /** "HTTP/1.1 200 OK", as a log shows it. */
    public String statusLine() {
        return version.text() + " " + status.code() + " " + status.reason();
    }

    /** The head as it came over the wire when it was kept, else rebuilt from its parts, as dig-like text. */
    @Override
    public String toString() {
        if (rawHead != null) {
            return new String(rawHead, StandardCharsets.ISO_8859_1);
        }
        StringBuilder sb = new StringBuilder(statusLine()).append("\r\n");
        for (HttpFields.Field field : fields.asList()) {
            sb.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }
}
