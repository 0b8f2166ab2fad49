package org.foobarstack.httpcodec.parser;

/**
 * What the parser emits instead of a request when the bytes break a rule. After it, the parser reads nothing more
 * from the connection: the framing can no longer be trusted, so the server answers and closes (RFC 9112 §9.6).
 *
 * @param violation the broken rule
 * @param detail    what exactly was seen, for the error page and the log
 */
public record HttpRequestError(HttpViolation violation, String detail) {

    public int status() {
        return violation.status();
    }

    /** "RFC 9112 §6.3: both Content-Length and Transfer-Encoding (Content-Length: 3)" */
    public String message() {
        return violation + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
