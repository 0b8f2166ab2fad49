package org.foobarstack.loadgen;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counts of one run: every request is recorded once when it is scheduled and once more when it is answered or
 * fails. Only the run's event loop thread writes; {@link #progress} may be read from any thread, so the few
 * counts it needs are atomic, and everything else is plain fields read by {@link #report} on the same thread
 * that wrote them.
 *
 * <p>Each request is placed by its intended start, as an offset from the run's start in nanoseconds, in the
 * 100 ms slice of the timeline that contains it.
 */
final class Tally {

    private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(Timeline.BUCKET_MILLIS);
    /** The window of {@link Progress#currentRps()}: the last ten slices, one second. */
    private static final int RATE_WINDOW_BUCKETS = 10;

    // ---- read by progress() from any thread
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Answers by the slice in which they <em>arrived</em>, for the current rate. */
    private final AtomicLongArray answeredByArrival;

    // ---- the event loop thread only
    private final int bucketCount;
    private final long[] bucketSent;
    private final long[] bucketOk;
    private final long[] bucket4xx;
    private final long[] bucket5xx;
    private final long[][] bucketFailed = new long[FailureKind.values().length][];
    private final long[] bucketMaxLatencyMicros;
    private final long[] byStatus = new long[600];
    private final long[] byFailure = new long[FailureKind.values().length];
    private final Map<String, Long> protocolViolations = new TreeMap<>();
    private final Map<FailureKind, String> failureExamples = new EnumMap<>(FailureKind.class);
    /**
     * Microsecond values with 3 significant digits: 1.234 ms and 12.34 s are both kept to 0.1 %. The histogram
     * grows as larger values arrive, so no upper bound has to be guessed.
     */
    private final Histogram latencies = new Histogram(3);
    /** The values of the counted response header, or null when the run counts none. */
    private final HeaderCounter headerValues;
    private long firstFailureNanos = -1;
    private long lastFailureNanos = -1;

    /**
     * @param durationNanos how long requests are scheduled for
     * @param timeoutNanos  how long after its intended start the last request may still be answered
     * @param countsHeader  whether the answers' values of a response header are counted
     */
    Tally(long durationNanos, long timeoutNanos, boolean countsHeader) {
        bucketCount = (int) ((durationNanos + BUCKET_NANOS - 1) / BUCKET_NANOS);
        bucketSent = new long[bucketCount];
        bucketOk = new long[bucketCount];
        bucket4xx = new long[bucketCount];
        bucket5xx = new long[bucketCount];
        bucketMaxLatencyMicros = new long[bucketCount];
        for (int k = 0; k < bucketFailed.length; k++) {
            bucketFailed[k] = new long[bucketCount];
        }
        // answers keep arriving up to a timeout after the last request was scheduled, plus a second of slack
        answeredByArrival = new AtomicLongArray(bucketCount + (int) (timeoutNanos / BUCKET_NANOS) + 11);
        headerValues = countsHeader ? new HeaderCounter(bucketCount) : null;
    }

    private int bucketOf(long offsetNanos) {
        return (int) Math.min(offsetNanos / BUCKET_NANOS, bucketCount - 1);
    }

    void scheduled(long offsetNanos) {
        bucketSent[bucketOf(offsetNanos)]++;
        sent.incrementAndGet();
    }

    /** The run was cancelled before this request's outcome was known: it is taken out of the counts. */
    void forgotten(long offsetNanos) {
        bucketSent[bucketOf(offsetNanos)]--;
        sent.decrementAndGet();
    }

    /**
     * @param offsetNanos   the request's intended start
     * @param status        the final response's status code
     * @param latencyNanos  from the intended start to the response's last byte
     * @param arrivalNanos  when the last byte arrived, since the run's start
     * @param headerValue   the value of the counted response header, or null when the response had none or the
     *                      run counts no header
     */
    void answered(long offsetNanos, int status, long latencyNanos, long arrivalNanos, String headerValue) {
        int bucket = bucketOf(offsetNanos);
        switch (status / 100) {
            case 2, 3 -> bucketOk[bucket]++;
            case 4 -> bucket4xx[bucket]++;
            case 5 -> {
                bucket5xx[bucket]++;
                failureAt(offsetNanos);
            }
            default -> {
                // 1xx is always followed by a final response, so it never ends a request
            }
        }
        byStatus[status]++;
        long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos));
        latencies.recordValue(micros);
        bucketMaxLatencyMicros[bucket] = Math.max(bucketMaxLatencyMicros[bucket], micros);
        int arrivalBucket = (int) Math.min(arrivalNanos / BUCKET_NANOS, answeredByArrival.length() - 1);
        answeredByArrival.incrementAndGet(Math.max(0, arrivalBucket));
        if (headerValues != null) {
            headerValues.count(bucket, headerValue);
        }
        answered.incrementAndGet();
    }

    /**
     * @param detail    what happened, e.g. the exception's message
     * @param violation for {@link FailureKind#PROTOCOL}, the name of the broken rule, else null
     */
    void failed(long offsetNanos, FailureKind kind, String detail, String violation) {
        bucketFailed[kind.ordinal()][bucketOf(offsetNanos)]++;
        byFailure[kind.ordinal()]++;
        failureExamples.putIfAbsent(kind, detail);
        if (violation != null) {
            protocolViolations.merge(violation, 1L, Long::sum);
        }
        failureAt(offsetNanos);
        failed.incrementAndGet();
    }

    private void failureAt(long offsetNanos) {
        if (firstFailureNanos < 0 || offsetNanos < firstFailureNanos) {
            firstFailureNanos = offsetNanos;
        }
        lastFailureNanos = Math.max(lastFailureNanos, offsetNanos);
    }

    /** Safe from any thread. */
    Progress progress(long elapsedNanos) {
        long now = Math.max(0, elapsedNanos) / BUCKET_NANOS;
        int window = (int) Math.min(now, RATE_WINDOW_BUCKETS);
        long recent = 0;
        for (long b = now - window; b < now; b++) {
            recent += answeredByArrival.get((int) Math.min(b, answeredByArrival.length() - 1));
        }
        double rps = window == 0 ? 0 : recent * 1000.0 / (window * Timeline.BUCKET_MILLIS);
        return new Progress(TimeUnit.NANOSECONDS.toMillis(Math.max(0, elapsedNanos)), sent.get(), answered.get(),
                failed.get(), rps);
    }

    /**
     * The report, built on the event loop thread once every request is accounted for.
     *
     * @param runNanos how long requests were scheduled for
     */
    LoadReport report(LoadReport.Settings settings, long runNanos, boolean cancelled) {
        TreeMap<Integer, Long> statuses = new TreeMap<>();
        for (int status = 0; status < byStatus.length; status++) {
            if (byStatus[status] > 0) {
                statuses.put(status, byStatus[status]);
            }
        }
        EnumMap<FailureKind, Long> failures = new EnumMap<>(FailureKind.class);
        for (FailureKind kind : FailureKind.values()) {
            failures.put(kind, byFailure[kind.ordinal()]);
        }

        int shown = (int) Math.min(bucketCount, Math.max(1, (runNanos + BUCKET_NANOS - 1) / BUCKET_NANOS));
        List<TimelineBucket> buckets = new ArrayList<>(shown);
        for (int b = 0; b < shown; b++) {
            Map<FailureKind, Long> failedHere = new LinkedHashMap<>();
            for (FailureKind kind : FailureKind.values()) {
                long n = bucketFailed[kind.ordinal()][b];
                if (n > 0) {
                    failedHere.put(kind, n);
                }
            }
            buckets.add(new TimelineBucket(b * Timeline.BUCKET_MILLIS, Timeline.BUCKET_MILLIS, bucketSent[b],
                    bucketOk[b], bucket4xx[b], bucket5xx[b], failedHere, bucketMaxLatencyMicros[b] / 1000.0,
                    headerValues == null ? Map.of() : headerValues.bucket(b)));
        }
        Timeline timeline = new Timeline(Timeline.BUCKET_MILLIS, buckets);

        long count = latencies.getTotalCount();
        LoadReport.Latency latency = new LoadReport.Latency(count, percentileMillis(50), percentileMillis(90),
                percentileMillis(99), percentileMillis(99.9), count == 0 ? 0 : latencies.getMaxValue() / 1000.0);
        double runSeconds = runNanos / 1e9;
        double achieved = runSeconds > 0 ? answered.get() / runSeconds : 0;

        return new LoadReport(settings, sent.get(), statuses, failures, protocolViolations, failureExamples,
                latency, achieved, timeline, millis(firstFailureNanos), millis(lastFailureNanos),
                timeline.outageMillis(), TimeUnit.NANOSECONDS.toMillis(runNanos), cancelled,
                headerValues == null ? Map.of() : headerValues.totals());
    }

    private double percentileMillis(double percentile) {
        return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1000.0;
    }

    private static OptionalLong millis(long nanos) {
        return nanos < 0 ? OptionalLong.empty() : OptionalLong.of(TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
