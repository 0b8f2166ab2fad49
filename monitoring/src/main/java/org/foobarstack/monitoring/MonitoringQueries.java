package org.foobarstack.monitoring;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.foobarstack.monitoring.exposition.ExpositionParser;

/**
 * The questions the server answers from its {@link SeriesStore}: which hosts are up, and each instance's request
 * rate, error rate, p99 latency and replication lag. Each answer is what a PromQL query over the same series would
 * give (see {@link SeriesMath} for the one simplification).
 *
 * <p>The metric names are the tiers' own. This module does not depend on the tiers, so they are repeated here:
 * a rename there must be made here too.
 */
public final class MonitoringQueries {

    /**
     * The web tier's responses counter, labels instance, method, code: {@code HttpMetrics.REQUESTS} in
     * http-server. (The Java client writes the counter's samples with their {@code _total} suffix.)
     */
    public static final String HTTP_REQUESTS = "foobar_http_requests_total";
    /** The web tier's latency histogram's buckets, label instance: {@code HttpMetrics.REQUEST_DURATION}. */
    public static final String HTTP_DURATION_BUCKET = "foobar_http_request_duration_seconds_bucket";
    /** A replica's lag behind its primary, label instance: registered by the launcher's {@code DbTierRuntime}. */
    public static final String REPLICATION_LAG = "foobar_db_replication_lag_seconds";
    /** The quantile /api/summary reports. */
    public static final double LATENCY_QUANTILE = 0.99;

    private final SeriesStore store;
    private final MonitoringConfig config;
    private final Instant startedAt;

    /** @param startedAt when the server started: a host that never pushed has been silent since then */
    public MonitoringQueries(SeriesStore store, MonitoringConfig config, Instant startedAt) {
        this.store = store;
        this.config = config;
        this.startedAt = startedAt;
    }

    /**
     * Expected hosts taken out of the design on purpose: no longer expected. One that pushes again is listed
     * again from its pushes.
     */
    private final java.util.Set<String> forgotten = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void forget(String host) {
        forgotten.add(host);
    }

    /** Every host that has pushed or is expected to, by name. */
    public List<HostStatus> hosts(Instant now) {
        Map<String, HostStatus> byName = new TreeMap<>();
        for (HostRecord record : store.hosts()) {
            Duration silence = Duration.between(record.lastPush(), now);
            byName.put(record.host(), new HostStatus(record.host(), record.address().getHostAddress(),
                    record.lastPush(), silence, silence.compareTo(config.hostDownAfter()) < 0, record.pushes(),
                    record.sampleCount()));
        }
        for (String expected : config.expectedHosts()) {
            if (forgotten.contains(expected)) {
                continue;
            }
            byName.computeIfAbsent(expected, h -> new HostStatus(h, null, null, Duration.between(startedAt, now),
                    false, 0, 0));
        }
        return List.copyOf(byName.values());
    }

    /** Every instance that has served HTTP requests or reports a replication lag, by host and instance. */
    public List<InstanceSummary> summary(Instant now) {
        Duration window = config.rateWindow();
        List<Series> requests = store.select(k -> k.name().equals(HTTP_REQUESTS) && k.label("instance") != null,
                now, window);
        List<Series> buckets = store.select(k -> k.name().equals(HTTP_DURATION_BUCKET)
                && k.label("instance") != null && k.label("le") != null, now, window);
        List<Series> lags = store.select(k -> k.name().equals(REPLICATION_LAG) && k.label("instance") != null,
                now, window);

        TreeSet<InstanceKey> instances = new TreeSet<>();
        Function<Series, InstanceKey> keyOf = s -> new InstanceKey(s.key().host(), s.key().label("instance"));
        requests.forEach(s -> instances.add(keyOf.apply(s)));
        lags.forEach(s -> instances.add(keyOf.apply(s)));

        Map<String, Boolean> up = new TreeMap<>();
        hosts(now).forEach(h -> up.put(h.host(), h.up()));
        List<InstanceSummary> result = new ArrayList<>();
        for (InstanceKey instance : instances) {
            List<Series> mine = requests.stream().filter(s -> keyOf.apply(s).equals(instance)).toList();
            Double perSecond = sumOfRates(mine);
            Double errors = sumOfRates(mine.stream().filter(s -> isServerError(s.key().label("code"))).toList());
            Double errorRate = perSecond == null || perSecond == 0 ? null : (errors == null ? 0 : errors) / perSecond;
            Double p99 = quantile(buckets.stream().filter(s -> keyOf.apply(s).equals(instance)).toList());
            Double lag = null;
            for (Series s : lags) {
                if (keyOf.apply(s).equals(instance)) {
                    lag = number(s.latest().value());
                }
            }
            result.add(new InstanceSummary(instance.host(), instance.instance(),
                    up.getOrDefault(instance.host(), false), perSecond, errorRate, p99, lag));
        }
        return result;
    }

    /**
     * Each instance's request rate over the last {@code span}, one value every {@code step}, oldest first: what
     * Prometheus's {@code query_range} gives for {@code sum by (host, instance) (rate(requests[window]))}. Each
     * value is the rate over the window that ends at its instant, from the stored points alone, so a page opened
     * now draws the last minutes at once. A value is null where fewer than two points fall in its window.
     */
    public List<RateHistory> rateHistory(Instant now, Duration span, Duration step) {
        Duration window = config.rateWindow();
        List<Series> requests = store.select(k -> k.name().equals(HTTP_REQUESTS) && k.label("instance") != null,
                now, span.plus(window));
        Map<InstanceKey, List<Series>> byInstance = new TreeMap<>();
        for (Series s : requests) {
            byInstance.computeIfAbsent(new InstanceKey(s.key().host(), s.key().label("instance")),
                    k -> new ArrayList<>()).add(s);
        }
        int steps = (int) (span.toMillis() / step.toMillis());
        List<RateHistory> result = new ArrayList<>();
        byInstance.forEach((instance, series) -> {
            List<RateHistory.Point> points = new ArrayList<>();
            for (int i = steps; i >= 0; i--) {
                Instant at = now.minus(step.multipliedBy(i));
                Instant after = at.minus(window);
                List<Series> inWindow = new ArrayList<>();
                for (Series s : series) {
                    List<Point> mine = s.points().stream()
                            .filter(p -> p.at().isAfter(after) && !p.at().isAfter(at)).toList();
                    if (!mine.isEmpty()) {
                        inWindow.add(new Series(s.key(), mine));
                    }
                }
                points.add(new RateHistory.Point(at, sumOfRates(inWindow)));
            }
            result.add(new RateHistory(instance.host(), instance.instance(), points));
        });
        return result;
    }

    /** Hosts and instances at one instant, for the alert rules. */
    public MonitoringSnapshot snapshot(Instant now) {
        return new MonitoringSnapshot(now, hosts(now), summary(now));
    }

    private record InstanceKey(String host, String instance) implements Comparable<InstanceKey> {
        private static final Comparator<InstanceKey> ORDER =
                Comparator.comparing(InstanceKey::host).thenComparing(InstanceKey::instance);

        @Override
        public int compareTo(InstanceKey other) {
            return ORDER.compare(this, other);
        }
    }

    /** {@code sum(rate(...))}; null when no series has two points in the window. */
    private static Double sumOfRates(List<Series> series) {
        Double sum = null;
        for (Series s : series) {
            double rate = SeriesMath.rate(s.points());
            if (!Double.isNaN(rate)) {
                sum = (sum == null ? 0 : sum) + rate;
            }
        }
        return sum;
    }

    /** {@code histogram_quantile(0.99, sum by (le) (rate(bucket[window])))}; null when it cannot be known. */
    private static Double quantile(List<Series> bucketSeries) {
        Map<Double, Double> rateByBound = new TreeMap<>();
        for (Series s : bucketSeries) {
            double rate = SeriesMath.rate(s.points());
            if (!Double.isNaN(rate)) {
                double bound = parseBound(s.key().label("le"));
                rateByBound.merge(bound, rate, Double::sum);
            }
        }
        List<SeriesMath.Bucket> buckets = new ArrayList<>();
        rateByBound.forEach((bound, rate) -> buckets.add(new SeriesMath.Bucket(bound, rate)));
        return number(SeriesMath.histogramQuantile(LATENCY_QUANTILE, buckets));
    }

    /** An {@code le} label: "0.025", "+Inf" (the parser has checked that it is a number). */
    private static double parseBound(String le) {
        return ExpositionParser.parseFloat(le);
    }

    private static boolean isServerError(String code) {
        return code != null && code.length() == 3 && code.charAt(0) == '5';
    }

    /** NaN (a gauge of a database that is down, a quantile of nothing) is no number: null. */
    private static Double number(double value) {
        return Double.isNaN(value) ? null : value;
    }
}
