package org.foobarstack.admin;

import org.foobarstack.httpcodec.parser.HttpRequestHead;

/**
 * What the admin server's connection handler asks of the routes it serves: the answer to a whole request, and,
 * for the routes that read a body, how much of one and whether the head alone settles the answer. The admin
 * server's own routes ({@link AdminRoutes}) and Toxiproxy's API ({@link ToxiproxyRoutes}) both run on the same
 * plumbing: the shared HTTP/1.1 parser, {@link AdminConnectionHandler} and the threads of {@link AdminServer}.
 */
public interface HttpRoutes {

    /** The whole response to a whole request (its body read, if {@link #bodyLimit} allowed one). */
    AdminResponse handle(AdminRequest request);

    /** How many bytes of body this request's route reads; 0 for a route that answers from the head alone. */
    long bodyLimit(AdminRequest request);

    /**
     * The answer to a request whose route reads a body, when its head alone settles it (no token, a
     * Content-Length over the limit); null when the body is worth reading.
     *
     * @param contentLength the head's Content-Length, or -1 for a chunked body
     */
    AdminResponse answerBeforeBody(AdminRequest request, long contentLength);

    /** 413 for a body over its route's limit; {@code howBig} says how big it is, or how much arrived. */
    AdminResponse bodyTooLarge(AdminRequest request, String howBig);

    /**
     * A refusal the head's fields alone decide, before any route is asked (a browser, where a server without a
     * token takes no requests from one); null to go on. None by default.
     */
    default AdminResponse screen(HttpRequestHead head) {
        return null;
    }
}
