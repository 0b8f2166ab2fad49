package org.foobarstack.loadgen;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The timeline's arithmetic on slices made up by hand. */
class TimelineTest {

    /** A slice of 10 requests: 'o' all 200, 'x' all refused, '5' all 503, '4' all 404, 'm' 9 refused + one 503,
     *  'h' half 200 and half refused, '.' no request scheduled at all. */
    static Timeline timeline(String slices) {
        List<TimelineBucket> buckets = new ArrayList<>();
        for (int i = 0; i < slices.length(); i++) {
            long start = i * Timeline.BUCKET_MILLIS;
            buckets.add(switch (slices.charAt(i)) {
                case 'o' -> new TimelineBucket(start, 100, 10, 10, 0, 0, Map.of(), 1.0);
                case 'x' -> new TimelineBucket(start, 100, 10, 0, 0, 0, Map.of(FailureKind.REFUSED, 10L), 0);
                case '5' -> new TimelineBucket(start, 100, 10, 0, 0, 10, Map.of(), 2.0);
                case '4' -> new TimelineBucket(start, 100, 10, 0, 10, 0, Map.of(), 2.0);
                case 'm' -> new TimelineBucket(start, 100, 10, 0, 0, 1, Map.of(FailureKind.REFUSED, 9L), 2.0);
                case 'h' -> new TimelineBucket(start, 100, 10, 5, 0, 0, Map.of(FailureKind.REFUSED, 5L), 1.0);
                case '.' -> new TimelineBucket(start, 100, 0, 0, 0, 0, Map.of(), 0);
                default -> throw new IllegalArgumentException(slices);
            });
        }
        return new Timeline(Timeline.BUCKET_MILLIS, buckets);
    }

    @Test
    void noOutageWhenEverySliceHadAGoodAnswer() {
        assertThat(timeline("oooooo").outageMillis()).isZero();
        assertThat(timeline("ohohoh").outageMillis()).isZero();
        assertThat(timeline("").outageMillis()).isZero();
    }

    @Test
    void outageIsTheLongestRunOfDownSlices() {
        assertThat(timeline("ooxxxoox").outageMillis()).isEqualTo(300);
        assertThat(timeline("xoxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxo").outageMillis()).isEqualTo(3100);
        assertThat(timeline("xxxx").outageMillis()).isEqualTo(400);
        assertThat(timeline("oooxx").outageMillis()).isEqualTo(200); // still down when the run ended
    }

    @Test
    void fiveHundredsCountAsDownAndFourHundredsDoNot() {
        assertThat(timeline("o55xm5o").outageMillis()).isEqualTo(500);
        assertThat(timeline("o44o").outageMillis()).isZero();
        assertThat(timeline("x4x").outageMillis()).isEqualTo(100);
    }

    @Test
    void emptySlicesNeitherBreakNorStartAnOutage() {
        assertThat(timeline("ox.x.xo").outageMillis()).isEqualTo(500);
        assertThat(timeline("..o..").outageMillis()).isZero();
        assertThat(timeline("o.x.o").outageMillis()).isEqualTo(100);
        assertThat(timeline("x.o.x").outageMillis()).isEqualTo(100);
    }

    @Test
    void perSecondAddsUpTenSlices() {
        Timeline timeline = timeline("oooooooooo" + "xxxxxooo55" + "oo");
        List<TimelineBucket> seconds = timeline.perSecond();

        assertThat(seconds).hasSize(3);
        assertThat(seconds.get(0)).satisfies(s -> {
            assertThat(s.startMillis()).isZero();
            assertThat(s.lengthMillis()).isEqualTo(1000);
            assertThat(s.sent()).isEqualTo(100);
            assertThat(s.ok()).isEqualTo(100);
            assertThat(s.isDown()).isFalse();
        });
        assertThat(seconds.get(1)).satisfies(s -> {
            assertThat(s.startMillis()).isEqualTo(1000);
            assertThat(s.sent()).isEqualTo(100);
            assertThat(s.ok()).isEqualTo(30);
            assertThat(s.serverErrors()).isEqualTo(20);
            assertThat(s.failed(FailureKind.REFUSED)).isEqualTo(50);
            assertThat(s.failedTotal()).isEqualTo(50);
            assertThat(s.maxLatencyMillis()).isEqualTo(2.0);
        });
        assertThat(seconds.get(2).lengthMillis()).isEqualTo(200); // the last second may be short
    }

    @Test
    void perSecondAddsUpTheCountedHeaderValues() {
        List<TimelineBucket> slices = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            // v1 until 0.64 s, v2 after it; one answer in each of the last three slices without the header
            Map<String, Long> values = b < 6 ? Map.of("v1", 10L)
                    : b == 6 ? Map.of("v1", 4L, "v2", 6L)
                    : Map.of("v2", 9L, "-", 1L);
            slices.add(new TimelineBucket(b * 100L, 100, 10, 10, 0, 0, Map.of(), 1.0, values));
        }
        TimelineBucket second = new Timeline(Timeline.BUCKET_MILLIS, slices).perSecond().get(0);

        assertThat(second.headerValues()).containsExactly(Map.entry("v1", 64L), Map.entry("v2", 33L), Map.entry("-", 3L));
        assertThat(timeline("oox").perSecond().get(0).headerValues()).isEmpty(); // no header counted
    }
}
