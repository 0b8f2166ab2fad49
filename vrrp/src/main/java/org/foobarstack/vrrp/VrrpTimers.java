package org.foobarstack.vrrp;

import java.time.Duration;
import java.util.Locale;

/**
 * The two formulas that decide how long a backup waits before it takes over (RFC 9568 §6.1).
 *
 * <pre>
 *   Skew_Time            = ((256 - Priority) * Active_Adver_Interval) / 256
 *   Master_Down_Interval = 3 * Active_Adver_Interval + Skew_Time
 * </pre>
 *
 * <p>Active_Adver_Interval is the interval the current master advertises (a backup learns it from the master's
 * advertisements), and Priority is the backup's own. Master_Down_Interval is RFC 9568's Active_Down_Interval
 * under its older name, the one keepalived uses.
 *
 * <p>Three missed advertisements make a master "down". The skew makes the backups time out one after the other,
 * the highest priority first: with a 1 s interval, a priority 200 backup waits 3.22 s and a priority 100 backup
 * 3.61 s, so the 200 takes over and its first advertisement reaches the 100 before the 100's own timer fires.
 *
 * <p>The RFC counts in centiseconds with integer division; these are computed in nanoseconds, which is the same
 * formula without the rounding.
 */
public final class VrrpTimers {

    private VrrpTimers() {
    }

    /** {@code ((256 - priority) * advertInterval) / 256}: shorter for a higher priority. */
    public static Duration skewTime(int priority, Duration advertInterval) {
        return advertInterval.multipliedBy(256 - priority).dividedBy(256);
    }

    /** {@code 3 * advertInterval + skewTime(priority, advertInterval)}: how long a backup waits for the master. */
    public static Duration masterDownInterval(int priority, Duration advertInterval) {
        return advertInterval.multipliedBy(3).plus(skewTime(priority, advertInterval));
    }

    /** A duration for a log line: "3.6 s" from a second up, "361 ms" below. */
    public static String format(Duration duration) {
        if (duration.compareTo(Duration.ofSeconds(1)) >= 0) {
            return String.format(Locale.ROOT, "%.1f s", duration.toNanos() / 1e9);
        }
        return Math.round(duration.toNanos() / 1e6) + " ms";
    }
}
