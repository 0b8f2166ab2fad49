package org.foobarstack.trace;

/**
 * Turns {@link System#nanoTime()} readings into wall-clock microseconds without asking the wall clock
 * on every hop. Hops are timed with nanoTime (monotonic, cheap, comparable between tiers in one JVM);
 * the wall-clock time is only for people, so one anchor taken at start is enough.
 */
public final class TraceClock {

    private final long anchorNanos;
    private final long anchorEpochMicros;

    public TraceClock() {
        long millis = System.currentTimeMillis();
        this.anchorNanos = System.nanoTime();
        this.anchorEpochMicros = millis * 1000L;
    }

    /** Microseconds since 1970-01-01T00:00Z at the moment nanoTime read {@code nanos}. */
    public long epochMicros(long nanos) {
        return anchorEpochMicros + (nanos - anchorNanos) / 1000L;
    }
}
