package org.foobarstack.lb.config;

import java.time.Duration;

/**
 * HAProxy's {@code timeout connect}, {@code timeout server} and {@code timeout client}.
 *
 * @param connect how long opening a connection to a server may take before it counts as a connection failure
 * @param server  how long a server may stay silent while a response is expected (504 when it runs out)
 * @param client  how long a client connection may stay idle, or take to send a request, before it is closed
 */
public record Timeouts(Duration connect, Duration server, Duration client) {

    public static Timeouts defaults() {
        return new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /**
     * HAProxy's turn-around timer: after a failed connection attempt, a retry waits min(timeout connect, 1 s), so
     * that a server which is restarting is not hammered. A redispatch to another server does not wait.
     */
    public Duration turnAround() {
        return connect.compareTo(Duration.ofSeconds(1)) < 0 ? connect : Duration.ofSeconds(1);
    }
}
