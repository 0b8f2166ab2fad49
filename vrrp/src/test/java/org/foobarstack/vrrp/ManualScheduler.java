package org.foobarstack.vrrp;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A clock that moves only when the test says so, with the timers that go with it: {@link #advance} runs every
 * task that falls due on the way, in order, each at its own time. With it, "3.609375 s after the last
 * advertisement" is checked to the nanosecond, and a test of a minute of VRRP takes no time at all.
 */
final class ManualScheduler implements Scheduler {

    /** 2026-01-01T00:00:00Z, where the wall clock starts. */
    private static final long START_MILLIS = 1_767_225_600_000L;

    private final PriorityQueue<Task> tasks =
            new PriorityQueue<>(Comparator.comparingLong(Task::due).thenComparingLong(Task::order));
    private long now;
    private long scheduled;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public long currentTimeMillis() {
        return START_MILLIS + now / 1_000_000;
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        Task t = new Task(now + delay.toNanos(), scheduled++, task);
        tasks.add(t);
        return () -> t.cancelled = true;
    }

    /** Moves the clock forward by {@code duration}, running the tasks that fall due on the way. */
    void advance(Duration duration) {
        advanceTo(now + duration.toNanos());
    }

    /** Moves the clock to {@code elapsed} since the start. */
    void advanceTo(Duration elapsed) {
        advanceTo(elapsed.toNanos());
    }

    private void advanceTo(long end) {
        while (!tasks.isEmpty() && tasks.peek().due <= end) {
            Task task = tasks.poll();
            if (!task.cancelled) {
                now = task.due;
                task.run.run();
            }
        }
        now = end;
    }

    /** The time since the start. */
    Duration elapsed() {
        return Duration.ofNanos(now);
    }

    private static final class Task {
        final long due;
        final long order;
        final Runnable run;
        boolean cancelled;

        Task(long due, long order, Runnable run) {
            this.due = due;
            this.order = order;
            this.run = run;
        }

        long due() {
            return due;
        }

        long order() {
            return order;
        }
    }
}
