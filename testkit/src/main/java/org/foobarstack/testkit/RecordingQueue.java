package org.foobarstack.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What one tier received, in the order it was recorded, taken one at a time as MockWebServer's
 * {@code takeRequest()} does.
 *
 * <p>Lifecycle: 1. the stack's hop feed {@linkplain #offer offers} each new record as the tier records it;
 * 2. a test {@link #take()}s them in order, waiting for one that has not arrived yet; 3. what nobody took is
 * dropped with the stack.
 *
 * <p>Waiting is bounded: {@link #take()} gives up after the queue's default wait and fails the test, naming what
 * it waited for; {@link #take(Duration)} returns {@code null} instead, for a test that expects nothing.
 *
 * @param <T> the tier's record type
 */
public final class RecordingQueue<T> {

    private final String what;
    private final Duration defaultWait;
    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();

    /**
     * @param what        what the queue holds, for failure messages: "HTTP requests at the web servers"
     * @param defaultWait how long {@link #take()} waits
     */
    public RecordingQueue(String what, Duration defaultWait) {
        this.what = Objects.requireNonNull(what, "what");
        this.defaultWait = Objects.requireNonNull(defaultWait, "defaultWait");
    }

    /** The next record, waiting up to the default wait for it. */
    public T take() {
        T next = take(defaultWait);
        if (next == null) {
            throw new AssertionError("no " + what + " recorded within " + defaultWait.toMillis() + " ms");
        }
        return next;
    }

    /** The next record, or {@code null} if none came within {@code wait}. */
    public T take(Duration wait) {
        try {
            return queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }

    /**
     * The next record that matches, dropping those before it that do not (a balancer's health checks, say),
     * waiting up to the default wait in all.
     */
    public T take(Predicate<? super T> matching) {
        long deadline = System.nanoTime() + defaultWait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            T next = left <= 0 ? queue.poll() : take(Duration.ofNanos(left));
            if (next == null) {
                throw new AssertionError("no matching " + what + " recorded within " + defaultWait.toMillis()
                        + " ms");
            }
            if (matching.test(next)) {
                return next;
            }
        }
    }

    /** Everything recorded and not yet taken, oldest first; the queue is empty afterwards. */
    public List<T> drain() {
        List<T> all = new ArrayList<>();
        queue.drainTo(all);
        return all;
    }

    /** How many records wait to be taken. */
    public int size() {
        return queue.size();
    }

    /** Adds a record: the hop feed calls this. */
    void offer(T record) {
        queue.add(record);
    }

    @Override
    public String toString() {
        return what + " (" + queue.size() + " waiting)";
    }
}
