package org.foobarstack.vrrp;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition by looking at it every few milliseconds until a deadline. */
final class Eventually {

    private Eventually() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} and its state if the deadline passes first. */
    static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "; " + state.get());
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }
}
