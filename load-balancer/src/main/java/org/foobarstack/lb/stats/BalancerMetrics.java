package org.foobarstack.lb.stats;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.trace.Metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The balancer's series in the stack's Prometheus registry, labelled by instance ({@code lb-1}) and server:
 *
 * <pre>
 *   foobar_lb_requests_total{instance,server,code}   responses passed to clients (server "none": made by the balancer)
 *   foobar_lb_retries_total{instance,server}         attempts tried again on the same server
 *   foobar_lb_redispatches_total{instance,server}    requests taken from this server to another one
 *   foobar_lb_request_duration_seconds{instance}     from the request head to the end of the response
 *   foobar_lb_server_up{instance,server}             1 when UP, 0 when DOWN (read at scrape time)
 *   foobar_lb_server_current{instance,server}        requests in progress on the server (scur)
 * </pre>
 */
public final class BalancerMetrics {

    private final String instance;
    private final Metrics metrics;
    private final Counter requests;
    private final Counter retries;
    private final Counter redispatches;
    private final Histogram duration;
    /** This instance's series of the histogram, looked up once. */
    private final DistributionDataPoint durationSeries;
    /**
     * Each server's counter series by status code, looked up once each: the library finds a series by its label
     * values, which costs a lookup and a few objects per request on this path.
     */
    private final Map<String, AtomicReferenceArray<CounterDataPoint>> requestSeries = new ConcurrentHashMap<>();

    public BalancerMetrics(String instance, Metrics metrics) {
        this.instance = instance;
        this.metrics = metrics;
        this.requests = metrics.counter("foobar_lb_requests_total",
                "Responses the load balancer passed to clients, by server and status", "instance", "server", "code");
        this.retries = metrics.counter("foobar_lb_retries_total",
                "Connection attempts the load balancer tried again on the same server", "instance", "server");
        this.redispatches = metrics.counter("foobar_lb_redispatches_total",
                "Requests the load balancer took from a failing server to another one", "instance", "server");
        this.duration = metrics.latency("foobar_lb_request_duration_seconds",
                "Time from a request's head to the end of its response, at the load balancer", "instance");
        this.durationSeries = duration.labelValues(instance);
    }

    /** Registers the per-server gauges, read when scraped. */
    public void watch(List<Server> servers) {
        for (Server server : servers) {
            metrics.gauge("foobar_lb_server_up", "1 when the load balancer sees the server UP, else 0",
                    List.of("instance", "server"), List.of(instance, server.name()), () -> server.up() ? 1 : 0);
            metrics.gauge("foobar_lb_server_current", "Requests in progress on the server (scur)",
                    List.of("instance", "server"), List.of(instance, server.name()), server::currentSessions);
        }
    }

    /** Stops reading the gauges of a balancer that has stopped. */
    public void unwatch(List<Server> servers) {
        for (Server server : servers) {
            metrics.removeGaugeSource("foobar_lb_server_up", List.of(instance, server.name()));
            metrics.removeGaugeSource("foobar_lb_server_current", List.of(instance, server.name()));
        }
    }

    /**
     * Drops every series of a server removed while the balancer runs, its counters too: a removed server leaves
     * HAProxy's stats altogether, and a series that stays flat forever would read as a server that takes no
     * traffic. Should a server of the same name be added later, its counters start again from 0, which Prometheus
     * reads as a counter reset, as after a restart.
     */
    public void forget(Server server) {
        unwatch(List.of(server));
        String name = server.name();
        requestSeries.remove(name);
        // the counters are shared by every balancer of the stack: only this instance's series of this server go
        requests.removeIf(labels -> labels.get(0).equals(instance) && labels.get(1).equals(name));
        retries.remove(instance, name);
        redispatches.remove(instance, name);
    }

    public void response(String server, int code, long nanos) {
        String name = server == null ? "none" : server;
        AtomicReferenceArray<CounterDataPoint> byCode =
                requestSeries.computeIfAbsent(name, n -> new AtomicReferenceArray<>(600));
        int slot = code >= 100 && code < 600 ? code : 0;
        CounterDataPoint series = byCode.get(slot);
        if (series == null) {
            series = requests.labelValues(instance, name, Integer.toString(code));
            byCode.set(slot, series);
        }
        series.inc();
        durationSeries.observe(nanos / 1e9);
    }

    public void retry(String server) {
        retries.labelValues(instance, server).inc();
    }

    public void redispatch(String server) {
        redispatches.labelValues(instance, server).inc();
    }
}
