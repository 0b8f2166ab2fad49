package org.foobarstack.fastcgi.client;

import java.net.InetAddress;
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
 * @param sourceAddress             the local address connections leave from (the web server's host), or null to
 *                                  let the kernel choose; binding it lets the responder see which host called
 */
public record FastCgiClientConfig(Duration connectTimeout, Duration responseTimeout, int maxConnectionsPerLoop,
                                  int maxRequestsPerConnection, Duration probeTimeout, InetAddress sourceAddress) {

    public FastCgiClientConfig(Duration connectTimeout, Duration responseTimeout, int maxConnectionsPerLoop,
                               int maxRequestsPerConnection, Duration probeTimeout) {
        this(connectTimeout, responseTimeout, maxConnectionsPerLoop, maxRequestsPerConnection, probeTimeout, null);
    }

    public static FastCgiClientConfig defaults() {
        return new FastCgiClientConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), 32, 16, Duration.ofSeconds(2));
    }

    public FastCgiClientConfig withSourceAddress(InetAddress address) {
        return new FastCgiClientConfig(connectTimeout, responseTimeout, maxConnectionsPerLoop,
                maxRequestsPerConnection, probeTimeout, address);
    }

    public FastCgiClientConfig withResponseTimeout(Duration d) {
        return new FastCgiClientConfig(connectTimeout, d, maxConnectionsPerLoop, maxRequestsPerConnection,
                probeTimeout, sourceAddress);
    }

    public FastCgiClientConfig withConnectTimeout(Duration d) {
        return new FastCgiClientConfig(d, responseTimeout, maxConnectionsPerLoop, maxRequestsPerConnection,
                probeTimeout, sourceAddress);
    }

    public FastCgiClientConfig withMaxConnectionsPerLoop(int n) {
        return new FastCgiClientConfig(connectTimeout, responseTimeout, n, maxRequestsPerConnection, probeTimeout,
                sourceAddress);
    }
}
