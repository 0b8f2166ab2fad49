package org.foobarstack.http.server;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import org.foobarstack.trace.Metrics;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;

/**
 * The web tier's metrics, all named {@code foobar_http_*} and labelled with the {@code instance} ("web-1"), so that
 * several web servers can share one stack's registry:
 *
 * <table>
 *   <tr><th>Name</th><th>Type</th><th>Labels</th><th>Counts</th></tr>
 *   <tr><td>foobar_http_requests_total</td><td>counter</td><td>instance, method, code</td>
 *       <td>responses, by request method (the nine of RFC 9110 and PATCH; anything else is "other") and status
 *       code</td></tr>
 *   <tr><td>foobar_http_request_duration_seconds</td><td>histogram</td><td>instance</td>
 *       <td>request head received to response handed to the socket</td></tr>
 *   <tr><td>foobar_http_open_connections</td><td>gauge</td><td>instance</td><td>client connections open now</td></tr>
 *   <tr><td>foobar_http_rejected_requests_total</td><td>counter</td><td>instance, violation</td>
 *       <td>requests refused by the parser or a limit, by rule broken (HttpViolation name, or REQUEST_TIMEOUT,
 *       TOO_MANY_CONNECTIONS)</td></tr>
 *   <tr><td>foobar_http_connections_shed_total</td><td>counter</td><td>instance</td>
 *       <td>connections closed, with 503, to make room for a new one at the connection limit: each had been open
 *       longest without sending a byte (see ConnectionLimiter)</td></tr>
 *   <tr><td>foobar_http_response_body_bytes_total</td><td>counter</td><td>instance</td>
 *       <td>response body bytes sent (heads not included)</td></tr>
 *   <tr><td>foobar_http_upstream_errors_total</td><td>counter</td><td>instance, kind</td>
 *       <td>FastCGI calls that failed, by FastCgiClientException kind (CONNECT_FAILED, TIMEOUT, REJECTED...), or
 *       MALFORMED_CGI_RESPONSE</td></tr>
 *   <tr><td>foobar_http_upstream_duration_seconds</td><td>histogram</td><td>instance</td>
 *       <td>FastCGI call sent to END_REQUEST received</td></tr>
 * </table>
 */
public final class HttpMetrics {

    public static final String REQUESTS = "foobar_http_requests_total";
    public static final String REQUEST_DURATION = "foobar_http_request_duration_seconds";
    public static final String OPEN_CONNECTIONS = "foobar_http_open_connections";
    public static final String REJECTED = "foobar_http_rejected_requests_total";
    public static final String CONNECTIONS_SHED = "foobar_http_connections_shed_total";
    public static final String BODY_BYTES = "foobar_http_response_body_bytes_total";
    public static final String UPSTREAM_ERRORS = "foobar_http_upstream_errors_total";
    public static final String UPSTREAM_DURATION = "foobar_http_upstream_duration_seconds";

    /** The upstream error kind of an answer that is FastCGI but not a CGI response (RFC 3875 §6). */
    public static final String MALFORMED_CGI_RESPONSE = "MALFORMED_CGI_RESPONSE";

    /** The method label values; anything else is counted as "other" (the last one). */
    private static final List<String> METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other");
    private static final int OTHER_METHOD = METHODS.size() - 1;
    /** Status codes are three digits, 100 to 599 (RFC 9110 §15). */
    private static final int FIRST_STATUS = 100;
    private static final int STATUS_CODES = 500;
    private static final double NANOS_PER_SECOND = 1e9;

    private final String instance;
    private final Counter requests;
    /**
     * The requests counter's data point per (method, status), looked up once: a label lookup builds a key list and
     * hashes it, too much work for every response.
     */
    private final AtomicReferenceArray<CounterDataPoint> requestsByMethodAndStatus =
            new AtomicReferenceArray<>(METHODS.size() * STATUS_CODES);
    private final Counter rejected;
    private final Counter upstreamErrors;
    private final CounterDataPoint bodyBytes;
    private final CounterDataPoint connectionsShed;
    private final DistributionDataPoint duration;
    private final DistributionDataPoint upstreamDuration;

    public HttpMetrics(Metrics metrics, String instance, IntSupplier openConnections) {
        this.instance = instance;
        requests = metrics.counter(REQUESTS, "HTTP responses, by request method and status code",
                "instance", "method", "code");
        rejected = metrics.counter(REJECTED, "HTTP requests refused, by the rule they broke", "instance",
                "violation");
        upstreamErrors = metrics.counter(UPSTREAM_ERRORS, "FastCGI calls to the app tier that failed, by kind",
                "instance", "kind");
        connectionsShed = metrics.counter(CONNECTIONS_SHED, "HTTP connections closed to make room at the "
                + "connection limit, each the one silent (not a byte sent) for longest", "instance")
                .labelValues(instance);
        bodyBytes = metrics.counter(BODY_BYTES, "HTTP response body bytes sent", "instance").labelValues(instance);
        duration = metrics.latency(REQUEST_DURATION, "HTTP request head received to response written",
                "instance").labelValues(instance);
        upstreamDuration = metrics.latency(UPSTREAM_DURATION, "FastCGI request sent to END_REQUEST received",
                "instance").labelValues(instance);
        metrics.gauge(OPEN_CONNECTIONS, "HTTP client connections open", List.of("instance"), List.of(instance),
                openConnections::getAsInt);
    }

    /** One response finished (ended, aborted or cut off by the client). */
    public void responded(String method, int status, long bodyBytesSent, long startNanos) {
        requestCounter(method, status).inc();
        duration.observe((System.nanoTime() - startNanos) / NANOS_PER_SECOND);
        if (bodyBytesSent > 0) {
            bodyBytes.inc(bodyBytesSent);
        }
    }

    private CounterDataPoint requestCounter(String method, int status) {
        int methodIndex = METHODS.indexOf(method);
        if (methodIndex < 0) {
            methodIndex = OTHER_METHOD;
        }
        if (status < FIRST_STATUS || status >= FIRST_STATUS + STATUS_CODES) {
            return requests.labelValues(instance, METHODS.get(methodIndex), Integer.toString(status));
        }
        int slot = methodIndex * STATUS_CODES + (status - FIRST_STATUS);
        CounterDataPoint point = requestsByMethodAndStatus.get(slot);
        if (point == null) {
            // labelValues returns the same data point for the same labels, so a race here is harmless
            point = requests.labelValues(instance, METHODS.get(methodIndex), Integer.toString(status));
            requestsByMethodAndStatus.set(slot, point);
        }
        return point;
    }

    /** A request refused before a handler saw it; {@code violation} is the rule's name. */
    public void rejected(String violation) {
        rejected.labelValues(instance, violation).inc();
    }

    /** A silent connection was closed to make room for a new one. */
    public void connectionShed() {
        connectionsShed.inc();
    }

    public void upstreamFailed(String kind) {
        upstreamErrors.labelValues(instance, kind).inc();
    }

    public void upstreamAnswered(long startNanos) {
        upstreamDuration.observe((System.nanoTime() - startNanos) / NANOS_PER_SECOND);
    }
}
