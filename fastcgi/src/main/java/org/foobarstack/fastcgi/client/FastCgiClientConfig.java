package org.foobarstack.fastcgi.client;

import java.time.Duration;

/**
 * Settings of a {@link FastCgiClient}.
 *
 * @param connectTimeout            how long a TCP connect to the responder may take
 * @param responseTimeout           how long the responder may stay silent on a request (before its first record
 *                                  and between records); then the call fails with a timeout
 * @param maxConnectionsPerLoop     kept-alive connections per event loop
 * @param maxRequestsPerConnection  concurrent requests on one connection when the responder multiplexes
 * @param probeTimeout              how long to wait for the answer to GET_VALUES
 */
public record FastCgiClientConfig(Duration connectTimeout, Duration responseTimeout, int maxConnectionsPerLoop,
                                  int maxRequestsPerConnection, Duration probeTimeout) {

    public static FastCgiClientConfig defaults() {
        return new FastCgiClientConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), 32, 16, Duration.ofSeconds(2));
    }

    public FastCgiClientConfig withResponseTimeout(Duration d) {
        return new FastCgiClientConfig(connectTimeout, d, maxConnectionsPerLoop, maxRequestsPerConnection,
                probeTimeout);
    }

    public FastCgiClientConfig withConnectTimeout(Duration d) {
        return new FastCgiClientConfig(d, responseTimeout, maxConnectionsPerLoop, maxRequestsPerConnection,
                probeTimeout);
    }

    public FastCgiClientConfig withMaxConnectionsPerLoop(int n) {
        return new FastCgiClientConfig(connectTimeout, responseTimeout, n, maxRequestsPerConnection, probeTimeout);
    }
}
