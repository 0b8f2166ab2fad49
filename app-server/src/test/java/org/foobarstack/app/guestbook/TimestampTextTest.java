package org.foobarstack.app.guestbook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimestampTextTest {

    @Test
    void derbysTextBecomesTheIsoInstantTheApiSends() {
        TimestampText utc = new TimestampText(ZoneOffset.UTC);
        assertThat(utc.toIsoInstant("2026-11-22 05:08:57.55")).isEqualTo("2026-11-22T05:08:57.550Z");
        assertThat(utc.toIsoInstant("2026-11-22 05:08:57.0")).isEqualTo("2026-11-22T05:08:57Z");
        assertThat(utc.toIsoInstant("2026-11-22 05:08:57")).isEqualTo("2026-11-22T05:08:57Z");
        assertThat(utc.toIsoInstant("2026-11-22 05:08:57.123456")).isEqualTo("2026-11-22T05:08:57.123456Z");
        assertThat(utc.toIsoInstant("2026-11-22 05:08:57.000000001")).isEqualTo("2026-11-22T05:08:57.000000001Z");
        assertThat(utc.toIsoInstant(null)).isNull();
    }

    @Test
    void aLocalTimeMovesToUtcAcrossTheDateLine() {
        TimestampText berlin = new TimestampText(ZoneId.of("Europe/Berlin"));
        assertThat(berlin.toIsoInstant("2027-01-01 00:30:00.5")).isEqualTo("2026-12-31T23:30:00.500Z");
        assertThat(berlin.toIsoInstant("2026-07-01 12:00:00")).isEqualTo("2026-07-01T10:00:00Z");
    }

    /** Whatever the zone, the same text as the reading it replaces: LocalDateTime in that zone, then Instant. */
    @ParameterizedTest
    @ValueSource(strings = {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe"})
    void agreesWithJavaTimeForRandomTimestamps(String zoneName) {
        ZoneId zone = ZoneId.of(zoneName);
        TimestampText text = new TimestampText(zone);
        SplittableRandom random = new SplittableRandom(zoneName.hashCode());
        for (int i = 0; i < 20_000; i++) {
            LocalDateTime local = LocalDateTime.of(random.nextInt(1900, 2100), random.nextInt(1, 13),
                    random.nextInt(1, 29), random.nextInt(24), random.nextInt(60), random.nextInt(60));
            String fraction = switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> ".0";
                case 2 -> "." + random.nextInt(1, 1000);
                default -> "." + String.format("%09d", random.nextInt(1_000_000_000)).substring(0,
                        random.nextInt(1, 10));
            };
            String sql = String.format("%04d-%02d-%02d %02d:%02d:%02d", local.getYear(), local.getMonthValue(),
                    local.getDayOfMonth(), local.getHour(), local.getMinute(), local.getSecond()) + fraction;
            String expected = LocalDateTime.parse(sql.replace(' ', 'T')).atZone(zone).toInstant().toString();
            assertThat(text.toIsoInstant(sql)).as(sql + " in " + zone).isEqualTo(expected);
        }
    }

    @Test
    void textThatIsNotATimestampIsRefusedWithItsReason() {
        TimestampText utc = new TimestampText(ZoneOffset.UTC);
        assertThatThrownBy(() -> utc.toIsoInstant("2026-11-22T05:08:57")).hasMessageContaining("not a SQL timestamp");
        assertThatThrownBy(() -> utc.toIsoInstant("2026-11-2x 05:08:57")).hasMessageContaining("not a digit at 9");
        assertThatThrownBy(() -> utc.toIsoInstant("2026-11-22 05:08:57.1234567890"))
                .hasMessageContaining("fraction");
    }
}
