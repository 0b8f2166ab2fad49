package org.foobarstack.app.api;

/**
 * Where FastCGI ends and the application begins.
 *
 * <p>The responder ({@code org.foobarstack.app.fastcgi}) assembles one request from its PARAMS and STDIN
 * records, calls {@link #handle} on a worker thread (never on a network thread: an application may block on
 * JDBC), and writes the returned {@link AppResponse} back as a CGI response on STDOUT records. The application
 * sees no records, no request ids and no sockets: only CGI params, a body, and the response it returns.
 *
 * <p>Implementations must be safe to call from several worker threads at once.
 */
@FunctionalInterface
public interface Application {

    /**
     * Handles one request. An exception is answered with a 500 response by the responder, and its summary is
     * sent on the request's STDERR stream, which web servers write to their error log.
     */
    AppResponse handle(AppRequest request) throws Exception;

    /**
     * The route of a request as a short, fixed name for metrics ({@code /api/messages/{id}}, never the id itself:
     * every distinct label value is a new time series). The default puts every request under one name.
     */
    default String route(AppRequest request) {
        return "all";
    }
}
