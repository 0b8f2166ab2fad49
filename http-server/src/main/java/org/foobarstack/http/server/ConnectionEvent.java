package org.foobarstack.http.server;

/** Events that travel up a connection's pipeline to the {@link HttpConnectionHandler}. */
public enum ConnectionEvent {
    /** The header section did not arrive in time (408). */
    HEADER_TIMEOUT,
    /** A persistent connection stayed idle too long between requests. */
    IDLE_TIMEOUT,
    /** A request body stopped arriving. */
    BODY_TIMEOUT,
    /** The server is shutting down: finish the request in flight, then close. */
    SHUTDOWN
}
