package org.foobarstack.app;

import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Capacity} at work in one app server: the worker that ran a request waits out the rest of the service
 * time before it takes the next one, and the real cost of recent requests is kept, so that the passport can show it
 * beside the emulated figure. (The worker count and the queue are the worker pool's own: {@link AppServer} sizes the
 * pool from the capacity.)
 *
 * <p>Real work first, then the wait: a request that costs 3 ms of a 25 ms service time is answered after 25 ms, and
 * its worker is free again then, not before. A request that costs more than the service time is not held at all:
 * the real machine is then the limit, and {@link #meanRealCostMillis()} shows it.
 *
 * <p>Thread-safe: every worker calls {@link #holdWorker}.
 */
public final class EmulatedCapacity {

    /** How many of the latest requests the mean real cost is taken over. */
    static final int RECENT_REQUESTS = 64;

    private final Capacity capacity;
    private final long[] recentNanos = new long[RECENT_REQUESTS];
    private int next;
    private int recorded;

    public EmulatedCapacity(Capacity capacity) {
        this.capacity = capacity;
    }

    public Capacity capacity() {
        return capacity;
    }

    /**
     * Called by a worker when the application has answered a request it started at {@code startNanos}
     * ({@link System#nanoTime()}): records what the request really cost, then waits until the service time has
     * passed since the start. An interrupt (the server stopping at its shutdown timeout) ends the wait at once.
     */
    public void holdWorker(long startNanos) {
        long realNanos = System.nanoTime() - startNanos;
        synchronized (recentNanos) {
            recentNanos[next] = realNanos;
            next = (next + 1) % RECENT_REQUESTS;
            recorded = Math.min(recorded + 1, RECENT_REQUESTS);
        }
        long remaining = capacity.serviceTime().toNanos() - realNanos;
        // sleep may wake early on some systems: wait until the service time has really passed
        while (remaining > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(remaining);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            }
            remaining = capacity.serviceTime().toNanos() - (System.nanoTime() - startNanos);
        }
    }

    /** The mean real cost, in milliseconds, of the last {@value #RECENT_REQUESTS} requests; empty before the first. */
    public OptionalDouble meanRealCostMillis() {
        synchronized (recentNanos) {
            if (recorded == 0) {
                return OptionalDouble.empty();
            }
            long sum = 0;
            for (int i = 0; i < recorded; i++) {
                sum += recentNanos[i];
            }
            return OptionalDouble.of(sum / 1e6 / recorded);
        }
    }
}
