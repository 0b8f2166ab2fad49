package org.foobarstack.testkit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Records come out in order; waiting is bounded and says what it waited for. */
class RecordingQueueTest {

    private final RecordingQueue<String> queue = new RecordingQueue<>("greeting", Duration.ofMillis(200));

    @Test
    void recordsComeOutInTheOrderTheyWereOffered() {
        queue.offer("one");
        queue.offer("two");

        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.take()).isEqualTo("one");
        assertThat(queue.take(Duration.ofSeconds(1))).isEqualTo("two");
    }

    @Test
    void takeFailsTheTestWhenNothingComes_andTheTimedTakeReturnsNull() {
        assertThat(queue.take(Duration.ofMillis(50))).isNull();
        assertThatThrownBy(queue::take).isInstanceOf(AssertionError.class)
                .hasMessage("no greeting recorded within 200 ms");
    }

    @Test
    void takeWithAPredicateDropsWhatDoesNotMatch() {
        queue.offer("GET /health");
        queue.offer("GET /");
        queue.offer("GET /health");

        assertThat(queue.take(s -> !s.endsWith("/health"))).isEqualTo("GET /");
        assertThat(queue.drain()).containsExactly("GET /health");
        assertThatThrownBy(() -> queue.take(s -> true)).hasMessageContaining("no matching greeting");
    }

    @Test
    void aRecordOfferedWhileATestWaitsIsHandedToIt() throws Exception {
        Thread later = new Thread(() -> queue.offer("late"));
        later.start();

        assertThat(queue.take(Duration.ofSeconds(5))).isEqualTo("late");
        later.join();
    }
}
