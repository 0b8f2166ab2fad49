package org.foobarstack.httpcodec.parser;

/**
 * What {@link HttpResponseParser} emits instead of (the rest of) a response when the server's bytes break a rule,
 * or the connection closes in the middle of a response. After it the parser reads nothing more: the connection's
 * framing can no longer be trusted, and the reader closes it. A proxy answers its own client 502.
 *
 * @param violation the broken rule
 * @param detail    what exactly was seen, for the error page and the log
 */
public record HttpResponseError(HttpViolation violation, String detail) {

    /** "RFC 9112 §8: the connection closed before the end of the response (12 of 40 body bytes)" */
    public String message() {
        return violation + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
