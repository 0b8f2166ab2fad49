package org.foobarstack.topology;

import java.time.Duration;

/**
 * How long a load balancer waits, with HAProxy's three basic timeouts.
 *
 * @param connect for a server to accept a connection; HAProxy's {@code timeout connect}, 1s by
 *     default. When it runs out, the attempt counts against {@code retries}.
 * @param server for a server to send the next part of its answer; HAProxy's {@code timeout
 *     server}, 10s by default
 * @param client for a client to send the next part of its request, or a new request on a
 *     kept-alive connection; HAProxy's {@code timeout client}, 30s by default
 */
public record LbTimeouts(Duration connect, Duration server, Duration client) {

    /** connect 1s, server 10s, client 30s. */
    public static final LbTimeouts DEFAULT =
            new LbTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30));

    public LbTimeouts {
        HealthCheckSpec.requirePositive(connect, "timeout connect");
        HealthCheckSpec.requirePositive(server, "timeout server");
        HealthCheckSpec.requirePositive(client, "timeout client");
    }
}
