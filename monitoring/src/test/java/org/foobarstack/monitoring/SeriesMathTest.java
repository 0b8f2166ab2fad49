package org.foobarstack.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import org.foobarstack.monitoring.SeriesMath.Bucket;
import org.junit.jupiter.api.Test;

/** The numbers /api/summary shows, against what PromQL gives for the same series. */
class SeriesMathTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void quantileInterpolatesInsideItsBucket() {
        List<Bucket> buckets = List.of(new Bucket(0.005, 810), new Bucket(0.01, 810), new Bucket(0.025, 900),
                new Bucket(Double.POSITIVE_INFINITY, 900));

        assertThat(SeriesMath.histogramQuantile(0.99, buckets)).isCloseTo(0.0235, within(1e-12));
        // the median is the 450th of 810 spread over (0, 0.005]
        assertThat(SeriesMath.histogramQuantile(0.5, buckets)).isCloseTo(0.005 * 450 / 810, within(1e-12));
    }

    @Test
    void aQuantileInTheInfBucketIsTheHighestFiniteBound() {
        List<Bucket> buckets = List.of(new Bucket(0.1, 50), new Bucket(1, 90), new Bucket(Double.POSITIVE_INFINITY,
                100));

        assertThat(SeriesMath.histogramQuantile(0.99, buckets)).isEqualTo(1.0);
    }

    @Test
    void noObservationsOrNoInfBucketIsNoAnswer() {
        assertThat(SeriesMath.histogramQuantile(0.99, List.of(new Bucket(0.1, 0),
                new Bucket(Double.POSITIVE_INFINITY, 0)))).isNaN();
        assertThat(SeriesMath.histogramQuantile(0.99, List.of(new Bucket(0.1, 5), new Bucket(1, 9)))).isNaN();
    }

    @Test
    void rateCountsThroughACounterRestart() {
        List<Point> points = List.of(new Point(T0, 100), new Point(T0.plusSeconds(1), 150),
                new Point(T0.plusSeconds(2), 20), new Point(T0.plusSeconds(3), 70));

        assertThat(SeriesMath.increase(points)).isEqualTo(120.0);
        assertThat(SeriesMath.rate(points)).isEqualTo(40.0);
        assertThat(SeriesMath.rate(points.subList(0, 1))).isNaN();
    }
}
