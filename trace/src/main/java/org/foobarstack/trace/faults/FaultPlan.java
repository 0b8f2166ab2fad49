package org.foobarstack.trace.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The faults one server injects into its own connections: set by a test, read by the server at each request.
 * One plan per server object, never shared through static state, so that stacks running side by side in one
 * JVM fail only where a test says so.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>The server is built with a plan (its config's, or an empty one of its own) and shows it as
 *       {@code faults()}.</li>
 *   <li>A test {@link #add}s faults, or {@link #set}s one in place of all others, from any thread.</li>
 *   <li>At the start of each request (or query) the server reads {@link #armed()} once: {@code null} when the
 *       plan is empty, which is the whole cost of a server without faults, one volatile read.</li>
 *   <li>At each trigger point the request passes, the server asks its {@link Armed} snapshot which fault fires,
 *       if any, and applies its effect. A {@link Repeat#ONCE} fault fires for exactly one request, even when
 *       several race for it, and then leaves the plan.</li>
 *   <li>{@link #clear()} empties the plan (and zeroes {@link #fired()}): requests that start afterwards meet no
 *       fault. A request already under way keeps the snapshot it took, so a fault it has begun (a stall) is not
 *       undone.</li>
 * </ol>
 * Thread-safe: changes are serialised on the plan; readers see an immutable snapshot.
 */
public final class FaultPlan {

    /** The current snapshot, or null when there is no fault: the one read on every request. */
    private volatile Armed armed;
    /** Every rule still in the plan, in the order added. Guarded by {@code this}. */
    private final List<Rule> rules = new ArrayList<>();
    /** How many times a fault of this plan has fired. Guarded by {@code this}. */
    private long fired;

    /** Adds a fault after those already planned (the first that matches a trigger point fires). */
    public synchronized FaultPlan add(Fault fault) {
        rules.add(new Rule(fault));
        publish();
        return this;
    }

    /** Replaces every planned fault with this one, and counts firings from zero again. */
    public synchronized FaultPlan set(Fault fault) {
        clear();
        return add(fault);
    }

    /**
     * Forgets every planned fault, so that the requests that start from now on meet none, and counts firings from
     * zero again.
     */
    public synchronized void clear() {
        rules.clear();
        fired = 0;
        publish();
    }

    /** The faults still planned, in order; a one-shot fault that has fired is gone. */
    public synchronized List<Fault> faults() {
        return rules.stream().map(Rule::fault).toList();
    }

    public synchronized boolean isEmpty() {
        return rules.isEmpty();
    }

    /** How many times a fault of this plan has fired since the server started, or since the last clear or set. */
    public synchronized long fired() {
        return fired;
    }

    /**
     * Waits until faults of this plan have fired {@code count} times in all, for a test that must know a fault
     * happened (a dropped datagram leaves nothing else to wait for).
     *
     * @return true once they have, false when {@code timeout} passed first
     */
    public synchronized boolean awaitFired(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (fired < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * The faults a request starting now may meet, or null when the plan is empty. A server reads this once per
     * request and keeps it for the request's life: the null check is all a fault-free request pays.
     */
    public Armed armed() {
        return armed;
    }

    @Override
    public synchronized String toString() {
        return rules.isEmpty() ? "no faults" : String.join("; ", faults().stream().map(Fault::describe).toList());
    }

    private void publish() {
        armed = rules.isEmpty() ? null : new Armed(this, rules.toArray(new Rule[0]));
    }

    /** A one-shot rule has fired: it leaves the plan, and the firing is counted. */
    private synchronized void firedOnce(Rule rule) {
        if (rule.fault().repeat() == Repeat.ONCE && rules.remove(rule)) {
            publish();
        }
        fired++;
        notifyAll();
    }

    /** One planned fault; a one-shot one remembers that it has fired. */
    private record Rule(Fault fault, AtomicBoolean spent) {

        Rule(Fault fault) {
            this(fault, new AtomicBoolean());
        }

        /** True when this rule may fire now; for a one-shot rule, true exactly once. */
        boolean take() {
            return fault.repeat() == Repeat.EVERY_TIME || spent.compareAndSet(false, true);
        }

        boolean live() {
            return !spent.get();
        }
    }

    /**
     * What one request carries from the plan: an immutable list of the faults that were planned when it
     * started. Its methods are called only when a server has one, i.e. only when faults are planned.
     */
    public static final class Armed {

        private final FaultPlan plan;
        private final Rule[] rules;

        private Armed(FaultPlan plan, Rule[] rules) {
            this.plan = plan;
            this.rules = rules;
        }

        /**
         * The fault that fires at {@code point} (a trigger that counts no bytes), or null when none does. A
         * one-shot fault returned here has been used up.
         */
        public Fault fire(Trigger point) {
            for (Rule rule : rules) {
                if (rule.fault().trigger().matches(point) && rule.live() && rule.take()) {
                    plan.firedOnce(rule);
                    return rule.fault();
                }
            }
            return null;
        }

        /**
         * The body fault that fires while bytes {@code from} (inclusive) to {@code to} (exclusive) of a body pass
         * {@code point}, i.e. one whose {@code afterBytes} lies in between; null when none does. Each body fault
         * fires at most once per request, since a body passes each byte count once.
         */
        public Fault fire(Trigger point, long from, long to) {
            for (Rule rule : rules) {
                Fault fault = rule.fault();
                if (fault.trigger().matches(point) && fault.afterBytes() >= from && fault.afterBytes() < to
                        && rule.live() && rule.take()) {
                    plan.firedOnce(rule);
                    return fault;
                }
            }
            return null;
        }

        /**
         * How many more bytes of a body may pass {@code point} before a fault fires, now that {@code passed}
         * have: the distance to the nearest fault still ahead, or {@link Long#MAX_VALUE} when there is none. A
         * server that writes a body in pieces cuts the piece that would cross it.
         */
        public long room(Trigger point, long passed) {
            long room = Long.MAX_VALUE;
            for (Rule rule : rules) {
                Fault fault = rule.fault();
                if (fault.trigger().matches(point) && fault.afterBytes() >= passed && rule.live()) {
                    room = Math.min(room, fault.afterBytes() - passed);
                }
            }
            return room;
        }

        /** Whether any fault here may still fire at {@code point}. */
        public boolean watches(Trigger point) {
            for (Rule rule : rules) {
                if (rule.fault().trigger().matches(point) && rule.live()) {
                    return true;
                }
            }
            return false;
        }
    }
}
