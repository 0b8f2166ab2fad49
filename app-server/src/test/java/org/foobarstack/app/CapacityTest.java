package org.foobarstack.app;

import org.foobarstack.app.guestbook.AppVersion;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a capacity and a version are written, read and described: what a learner types and what they see. */
class CapacityTest {

    @Test
    void workersAndServiceTimeGiveTheRateAndTheQueueDefaultsToFourPerWorker() {
        Capacity capacity = Capacity.parse("4x25ms");
        assertThat(capacity).isEqualTo(new Capacity(4, Duration.ofMillis(25), 16));
        assertThat(capacity.maxPerSecond()).isEqualTo(160.0);
        assertThat(capacity.describe()).isEqualTo("4 workers x 25 ms = 160 requests/s, queue 16 (emulated)");
    }

    @Test
    void theQueueSecondsAndSpacesAreRead() {
        assertThat(Capacity.parse("1x200ms,queue=1")).isEqualTo(new Capacity(1, Duration.ofMillis(200), 1));
        assertThat(Capacity.parse(" 2X1S , queue = 0 ")).isEqualTo(new Capacity(2, Duration.ofSeconds(1), 0));
        assertThat(Capacity.parse("1x200ms,queue=1").describe())
                .isEqualTo("1 worker x 200 ms = 5 requests/s, queue 1 (emulated)");
        assertThat(new Capacity(3, Duration.ofMillis(7), 2).describe())
                .isEqualTo("3 workers x 7 ms = 428.6 requests/s, queue 2 (emulated)");
        assertThat(new Capacity(1, Duration.ofNanos(500_000), 0).describe())
                .isEqualTo("1 worker x 0.5 ms = 2000 requests/s, queue 0 (emulated)");
    }

    @Test
    void aMalformedCapacityIsRefusedSayingWhichPartIsWrong() {
        assertRefused(null, "capacity is empty: expected WORKERSxTIME[,queue=N], e.g. 4x25ms");
        assertRefused("  ", "capacity is empty");
        assertRefused("4", "capacity '4' does not start with WORKERSxTIME");
        assertRefused("4x25ms,queue=16,queue=2", "has 2 commas; queue=N is the only option");
        assertRefused("x25ms", "gives workers as '', not a whole number");
        assertRefused("four x25ms", "gives workers as 'four', not a whole number");
        assertRefused("4x25", "gives the service time '25' without a unit; write it as 25ms or 1s");
        assertRefused("4x25us", "gives the service time in 'us'; the units are ms and s");
        assertRefused("4xms", "gives the service time as '', not a whole number");
        assertRefused("4x25ms,depth=3", "has the option 'depth=3'; the only option is queue=N");
        assertRefused("4x25ms,queue=-1", "gives queue as '-1', not a whole number");
        assertRefused("99999999999x1ms", "gives workers as 99999999999, too large");
        assertRefused("0x25ms", "capacity: workers must be 1..1024, got 0 (in '0x25ms')");
        assertRefused("2000x25ms", "workers must be 1..1024, got 2000");
        assertRefused("4x0ms", "the service time must be more than zero, got PT0S (in '4x0ms')");
    }

    @Test
    void aCapacityOutsideItsRangesCannotBeBuilt() {
        assertThatThrownBy(() -> new Capacity(1, Duration.ofMillis(-5), 0))
                .hasMessage("capacity: the service time must be more than zero, got PT-0.005S");
        assertThatThrownBy(() -> new Capacity(1, null, 0)).hasMessageContaining("more than zero, got null");
        assertThatThrownBy(() -> new Capacity(1, Duration.ofMillis(5), -1))
                .hasMessage("capacity: queue must be 0..1000000, got -1");
    }

    @Test
    void theConfigReplacesWorkersAndQueueOnlyWhenACapacityIsGiven() {
        AppServerConfig plain = AppServerConfig.builder().workerThreads(8).maxQueuedRequests(256).build();
        assertThat(plain.capacity()).isNull();
        assertThat(plain.appVersion()).isEqualTo(AppVersion.V1);
        assertThat(plain.effectiveWorkers()).isEqualTo(8);
        assertThat(plain.effectiveQueue()).isEqualTo(256);
        AppServerConfig emulated = plain.toBuilder().capacity(Capacity.parse("2x10ms,queue=0"))
                .appVersion(AppVersion.V2).build();
        assertThat(emulated.effectiveWorkers()).isEqualTo(2);
        assertThat(emulated.effectiveQueue()).isZero();
        assertThat(emulated.toBuilder().build()).isEqualTo(emulated);
        assertThatThrownBy(() -> AppServerConfig.builder().appVersion(null).build())
                .hasMessageContaining("appVersion");
    }

    @Test
    void aVersionIsWrittenV1OrV2AndAnythingElseNamesTheKnownOnes() {
        assertThat(AppVersion.parse("v1")).isEqualTo(AppVersion.V1);
        assertThat(AppVersion.parse("V1")).isEqualTo(AppVersion.V1);
        assertThat(AppVersion.parse(" v2 ")).isEqualTo(AppVersion.V2);
        assertThat(AppVersion.V2.word()).isEqualTo("v2");
        assertThat(AppVersion.V1.description()).startsWith("the guestbook");
        assertThat(AppVersion.V2.description()).contains("counts its messages");
        assertThatThrownBy(() -> AppVersion.parse("v3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown application version 'v3': the known versions are v1, v2");
        assertThatThrownBy(() -> AppVersion.parse(null)).hasMessageContaining("the known versions are v1, v2");
    }

    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> Capacity.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
