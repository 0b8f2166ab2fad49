package org.foobarstack.httpcodec.parser;

/**
 * What the parser emits instead of a request when the bytes break a rule. After it, the parser reads nothing more
 * from the connection: the framing can no longer be trusted, so the server answers and closes (RFC 9112 §9.6).
 *
 * @param violation the broken rule
 * @param detail    what exactly was seen, for the error page and the log
 * @param method    the request's method as sent, when the request line was read that far (a bad Host, a body too
 *                  large...), else null. The answer to a HEAD request carries no content, an error page included
 *                  (RFC 9110 §9.3.2), so the server needs to know.
 */
public record HttpRequestError(HttpViolation violation, String detail, String method) {

    /** An error met before any method was read. */
    public HttpRequestError(HttpViolation violation, String detail) {
        this(violation, detail, null);
    }

    public int status() {
        return violation.status();
    }

    /** Whether the refused request is a HEAD, whose answer must have no content (RFC 9110 §9.3.2). */
    public boolean isHead() {
        return "HEAD".equals(method);
    }

    /** "RFC 9112 §6.3: both Content-Length and Transfer-Encoding (Content-Length: 3)" */
    public String message() {
        return violation + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
