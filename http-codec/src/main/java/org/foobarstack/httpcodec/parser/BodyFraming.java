package org.foobarstack.httpcodec.parser;

/** How the end of a message body is found (RFC 9112 §6.3). */
public enum BodyFraming {
    /** No Content-Length and no Transfer-Encoding: a request then has no body at all (§6.3, rule 7). */
    NONE,
    /** Content-Length bytes follow the header section (§6.3, rule 6). */
    CONTENT_LENGTH,
    /** The body is a series of chunks ending with a zero-size one (§7.1). */
    CHUNKED,
    /**
     * Responses only: the body runs until the server closes the connection (§6.3, rule 8). A request can never be
     * framed this way, since its sender still needs the connection to read the response.
     */
    UNTIL_CLOSE
}
