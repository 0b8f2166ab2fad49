package org.foobarstack.lb.config;

/**
 * HAProxy's {@code mode}: what the balancer understands of the traffic it passes on.
 */
public enum Mode {
    /**
     * Layer 7: every request is read, a server is chosen per request, headers are added (X-Forwarded-For,
     * Forwarded, Via), and responses are read and counted by status. One client connection may be served by
     * several servers, one request after another.
     */
    HTTP,
    /**
     * Layer 4: a server is chosen per connection and bytes are copied both ways without being read. Anything
     * that runs over TCP can be balanced (TLS passes through untouched), but nothing can be added to a request
     * and a failed server cannot be replaced in the middle of a connection.
     */
    TCP
}
