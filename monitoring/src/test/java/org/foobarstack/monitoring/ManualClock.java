package org.foobarstack.monitoring;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A clock that moves only when a test says so. {@link #advance} runs every task that falls due on the way, in
 * time order (tasks due at the same instant in the order they were scheduled), on the test's own thread, with
 * {@link #now()} set to the moment each was due. A push it runs is a real HTTP request over loopback, finished by
 * the time {@code advance} returns.
 */
final class ManualClock implements MonitoringClock {

    private Instant now;
    private long scheduled;
    private final List<Task> tasks = new ArrayList<>();

    private final class Task implements Repeating {
        final Duration period;
        final Runnable body;
        final long order = scheduled++;
        Instant due;
        boolean cancelled;

        Task(Duration period, Runnable body) {
            this.period = period;
            this.body = body;
            this.due = now.plus(period);
        }

        @Override
        public void close() {
            synchronized (ManualClock.this) {
                cancelled = true;
                tasks.remove(this);
            }
        }
    }

    ManualClock(Instant start) {
        this.now = start;
    }

    /** 2025-01-01T00:00:00Z: round numbers make the expected values easy to read. */
    ManualClock() {
        this(Instant.parse("2025-01-01T00:00:00Z"));
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized Repeating every(Duration period, String name, Runnable task) {
        Task t = new Task(period, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward by {@code step}, running what falls due. */
    void advance(Duration step) {
        Instant target;
        synchronized (this) {
            target = now.plus(step);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due.isAfter(target))
                        .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.order)).orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                now = next.due;
                next.due = next.due.plus(next.period);
            }
            if (!next.cancelled) {
                next.body.run();
            }
        }
    }

    void advanceSeconds(long seconds) {
        advance(Duration.ofSeconds(seconds));
    }
}
