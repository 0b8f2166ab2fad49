package org.foobarstack.lb.http;

import org.foobarstack.httpcodec.response.DateHeader;
import org.foobarstack.lb.backend.Backend;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.stats.BalancerMetrics;
import org.foobarstack.lb.stats.FrontendCounters;
import org.foobarstack.trace.RateLimitedLog;

import java.net.InetAddress;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * What every client connection of one balancer shares: its configuration, the backend, the pool of connections
 * to the servers, the counters, and where state changes are reported.
 *
 * @param config       the balancer's configuration
 * @param backend      the servers and the algorithm
 * @param connections  kept-alive connections to the servers
 * @param frontend     the FRONTEND row's counters
 * @param metrics      the Prometheus series
 * @param self         the balancer's own address, for {@code Forwarded: by=}
 * @param log          the log for bad input and failures, a few lines per second at most
 * @param onTransition told when traffic takes a server UP or DOWN
 * @param dates        the Date header's value, formatted once per second
 * @param strictTransportSecurity the {@code Strict-Transport-Security} value for responses sent over TLS
 *                     ("max-age=31536000"), or null when none is sent
 * @param httpsPort    the HTTPS listener's port once bound, for the redirect's Location
 */
record ProxyContext(BalancerConfig config, Backend backend, BackendConnections connections,
                    FrontendCounters frontend, BalancerMetrics metrics, InetAddress self, RateLimitedLog log,
                    Consumer<Server.Transition> onTransition, DateHeader dates, String strictTransportSecurity,
                    IntSupplier httpsPort) {
}
