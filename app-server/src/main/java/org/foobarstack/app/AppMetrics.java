package org.foobarstack.app;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import org.foobarstack.trace.Metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The app tier's metrics, all named {@code foobar_app_*} and labelled with the {@code instance} that counted them,
 * so that several app servers can share one stack's {@link Metrics} registry:
 *
 * <pre>
 *   foobar_app_requests_total{instance,route,status}             counter: answers, by route and HTTP status
 *   foobar_app_request_duration_seconds{instance,route}          histogram: BEGIN_REQUEST received to END_REQUEST sent
 *   foobar_app_fastcgi_connections_open{instance}                gauge: FastCGI connections open now
 *   foobar_app_protocol_errors_total{instance,kind}              counter: bad input and refusals, by kind
 *   foobar_app_requests_shed_total{instance}                     counter: refused OVERLOADED, workers and queue full
 *   foobar_app_db_pool_active_connections{instance}              gauge: pooled connections lent out now
 *   foobar_app_db_pool_idle_connections{instance}                gauge: pooled connections waiting to be lent
 *   foobar_app_db_pool_waiting_threads{instance}                 gauge: requests waiting for a connection
 *   foobar_app_db_statement_duration_seconds{instance,statement} histogram: one SQL statement, execute to last row
 * </pre>
 * A route is a low-cardinality name ({@code /api/messages/{id}}, never the id itself); a kind is the name of a
 * {@link org.foobarstack.fastcgi.FastCgiProtocolException.Violation} or of the END_REQUEST protocol status sent.
 *
 * <p>The data points of each label combination are looked up once and kept, so counting a request costs a map
 * lookup and a striped add.
 */
public final class AppMetrics {

    public static final String REQUESTS = "foobar_app_requests_total";
    public static final String REQUEST_DURATION = "foobar_app_request_duration_seconds";
    public static final String CONNECTIONS_OPEN = "foobar_app_fastcgi_connections_open";
    public static final String PROTOCOL_ERRORS = "foobar_app_protocol_errors_total";
    public static final String REQUESTS_SHED = "foobar_app_requests_shed_total";
    public static final String DB_POOL_ACTIVE = "foobar_app_db_pool_active_connections";
    public static final String DB_POOL_IDLE = "foobar_app_db_pool_idle_connections";
    public static final String DB_POOL_WAITING = "foobar_app_db_pool_waiting_threads";
    public static final String DB_STATEMENT_DURATION = "foobar_app_db_statement_duration_seconds";

    private static final List<String> INSTANCE = List.of("instance");
    private static final double NANOS_PER_SECOND = 1e9;

    private final Metrics metrics;
    private final String instance;
    private final Counter requests;
    private final Histogram requestDuration;
    private final Counter protocolErrors;
    private final CounterDataPoint requestsShed;
    private final Histogram statementDuration;
    private final Map<String, CounterDataPoint> requestPoints = new ConcurrentHashMap<>();
    private final Map<String, DistributionDataPoint> durationPoints = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> errorPoints = new ConcurrentHashMap<>();
    private final Map<String, DistributionDataPoint> statementPoints = new ConcurrentHashMap<>();

    public AppMetrics(Metrics metrics, String instance) {
        this.metrics = metrics;
        this.instance = instance;
        requests = metrics.counter(REQUESTS, "FastCGI requests the app tier answered, by route and HTTP status",
                "instance", "route", "status");
        requestDuration = metrics.latency(REQUEST_DURATION,
                "Time from BEGIN_REQUEST received to END_REQUEST sent", "instance", "route");
        protocolErrors = metrics.counter(PROTOCOL_ERRORS,
                "Bad FastCGI input and refused requests, by kind (a FastCGI rule broken, or the refusal sent)",
                "instance", "kind");
        requestsShed = metrics.counter(REQUESTS_SHED,
                "Requests refused with OVERLOADED because every worker was busy and the queue full (load shed)",
                "instance").labelValues(instance);
        statementDuration = metrics.latency(DB_STATEMENT_DURATION,
                "Time of one SQL statement, from execute to the last row read", "instance", "statement");
    }

    public Metrics registry() {
        return metrics;
    }

    /** Counts one answered request and its duration. */
    public void request(String route, int status, long nanos) {
        String key = route + ' ' + status;
        requestPoints.computeIfAbsent(key, k -> requests.labelValues(instance, route, Integer.toString(status)))
                .inc();
        durationPoints.computeIfAbsent(route, r -> requestDuration.labelValues(instance, r))
                .observe(nanos / NANOS_PER_SECOND);
    }

    /** Counts one piece of bad input or one refusal. */
    public void protocolError(String kind) {
        errorPoints.computeIfAbsent(kind, k -> protocolErrors.labelValues(instance, k)).inc();
    }

    /** Counts one request refused because every worker was busy and the worker queue was full. */
    public void requestShed() {
        requestsShed.inc();
    }

    /** Observes one SQL statement's duration. */
    public void statement(String name, long nanos) {
        statementPoints.computeIfAbsent(name, n -> statementDuration.labelValues(instance, n))
                .observe(nanos / NANOS_PER_SECOND);
    }

    /** Registers a gauge of this instance read at scrape time (open connections, pool use). */
    public void gauge(String name, String help, DoubleSupplier value) {
        metrics.gauge(name, help, INSTANCE, List.of(instance), value);
    }

    /** Stops reading this instance's gauges: the server has closed. */
    public void removeGauges() {
        for (String name : List.of(CONNECTIONS_OPEN, DB_POOL_ACTIVE, DB_POOL_IDLE, DB_POOL_WAITING)) {
            metrics.removeGaugeSource(name, List.of(instance));
        }
    }
}
