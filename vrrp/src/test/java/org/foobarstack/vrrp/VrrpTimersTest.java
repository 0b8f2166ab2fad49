package org.foobarstack.vrrp;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Skew_Time and Master_Down_Interval (RFC 9568 §6.1), and how long each backup waits. */
class VrrpTimersTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    @Test
    void aPriority100BackupWaits3Point6SecondsAtTheDefaultInterval() {
        assertThat(VrrpTimers.skewTime(100, ONE_SECOND)).isEqualTo(Duration.ofNanos(609_375_000));
        assertThat(VrrpTimers.masterDownInterval(100, ONE_SECOND)).isEqualTo(Duration.ofNanos(3_609_375_000L));
    }

    @Test
    void aHigherPriorityWaitsLessSoItTimesOutFirst() {
        assertThat(VrrpTimers.masterDownInterval(200, ONE_SECOND)).isEqualTo(Duration.ofNanos(3_218_750_000L));
        assertThat(VrrpTimers.masterDownInterval(200, ONE_SECOND))
                .isLessThan(VrrpTimers.masterDownInterval(150, ONE_SECOND))
                .isLessThan(VrrpTimers.masterDownInterval(100, ONE_SECOND));
        assertThat(VrrpTimers.skewTime(254, ONE_SECOND)).isEqualTo(Duration.ofNanos(7_812_500));
    }

    @Test
    void theTimersScaleWithTheInterval() {
        Duration tenth = Duration.ofMillis(100);
        assertThat(VrrpTimers.skewTime(100, tenth)).isEqualTo(Duration.ofNanos(60_937_500));
        assertThat(VrrpTimers.masterDownInterval(100, tenth)).isEqualTo(Duration.ofNanos(360_937_500));
    }

    @Test
    void durationsAreWrittenForPeople() {
        assertThat(VrrpTimers.format(Duration.ofNanos(3_609_375_000L))).isEqualTo("3.6 s");
        assertThat(VrrpTimers.format(Duration.ofNanos(360_937_500))).isEqualTo("361 ms");
        assertThat(VrrpTimers.format(Duration.ofSeconds(1))).isEqualTo("1.0 s");
    }
}
