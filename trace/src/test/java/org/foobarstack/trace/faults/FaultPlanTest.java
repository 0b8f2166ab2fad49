package org.foobarstack.trace.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The value types and the plan, without a server: what fires where, how often. */
@Timeout(10)
class FaultPlanTest {

    @Test
    void anEmptyPlanArmsNothing_soAServerPaysOneRead() {
        FaultPlan plan = new FaultPlan();
        assertThat(plan.armed()).isNull();
        plan.add(Fault.on(Trigger.RESPONSE_START).then(Effect.CLOSE));
        assertThat(plan.armed()).isNotNull();
        plan.clear();
        assertThat(plan.armed()).isNull();
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void theBuilderReadsAsTheIncident() {
        Fault cut = Fault.on(Trigger.RESPONSE_BODY).after(512).then(Effect.RESET);
        assertThat(cut).isEqualTo(new Fault(Trigger.RESPONSE_BODY, 512, Effect.RESET, Duration.ZERO,
                Repeat.EVERY_TIME));
        assertThat(cut.describe()).isEqualTo("RESET on RESPONSE_BODY after 512 bytes, every time");
        assertThat(Fault.on(Trigger.QUERY_OVER_TCP).delay(Duration.ofMillis(300)).once().describe())
                .isEqualTo("DELAY 300 ms on QUERY_OVER_TCP, once");
    }

    @Test
    void mistakesAreRefusedWithWhatToDoInstead() {
        assertThatThrownBy(() -> Fault.on(Trigger.RESPONSE_START).after(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REQUEST_BODY or RESPONSE_BODY");
        assertThatThrownBy(() -> Fault.on(Trigger.QUERY).then(Effect.DELAY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay(Duration)");
        assertThatThrownBy(() -> Fault.on(Trigger.QUERY).delay(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> Fault.on(Trigger.RESPONSE_BODY).after(-1).then(Effect.CLOSE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBodyFaultFiresWhereTheBodyCrossesItsByteCount() {
        FaultPlan plan = new FaultPlan().add(Fault.on(Trigger.RESPONSE_BODY).after(100).then(Effect.CLOSE));
        FaultPlan.Armed armed = plan.armed();
        assertThat(armed.room(Trigger.RESPONSE_BODY, 0)).isEqualTo(100);
        assertThat(armed.room(Trigger.RESPONSE_BODY, 60)).isEqualTo(40);
        assertThat(armed.room(Trigger.RESPONSE_BODY, 101)).isEqualTo(Long.MAX_VALUE);
        assertThat(armed.room(Trigger.REQUEST_BODY, 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(armed.fire(Trigger.RESPONSE_BODY, 0, 100)).as("bytes 0..99 pass").isNull();
        assertThat(armed.fire(Trigger.RESPONSE_BODY, 100, 150)).isNotNull();
    }

    @Test
    void queryMatchesBothTransports_andEachTransportOnlyItself() {
        FaultPlan either = new FaultPlan().add(Fault.on(Trigger.QUERY).then(Effect.STALL));
        assertThat(either.armed().fire(Trigger.QUERY_OVER_UDP)).isNotNull();
        assertThat(either.armed().fire(Trigger.QUERY_OVER_TCP)).isNotNull();
        FaultPlan tcpOnly = new FaultPlan().add(Fault.on(Trigger.QUERY_OVER_TCP).then(Effect.STALL));
        assertThat(tcpOnly.armed().fire(Trigger.QUERY_OVER_UDP)).isNull();
        assertThat(tcpOnly.armed().fire(Trigger.QUERY_OVER_TCP)).isNotNull();
        assertThat(tcpOnly.fired()).isEqualTo(1);
    }

    @Test
    void aOneShotFaultFiresForExactlyOneOfManyRacingRequests() throws Exception {
        FaultPlan plan = new FaultPlan().add(Fault.on(Trigger.REQUEST_START).then(Effect.RESET).once());
        FaultPlan.Armed armed = plan.armed();
        int racers = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Fault>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return armed.fire(Trigger.REQUEST_START);
                }));
            }
            go.countDown();
            int fired = 0;
            for (Future<Fault> result : results) {
                fired += result.get(5, TimeUnit.SECONDS) == null ? 0 : 1;
            }
            assertThat(fired).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(plan.fired()).isEqualTo(1);
        assertThat(plan.faults()).as("a spent one-shot fault leaves the plan").isEmpty();
        assertThat(plan.armed()).isNull();
    }

    @Test
    void awaitFiredReturnsOnceFaultsHaveFired_orFalseAtTheTimeout() throws Exception {
        FaultPlan plan = new FaultPlan().add(Fault.on(Trigger.QUERY).then(Effect.STALL));
        assertThat(plan.awaitFired(1, Duration.ofMillis(50))).isFalse();
        Thread firing = new Thread(() -> plan.armed().fire(Trigger.QUERY_OVER_UDP));
        firing.start();
        assertThat(plan.awaitFired(1, Duration.ofSeconds(5))).isTrue();
        firing.join();
    }

    @Test
    void clearingCountsFromZeroAgain() {
        FaultPlan plan = new FaultPlan().add(Fault.on(Trigger.QUERY).then(Effect.STALL));
        plan.armed().fire(Trigger.QUERY_OVER_TCP);
        assertThat(plan.fired()).isEqualTo(1);
        plan.clear();
        assertThat(plan.fired()).isZero();
    }

    @Test
    void setReplacesEveryFault_andTheFirstMatchingFaultFires() {
        FaultPlan plan = new FaultPlan()
                .add(Fault.on(Trigger.RESPONSE_START).then(Effect.CLOSE))
                .add(Fault.on(Trigger.RESPONSE_START).then(Effect.RESET));
        assertThat(plan.armed().fire(Trigger.RESPONSE_START).effect()).isEqualTo(Effect.CLOSE);
        plan.set(Fault.on(Trigger.RESPONSE_END).then(Effect.STALL));
        assertThat(plan.faults()).containsExactly(Fault.on(Trigger.RESPONSE_END).then(Effect.STALL));
        assertThat(plan).hasToString("STALL on RESPONSE_END, every time");
    }
}
