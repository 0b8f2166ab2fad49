package org.foobarstack.dns;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs at most one line per kind of problem per minute, and says how many were left out.
 *
 * <p>Bad packets are cheap to send: a server that logged each one would let anyone fill its disk.
 * Each server owns one instance (no static state).
 */
final class RateLimitedLog {

    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Consumer<String> sink;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long openedAt;
        final AtomicLong suppressed = new AtomicLong();

        Window(long openedAt) {
            this.openedAt = openedAt;
        }
    }

    /** {@code sink} writes one line (a logger's warn method); {@code nanoClock} is normally System::nanoTime. */
    RateLimitedLog(Consumer<String> sink, LongSupplier nanoClock) {
        this.sink = sink;
        this.nanoClock = nanoClock;
    }

    /** Logs {@code message} unless a line of the same {@code kind} went out less than a minute ago. */
    boolean warn(String kind, String message) {
        long now = nanoClock.getAsLong();
        Window fresh = new Window(now);
        Window window = windows.putIfAbsent(kind, fresh);
        if (window == null) {
            sink.accept(message);
            return true;
        }
        synchronized (window) {
            if (now - window.openedAt < INTERVAL_NANOS) {
                window.suppressed.incrementAndGet();
                return false;
            }
            window.openedAt = now;
            long left = window.suppressed.getAndSet(0);
            sink.accept(left == 0 ? message : message + " (" + left + " more of this kind in the last minute)");
            return true;
        }
    }
}
