package org.foobarstack.http.server;

/**
 * Answers one request. Called on the connection's event loop: a handler must not block; work that waits (the app
 * tier) completes later and calls back into the {@link HttpExchange}, which is bound to that event loop.
 */
@FunctionalInterface
public interface RequestHandler {

    void handle(HttpExchange exchange) throws Exception;
}
