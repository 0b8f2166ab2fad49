package org.foobarstack.monitoring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The three PromQL functions the summary and the alerts need, written out so that each step can be checked by
 * hand:
 *
 * <pre>
 *   increase(points)               what a counter gained, counting through restarts
 *   rate(points)                   increase / seconds between the first and the last point
 *   histogramQuantile(q, buckets)  as histogram_quantile(0.99, rate(x_bucket[10s]))
 * </pre>
 *
 * <p>One simplification, said out loud: Prometheus's {@code rate()} extrapolates the increase to the edges of the
 * range ({@code [10s]}), guessing what happened between the range's start and the first sample. Here the increase
 * is divided by the time the points really cover. With points every second the two agree to within a sample, and
 * this one gives round numbers that a test can expect exactly.
 */
public final class SeriesMath {

    /** One bucket of a histogram: how many observations were at most {@code upperBound} (cumulative, like {@code le}). */
    public record Bucket(double upperBound, double count) {
    }

    private SeriesMath() {
    }

    /**
     * What a counter gained over the points. A counter only goes up, so a drop means its process restarted and
     * counted again from zero: the value after the drop is all gained since (PromQL does the same).
     */
    public static double increase(List<Point> points) {
        double total = 0;
        for (int i = 1; i < points.size(); i++) {
            double before = points.get(i - 1).value();
            double after = points.get(i).value();
            total += after >= before ? after - before : after;
        }
        return total;
    }

    /** Per second, over the time the points cover; NaN with fewer than two points (no rate can be known). */
    public static double rate(List<Point> points) {
        if (points.size() < 2) {
            return Double.NaN;
        }
        Duration covered = Duration.between(points.get(0).at(), points.get(points.size() - 1).at());
        double seconds = covered.toNanos() / 1e9;
        return seconds <= 0 ? Double.NaN : increase(points) / seconds;
    }

    /**
     * The {@code q}-quantile (0.99 for p99) of a histogram's buckets, as Prometheus's {@code histogram_quantile}
     * computes it: find the bucket where the q-th observation falls, and assume the observations spread evenly
     * across it (linear interpolation between its lower and upper bound).
     *
     * <ol>
     *   <li>The buckets are sorted by upper bound; the last must be {@code +Inf}, whose count is every observation.
     *       No observations, or no +Inf bucket: NaN (nothing can be said).</li>
     *   <li>rank = q × observations. The first bucket whose count reaches the rank holds the quantile.</li>
     *   <li>If that is the +Inf bucket, the answer is the highest finite bound: the histogram cannot tell more.</li>
     *   <li>Otherwise the bucket runs from the previous bound (0 for the first bucket, unless its bound is
     *       negative or zero) to its own, and the answer is start + (end − start) × (rank − count before) /
     *       (count in the bucket).</li>
     * </ol>
     *
     * Example: 900 observations, 810 at most 0.01 s and 900 at most 0.025 s. rank = 0.99 × 900 = 891, in the
     * (0.01, 0.025] bucket, 81st of its 90: 0.01 + 0.015 × 81/90 = 0.0235 s.
     */
    public static double histogramQuantile(double q, List<Bucket> buckets) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        List<Bucket> sorted = new ArrayList<>(buckets);
        sorted.sort(Comparator.comparingDouble(Bucket::upperBound));
        if (sorted.size() < 2 || sorted.get(sorted.size() - 1).upperBound() != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        // rates of buckets computed separately can come out a hair non-monotonic; Prometheus evens them out too
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).count() < sorted.get(i - 1).count()) {
                sorted.set(i, new Bucket(sorted.get(i).upperBound(), sorted.get(i - 1).count()));
            }
        }
        double observations = sorted.get(sorted.size() - 1).count();
        if (observations == 0 || Double.isNaN(observations)) {
            return Double.NaN;
        }
        double rank = q * observations;
        int b = 0;
        while (b < sorted.size() - 1 && sorted.get(b).count() < rank) {
            b++;
        }
        if (b == sorted.size() - 1) {
            return sorted.get(sorted.size() - 2).upperBound();
        }
        if (b == 0 && sorted.get(0).upperBound() <= 0) {
            return sorted.get(0).upperBound();
        }
        double start = 0;
        double end = sorted.get(b).upperBound();
        double inBucket = sorted.get(b).count();
        if (b > 0) {
            start = sorted.get(b - 1).upperBound();
            inBucket -= sorted.get(b - 1).count();
            rank -= sorted.get(b - 1).count();
        }
        return start + (end - start) * (rank / inBucket);
    }
}
