package org.foobarstack.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.foobarstack.trace.RateLimitedLog.Policy;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class RateLimitedLogTest {

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000);

    private RateLimitedLog log(Policy policy) {
        return new RateLimitedLog((level, line) -> lines.add(level + " " + line), policy, now::get);
    }

    @Test
    void writesTheBudgetOfAWindowThenCountsWhatItLeavesOut() {
        RateLimitedLog log = log(Policy.perSecond(2));

        log.warn("bad {}", 1);
        log.info("bad {}", 2);
        log.warn("bad {}", 3);
        log.warn("bad {}", 4);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        log.warn("bad {}", 5);
        log.warn("bad {}", 6);

        assertThat(lines).containsExactly("WARN bad 1", "INFO bad 2",
                "WARN bad 5 (2 more of this kind in the last second)", "WARN bad 6");
    }

    @Test
    void eachKindHasABudgetOfItsOwn() {
        RateLimitedLog log = log(Policy.perMinute(1));

        log.warnOfKind("FORMERR", "from {}: {}", "192.0.2.1", "truncated header");
        log.warnOfKind("FORMERR", "from {}: {}", "192.0.2.1", "truncated header");
        log.warnOfKind("NOTIMP", "opcode {}", 5);
        log.warn("no kind");

        assertThat(lines).containsExactly("WARN from 192.0.2.1: truncated header", "WARN opcode 5", "WARN no kind");
    }

    @Test
    void aWindowOpensWithTheFirstLineOfItsKindAndLastsExactlyItsLength() {
        RateLimitedLog log = log(new Policy(1, Duration.ofMillis(1500)));

        log.warn("first");
        now.addAndGet(Duration.ofMillis(1500).toNanos() - 1);
        log.warn("still in the first window");
        now.addAndGet(1);
        log.warn("second window");

        assertThat(lines).containsExactly("WARN first", "WARN second window (1 more of this kind in the last 1500 ms)");
    }

    @Test
    void braceTextInAnArgumentIsWrittenAsItIs() {
        RateLimitedLog log = log(Policy.FIVE_PER_SECOND);

        log.warn("target {}", "/{}?a={}");

        assertThat(lines).containsExactly("WARN target /{}?a={}");
    }

    @Test
    void anExceptionFillsItsPlaceholder() {
        RateLimitedLog log = log(Policy.FIVE_PER_SECOND);

        log.warnOfKind("tcp-exception", "TCP connection {}: {}", "/192.0.2.1:53", new IllegalStateException("reset"));

        assertThat(lines).containsExactly("WARN TCP connection /192.0.2.1:53: java.lang.IllegalStateException: reset");
    }

    @Test
    void linesTheSinkWouldDropSpendNoBudget() {
        RateLimitedLog log = new RateLimitedLog(new RateLimitedLog.Sink() {
            @Override
            public void write(Level level, String line) {
                lines.add(level + " " + line);
            }

            @Override
            public boolean enabled(Level level) {
                return level != Level.INFO;
            }
        }, Policy.perSecond(1), now::get);

        log.info("dropped");
        log.warn("written");

        assertThat(lines).containsExactly("WARN written");
    }

    @Test
    void aPolicyNeedsALineAndATimeSpan() {
        assertThat(Policy.FIVE_PER_SECOND).isEqualTo(new Policy(5, Duration.ofSeconds(1)));
        assertThatThrownBy(() -> new Policy(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Policy(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
