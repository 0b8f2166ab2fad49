package org.foobarstack.testkit;

import org.foobarstack.topology.Topology;

import java.util.BitSet;
import java.util.Optional;
import java.util.function.Function;

/**
 * Hands each test stack a third octet of its own, so that its hosts listen on 127.0.N.x and no two stacks of one
 * JVM share an address, whatever ports their design names.
 *
 * <p>Linux routes all of 127.0.0.0/8 to the loopback interface, so every 127.0.N.x address can be bound at once.
 * The shared allocator hands out octets {@value #FIRST} to {@value #LAST}, a range no other test of this
 * repository uses. Lifecycle:
 * <ol>
 *   <li>{@link #lease} takes the next octet that is neither leased in this JVM nor taken on the machine: the
 *       design is moved there ({@link Topology#relocated}) and every address it would listen on is probed;</li>
 *   <li>the stack runs on the lease's topology;</li>
 *   <li>{@link Lease#close()} gives the octet back once the stack has stopped.</li>
 * </ol>
 * Leasing is synchronized; probing another process's sockets is not a reservation (see {@link AddressProbe}).
 */
public final class OctetAllocator {

    /** The first octet of the shared range. */
    public static final int FIRST = 150;
    /** The last octet of the shared range. */
    public static final int LAST = 199;

    private static final OctetAllocator SHARED = new OctetAllocator(FIRST, LAST, AddressProbe::firstTaken);

    private final int first;
    private final int last;
    private final Function<Topology, Optional<String>> probe;
    private final BitSet leased = new BitSet();
    /** Where the next search starts: octets are handed out round the range, so a given-back one rests a while. */
    private int next;

    /**
     * @param probe the first address of a relocated design that is taken, or empty when all are free
     */
    OctetAllocator(int first, int last, Function<Topology, Optional<String>> probe) {
        if (first < 1 || last > 254 || first > last) {
            throw new IllegalArgumentException("octets must lie in 1..254: " + first + ".." + last);
        }
        this.first = first;
        this.last = last;
        this.probe = probe;
        this.next = first;
    }

    /** The allocator every test stack of this JVM uses. */
    public static OctetAllocator shared() {
        return SHARED;
    }

    /**
     * The next free octet with {@code design} moved onto it.
     *
     * @throws IllegalStateException when every octet of the range is leased or taken; the message says why for
     *                               the last one tried
     */
    public synchronized Lease lease(Topology design) {
        String lastReason = "all leased in this JVM";
        int size = last - first + 1;
        for (int i = 0; i < size; i++) {
            int octet = first + (next - first + i) % size;
            if (leased.get(octet)) {
                continue;
            }
            Topology moved = design.relocated(octet);
            Optional<String> taken = probe.apply(moved);
            if (taken.isPresent()) {
                lastReason = taken.get() + " is in use";
                continue;
            }
            leased.set(octet);
            next = octet == last ? first : octet + 1;
            return new Lease(octet, moved);
        }
        throw new IllegalStateException("no free octet in 127.0." + first + ".x to 127.0." + last + ".x for the "
                + design.name() + " design (" + lastReason + ")");
    }

    /** How many octets are leased now. */
    public synchronized int leasedCount() {
        return leased.cardinality();
    }

    private synchronized void release(int octet) {
        leased.clear(octet);
    }

    /** One octet, leased until closed, and the design moved onto it. */
    public final class Lease implements AutoCloseable {
        private final int octet;
        private final Topology topology;
        private boolean closed;

        private Lease(int octet, Topology topology) {
            this.octet = octet;
            this.topology = topology;
        }

        public int octet() {
            return octet;
        }

        /** The design with every host on 127.0.{@link #octet()}.x. */
        public Topology topology() {
            return topology;
        }

        /** Gives the octet back; once only. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                release(octet);
            }
        }
    }
}
