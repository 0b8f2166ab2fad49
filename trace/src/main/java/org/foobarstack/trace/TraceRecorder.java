package org.foobarstack.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The hops one tier instance has seen, kept in a bounded ring in memory: the newest {@code capacity}
 * hops, older ones overwritten.
 *
 * <h2>Cost on the request path</h2>
 * {@link #record} takes no lock: one {@code getAndIncrement} on an {@link AtomicLong} claims a slot,
 * one volatile store publishes the hop. The price of tracing a message is therefore that store plus
 * building the {@link Hop} and its {@link Field} tree (a few small objects per header line). A tier that
 * is asked to trace nothing checks {@link #enabled()} first and builds nothing. Memory is bounded by
 * {@code capacity} hops per instance whatever the load.
 *
 * <h2>Reading</h2>
 * Queries ({@link #trace}, {@link #recent}) copy the ring, O(capacity), and are meant for people:
 * a dashboard or the walk command, not the request path. A reader racing with writers may miss a hop
 * being written at that moment or see the ring already moved on; it never sees a half-built hop,
 * because hops are immutable and published by a volatile store.
 *
 * <p>No static state: each tier instance owns one recorder; a {@link TraceHub} gathers them.
 */
public final class TraceRecorder {

    /**
     * The default ring size: at ~1 KiB a hop, about 1 MiB per tier instance, the last few hundred requests. Kept
     * small on purpose: under load a hop should be overwritten while it is still in the young generation, so
     * that the collector drops it cheaply instead of promoting it and collecting it later with a full GC (a ring
     * of 4096 hops made the whole stack's JVM run a full collection every second at 3,000 requests/s).
     */
    public static final int DEFAULT_CAPACITY = 1024;

    private final String tier;
    private final String instance;
    private final TraceClock clock;
    private final AtomicReferenceArray<Entry> ring;
    private final int mask;
    private final AtomicLong next = new AtomicLong();
    private volatile boolean enabled = true;

    /** A slot of the ring: the hop and its write sequence, which orders hops that start in the same nanosecond. */
    private record Entry(long sequence, Hop hop) {
    }

    public TraceRecorder(String tier, String instance) {
        this(tier, instance, DEFAULT_CAPACITY, new TraceClock());
    }

    /**
     * @param capacity rounded up to a power of two, so that a slot is {@code sequence & mask}
     * @param clock    shared by the recorders of one process so that their wall-clock times agree
     */
    public TraceRecorder(String tier, String instance, int capacity, TraceClock clock) {
        this.tier = Objects.requireNonNull(tier, "tier");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (capacity < 1 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("capacity must be between 1 and 2^24: " + capacity);
        }
        int size = Integer.highestOneBit(capacity);
        if (size < capacity) {
            size <<= 1;
        }
        this.ring = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    public String tier() {
        return tier;
    }

    public String instance() {
        return instance;
    }

    public int capacity() {
        return ring.length();
    }

    /** False when tracing is switched off: tiers then skip building hops at all. */
    public boolean enabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** A hop builder with this recorder's tier, instance and clock filled in. */
    public Hop.Builder hop(String traceId, Protocol protocol, Direction direction) {
        return Hop.builder(traceId, protocol, direction).tier(tier, instance).clock(clock);
    }

    /** Keeps a hop; lock-free, overwrites the oldest when the ring is full. Ignored when disabled. */
    public void record(Hop hop) {
        Objects.requireNonNull(hop, "hop");
        if (!enabled) {
            return;
        }
        long sequence = next.getAndIncrement();
        ring.set((int) (sequence & mask), new Entry(sequence, hop));
    }

    /** How many hops were ever recorded (the ring keeps at most {@link #capacity()} of them). */
    public long recordedCount() {
        return next.get();
    }

    /** This instance's hops of one trace, in the order they started. */
    public Trace trace(String traceId) {
        List<Hop> hops = new ArrayList<>();
        for (Entry entry : entries()) {
            if (entry.hop().traceId().equals(traceId)) {
                hops.add(entry.hop());
            }
        }
        return new Trace(traceId, hops);
    }

    /** The newest traces this instance has seen, newest first. */
    public List<TraceSummary> recent(int limit) {
        return TraceSummary.newestFirst(hops(), limit);
    }

    /** Every hop still in the ring, oldest first. */
    public List<Hop> hops() {
        List<Hop> hops = new ArrayList<>();
        for (Entry entry : entries()) {
            hops.add(entry.hop());
        }
        return hops;
    }

    /**
     * The hops recorded since {@code sequence} (a {@link Batch#next()} of an earlier call; 0 the first time) that
     * are still in the ring, oldest first: what another process copies to follow this recorder without taking a
     * hop twice. A {@code sequence} beyond {@link #recordedCount()} means this recorder is new (its process was
     * started again): the batch then starts from its first hop.
     */
    public Batch since(long sequence) {
        long recorded = next.get();
        long from = sequence > recorded ? 0 : sequence;
        List<Hop> hops = new ArrayList<>();
        long expected = -1;
        for (Entry entry : entries()) {
            if (entry.sequence() < from) {
                continue;
            }
            if (expected >= 0 && entry.sequence() != expected) {
                break; // a hop numbered but not yet stored (record() is between its two steps): next time
            }
            hops.add(entry.hop());
            expected = entry.sequence() + 1;
        }
        return new Batch(expected >= 0 ? expected : from, hops);
    }

    /**
     * Hops copied out of a recorder.
     *
     * @param next the sequence to ask for next time
     * @param hops oldest first
     */
    public record Batch(long next, List<Hop> hops) {
        public Batch {
            hops = List.copyOf(hops);
        }
    }

    private List<Entry> entries() {
        List<Entry> entries = new ArrayList<>(ring.length());
        for (int i = 0; i < ring.length(); i++) {
            Entry entry = ring.get(i);
            if (entry != null) {
                entries.add(entry);
            }
        }
        entries.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return entries;
    }
}
