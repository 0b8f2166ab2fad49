package org.foobarstack.app.guestbook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimestampTextTest {

    private static final int NANOS_PER_SECOND = 1_000_000_000;

    /** What Derby's SECOND() returns for a TIMESTAMP: seconds plus nanoseconds / 10^9, as a DOUBLE. */
    private static double derbySecond(int second, int nano) {
        return (double) second + (double) nano / 1.0e9;
    }

    @Test
    void derbysFieldsBecomeTheIsoInstantTheApiSends() {
        TimestampText utc = new TimestampText(ZoneOffset.UTC);
        assertThat(utc.toIsoInstant(2026, 11, 22, 5, 8, derbySecond(57, 550_000_000)))
                .isEqualTo("2026-11-22T05:08:57.550Z");
        assertThat(utc.toIsoInstant(2026, 11, 22, 5, 8, derbySecond(57, 0))).isEqualTo("2026-11-22T05:08:57Z");
        assertThat(utc.toIsoInstant(2026, 11, 22, 5, 8, derbySecond(57, 123_456_000)))
                .isEqualTo("2026-11-22T05:08:57.123456Z");
        assertThat(utc.toIsoInstant(2026, 11, 22, 5, 8, derbySecond(57, 1)))
                .isEqualTo("2026-11-22T05:08:57.000000001Z");
        assertThat(utc.toIsoInstant(2026, 12, 31, 23, 59, derbySecond(59, 999_999_999)))
                .isEqualTo("2026-12-31T23:59:59.999999999Z");
    }

    @Test
    void aLocalTimeMovesToUtcAcrossTheDateLine() {
        TimestampText berlin = new TimestampText(ZoneId.of("Europe/Berlin"));
        assertThat(berlin.toIsoInstant(2027, 1, 1, 0, 30, derbySecond(0, 500_000_000)))
                .isEqualTo("2026-12-31T23:30:00.500Z");
        assertThat(berlin.toIsoInstant(2026, 7, 1, 12, 0, 0.0)).isEqualTo("2026-07-01T10:00:00Z");
    }

    /**
     * Nanoseconds survive the trip through a double: below 60 s its error is about 4e-6 ns, so rounding gives them
     * back exactly. 100,000 samples at every second of a minute, the 1,000 largest fractions among them.
     */
    @Test
    void theSecondsDoubleGivesBackTheStoredNanoseconds() {
        TimestampText utc = new TimestampText(ZoneOffset.UTC);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            int second = random.nextInt(60);
            int nano = i < 1000 ? NANOS_PER_SECOND - 1 - i : random.nextInt(NANOS_PER_SECOND);
            String expected = LocalDateTime.of(2026, 1, 1, 0, 0, second, nano).toInstant(ZoneOffset.UTC).toString();
            assertThat(utc.toIsoInstant(2026, 1, 1, 0, 0, derbySecond(second, nano)))
                    .as("%d s %d ns", second, nano).isEqualTo(expected);
        }
    }

    /** Whatever the zone, the same text as java.time's LocalDateTime.atZone(zone).toInstant().toString(). */
    @ParameterizedTest
    @ValueSource(strings = {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe"})
    void agreesWithJavaTimeForRandomTimestamps(String zoneName) {
        ZoneId zone = ZoneId.of(zoneName);
        TimestampText text = new TimestampText(zone);
        SplittableRandom random = new SplittableRandom(zoneName.hashCode());
        for (int i = 0; i < 20_000; i++) {
            int nano = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1, 1000) * 1_000_000;
                case 2 -> random.nextInt(1, 1_000_000) * 1_000;
                default -> random.nextInt(NANOS_PER_SECOND);
            };
            LocalDateTime local = LocalDateTime.of(random.nextInt(1900, 2100), random.nextInt(1, 13),
                    random.nextInt(1, 29), random.nextInt(24), random.nextInt(60), random.nextInt(60), nano);
            String expected = local.atZone(zone).toInstant().toString();
            assertThat(text.toIsoInstant(local.getYear(), local.getMonthValue(), local.getDayOfMonth(),
                    local.getHour(), local.getMinute(), derbySecond(local.getSecond(), nano)))
                    .as(local + " in " + zone).isEqualTo(expected);
        }
    }

    @Test
    void secondsOutsideAMinuteAreRefusedWithTheirValue() {
        TimestampText utc = new TimestampText(ZoneOffset.UTC);
        assertThatThrownBy(() -> utc.toIsoInstant(2026, 11, 22, 5, 8, 60.0)).hasMessageContaining("60.0");
        assertThatThrownBy(() -> utc.toIsoInstant(2026, 11, 22, 5, 8, -0.5)).hasMessageContaining("-0.5");
        assertThatThrownBy(() -> utc.toIsoInstant(2026, 11, 22, 5, 8, Double.NaN)).hasMessageContaining("NaN");
    }

    /** The zone conversion is the JDBC one: a Timestamp read in the JVM's zone. */
    @Test
    void agreesWithTheDriversOwnReadingInTheDefaultZone() {
        TimestampText local = new TimestampText(ZoneId.systemDefault());
        Timestamp stored = Timestamp.valueOf("2026-11-22 05:08:57.55");
        assertThat(local.toIsoInstant(2026, 11, 22, 5, 8, derbySecond(57, 550_000_000)))
                .isEqualTo(stored.toInstant().toString());
    }
}
