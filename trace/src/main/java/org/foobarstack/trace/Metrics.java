package org.foobarstack.trace;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * One stack's metrics: counters, gauges and latency histograms with labels, and their exposition in the
 * Prometheus text format, version 0.0.4 ({@code # HELP}, {@code # TYPE}, {@code _bucket{le="..."}},
 * {@code _sum}, {@code _count}), as the admin server serves it at {@code /metrics}.
 *
 * <p>The metric types and the text writer are the Prometheus Java client's (prometheus-metrics-core and
 * prometheus-metrics-exposition-textformats): the exposition format has escaping and naming rules that a
 * well-kept library already gets right, and its counters are lock-free striped adders. This class only
 * makes one registry per stack (never the library's global default registry, so that two stacks in one
 * JVM keep their numbers apart) and names the few choices we make:
 * histograms are classic-only (fixed buckets, which is what 0.0.4 text can express).
 *
 * <p>Use: {@code Counter requests = metrics.counter("foobar_http_requests_total", "HTTP requests
 * answered", "instance", "status"); requests.labelValues("web-1", "200").inc();}
 */
public final class Metrics {

    /** The Content-Type of the exposition, version 0.0.4 of the text format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Latency buckets in seconds, from 100 µs (a loopback DNS answer) to 10 s (a stuck database). */
    public static final double[] LATENCY_BUCKETS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    // Exemplars (a sample trace id beside a counter or bucket) are off: the text format 0.0.4 we expose cannot
    // carry them, and sampling them costs time on every increment.
    private final PrometheusRegistry registry = new PrometheusRegistry();
    /**
     * Every metric by name, so that asking twice returns the same one: several instances of a tier (web-1,
     * web-2) share one registry and tell their numbers apart by an {@code instance} label.
     */
    private final Map<String, Object> byName = new ConcurrentHashMap<>();
    /** The sources of each labelled callback gauge: label values to the supplier read at scrape time. */
    private final Map<String, Map<List<String>, DoubleSupplier>> callbackSources = new ConcurrentHashMap<>();
    private final PrometheusTextFormatWriter writer =
            PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build();

    /**
     * A counter; the exposition names it {@code name} with {@code _total} (added when missing).
     * Increment with {@code counter.labelValues(values...).inc()}.
     */
    public Counter counter(String name, String help, String... labelNames) {
        return existingOr(name, Counter.class,
                () -> Counter.builder().name(name).help(help).labelNames(labelNames).withoutExemplars()
                        .register(registry));
    }

    /** A gauge set by the code that knows the value: {@code gauge.labelValues(values...).set(v)}. */
    public Gauge gauge(String name, String help, String... labelNames) {
        return existingOr(name, Gauge.class,
                () -> Gauge.builder().name(name).help(help).labelNames(labelNames).register(registry));
    }

    /** A gauge read at scrape time, for values that live elsewhere (open connections, pool in use). */
    public GaugeWithCallback gauge(String name, String help, DoubleSupplier value) {
        return existingOr(name, GaugeWithCallback.class, () -> GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(registry));
    }

    /**
     * A gauge read at scrape time with labels, to which each instance adds its own source:
     * {@code metrics.gauge("foobar_http_open_connections", "...", List.of("instance"), List.of("web-1"),
     * server::openConnections)}. A second call with other label values adds a series to the same metric.
     */
    public void gauge(String name, String help, List<String> labelNames, List<String> labelValues,
                      DoubleSupplier value) {
        if (labelNames.size() != labelValues.size()) {
            throw new IllegalArgumentException(name + ": " + labelNames + " vs " + labelValues);
        }
        Map<List<String>, DoubleSupplier> sources = callbackSources.computeIfAbsent(name,
                n -> new ConcurrentHashMap<>());
        sources.put(List.copyOf(labelValues), value);
        existingOr(name, GaugeWithCallback.class, () -> GaugeWithCallback.builder().name(name).help(help)
                .labelNames(labelNames.toArray(String[]::new))
                .callback(callback -> sources.forEach((values, supplier) ->
                        callback.call(supplier.getAsDouble(), values.toArray(String[]::new))))
                .register(registry));
    }

    /** Stops reading a labelled callback gauge's source, for an instance that has stopped. */
    public void removeGaugeSource(String name, List<String> labelValues) {
        Map<List<String>, DoubleSupplier> sources = callbackSources.get(name);
        if (sources != null) {
            sources.remove(List.copyOf(labelValues));
        }
    }

    /** A latency histogram in seconds with {@link #LATENCY_BUCKETS_SECONDS}. */
    public Histogram latency(String name, String help, String... labelNames) {
        return histogram(name, help, LATENCY_BUCKETS_SECONDS, labelNames);
    }

    /** A histogram with the given upper bounds ({@code +Inf} is added by the format). */
    public Histogram histogram(String name, String help, double[] upperBounds, String... labelNames) {
        return existingOr(name, Histogram.class, () -> Histogram.builder().name(name).help(help)
                .labelNames(labelNames).classicOnly().classicUpperBounds(upperBounds).withoutExemplars()
                .register(registry));
    }

    private <T> T existingOr(String name, Class<T> type, Supplier<T> create) {
        Object metric = byName.computeIfAbsent(name, n -> create.get());
        if (!type.isInstance(metric)) {
            throw new IllegalArgumentException(name + " is already a " + metric.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(metric);
    }

    /** For metric kinds this class does not wrap (summaries, info metrics): register them here. */
    public PrometheusRegistry registry() {
        return registry;
    }

    public void writeExposition(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** The whole exposition as text. */
    public String exposition() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeExposition(out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
