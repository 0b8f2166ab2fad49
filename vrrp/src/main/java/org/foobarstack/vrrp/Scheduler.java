package org.foobarstack.vrrp;

import java.time.Duration;

/**
 * The clock and the timers of a {@link VrrpStateMachine}. {@link VrrpInstance} gives it Netty's event loop and
 * the system clock; a test gives it a clock it moves by hand, so that "a backup takes over 3.609375 s after the
 * last advertisement" can be checked to the nanosecond.
 *
 * <p>The state machine calls it from one thread only, and expects the tasks to run on that thread too.
 */
interface Scheduler {

    /** A monotonic clock, for measuring intervals (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Wall-clock time, for the time stamps of transitions (like {@link System#currentTimeMillis()}). */
    long currentTimeMillis();

    /** Runs {@code task} after {@code delay}, unless cancelled first. */
    Timer schedule(Duration delay, Runnable task);

    /** A task scheduled to run later. */
    interface Timer {
        void cancel();
    }
}
