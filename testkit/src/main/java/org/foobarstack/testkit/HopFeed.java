package org.foobarstack.testkit;

import org.foobarstack.trace.Hop;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Hands every new hop of a stack's trace hub to a consumer, once, in the order the hops started.
 *
 * <p>The tiers write hops into lock-free rings ({@link TraceRecorder}) and nobody is told when one is written, so
 * the feed polls. Asking a recorder how many hops it ever recorded is one volatile read; only a recorder whose
 * count moved is read whole. Recording claims a slot (the count moves) and then stores the hop in it, so a read
 * that races with a writer may miss that hop: a recorder whose count moved is therefore read once more at the next
 * poll. A hop is new if the previous read of its recorder did not hold that very object.
 *
 * <p>Lifecycle: 1. {@link #start()} before the stack starts, so that nothing it records is missed; 2. a daemon
 * thread polls every {@code interval}, collects the new hops of every recorder (those of hosts added later too),
 * sorts them by start and hands them on; 3. {@link #close()} stops the thread after one last poll.
 *
 * <p>Limit: a recorder keeps its newest 1,024 hops; one that records more than that between two polls (a load
 * test) overwrites some before the feed sees them.
 */
final class HopFeed implements AutoCloseable {

    /** What the feed knows of one recorder. */
    private static final class Seen {
        long count;
        boolean readAgain;
        Set<Hop> lastRead = Collections.newSetFromMap(new IdentityHashMap<>());
    }

    private final TraceHub hub;
    private final Consumer<Hop> consumer;
    private final Duration interval;
    private final Map<TraceRecorder, Seen> seen = new IdentityHashMap<>();
    private final Thread thread;
    private volatile boolean running;

    HopFeed(TraceHub hub, Consumer<Hop> consumer, Duration interval, String name) {
        this.hub = hub;
        this.consumer = consumer;
        this.interval = interval;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        running = true;
        thread.start();
    }

    private void run() {
        while (running) {
            poll();
            LockSupport.parkNanos(interval.toNanos());
        }
        poll();
    }

    /** One round: every recorder whose count moved (or moved at the last round) is read. */
    private void poll() {
        List<Hop> fresh = new ArrayList<>();
        for (TraceRecorder recorder : hub.recorders()) {
            Seen known = seen.computeIfAbsent(recorder, r -> new Seen());
            long count = recorder.recordedCount();
            if (count == known.count && !known.readAgain) {
                continue;
            }
            List<Hop> hops = recorder.hops();
            Set<Hop> read = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Hop hop : hops) {
                read.add(hop);
                if (!known.lastRead.contains(hop)) {
                    fresh.add(hop);
                }
            }
            known.readAgain = count != known.count;
            known.count = count;
            known.lastRead = read;
        }
        fresh.sort(Comparator.comparingLong(Hop::startNanos));
        for (Hop hop : fresh) {
            try {
                consumer.accept(hop);
            } catch (RuntimeException e) {
                // a hop the kit cannot read must not stop the feed: it is left out, the thread goes on
                System.getLogger(HopFeed.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot record " + hop + ": " + e);
            }
        }
    }

    /** Stops polling; the hops recorded up to now are handed on first. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
