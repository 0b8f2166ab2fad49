package org.foobarstack.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A run cut into slices of {@link #BUCKET_MILLIS} by the intended start of each request: the record of when the
 * server answered and when it did not. The report shows it per second; a demo reads {@link #outageMillis()} from
 * it to say "the site was unreachable for 3.2 s".
 *
 * @param bucketMillis the length of each slice, {@link #BUCKET_MILLIS}
 * @param buckets      the slices in order, the first starting at 0 ms; one may be empty when the rate is below
 *                     10 requests per second
 */
public record Timeline(long bucketMillis, List<TimelineBucket> buckets) {

    /** 100 ms: fine enough to time an outage to a tenth of a second, coarse enough to stay small. */
    public static final long BUCKET_MILLIS = 100;

    public Timeline {
        if (bucketMillis <= 0) {
            throw new IllegalArgumentException("bucketMillis " + bucketMillis);
        }
        buckets = List.copyOf(Objects.requireNonNull(buckets, "buckets"));
    }

    /** The same run in slices of one second, as the report's table shows it. */
    public List<TimelineBucket> perSecond() {
        List<TimelineBucket> seconds = new ArrayList<>();
        TimelineBucket current = null;
        for (TimelineBucket bucket : buckets) {
            if (current != null && bucket.startMillis() / 1000 == current.startMillis() / 1000) {
                current = current.plus(bucket);
            } else {
                if (current != null) {
                    seconds.add(current);
                }
                current = bucket;
            }
        }
        if (current != null) {
            seconds.add(current);
        }
        return seconds;
    }

    /**
     * The longest stretch of consecutive slices in which every request failed or was answered 5xx
     * ({@link TimelineBucket#isDown()}), in milliseconds; 0 when every slice had at least one good answer.
     *
     * <p>A slice with no request scheduled in it says nothing either way (at 5 requests per second every other
     * slice is empty), so it neither breaks a stretch nor starts one: the stretch runs from its first down slice
     * to its last, across any empty ones between them.
     */
    public long outageMillis() {
        long longest = 0;
        int firstDown = -1;
        for (int i = 0; i < buckets.size(); i++) {
            TimelineBucket bucket = buckets.get(i);
            if (bucket.sent() == 0) {
                continue;
            }
            if (bucket.isDown()) {
                if (firstDown < 0) {
                    firstDown = i;
                }
                longest = Math.max(longest, (i - firstDown + 1) * bucketMillis);
            } else {
                firstDown = -1;
            }
        }
        return longest;
    }
}
