package org.foobarstack.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The recorders of every tier instance in one process, read together: the admin server asks the hub
 * for a trace and gets the hops of all tiers merged in start order.
 *
 * <p>Lifecycle: 1. create one hub per stack; 2. {@link #newRecorder} for each tier instance as it is
 * built (or {@link #add} one made elsewhere); 3. query with {@link #trace} and {@link #recent};
 * 4. {@link #remove} a recorder when its instance is stopped for good, if its hops should go too.
 */
public final class TraceHub {

    private final TraceClock clock = new TraceClock();
    private final List<TraceRecorder> recorders = new CopyOnWriteArrayList<>();

    /** A new recorder for one tier instance, sharing this hub's clock, already added. */
    public TraceRecorder newRecorder(String tier, String instance) {
        return newRecorder(tier, instance, TraceRecorder.DEFAULT_CAPACITY);
    }

    public TraceRecorder newRecorder(String tier, String instance, int capacity) {
        TraceRecorder recorder = new TraceRecorder(tier, instance, capacity, clock);
        recorders.add(recorder);
        return recorder;
    }

    public void add(TraceRecorder recorder) {
        recorders.add(recorder);
    }

    public void remove(TraceRecorder recorder) {
        recorders.remove(recorder);
    }

    public List<TraceRecorder> recorders() {
        return List.copyOf(recorders);
    }

    /** Switches recording on or off for every recorder (benchmarks compare the two). */
    public void setEnabled(boolean enabled) {
        for (TraceRecorder recorder : recorders) {
            recorder.setEnabled(enabled);
        }
    }

    /** The hops of one trace from every tier, in start order. Empty when no tier has seen it. */
    public Trace trace(String traceId) {
        List<Hop> hops = new ArrayList<>();
        for (TraceRecorder recorder : recorders) {
            hops.addAll(recorder.trace(traceId).hops());
        }
        return new Trace(traceId, hops);
    }

    /** The newest traces seen by any tier, newest first. */
    public List<TraceSummary> recent(int limit) {
        List<Hop> hops = new ArrayList<>();
        for (TraceRecorder recorder : recorders) {
            hops.addAll(recorder.hops());
        }
        hops.sort(Trace.BY_START);
        return TraceSummary.newestFirst(hops, limit);
    }
}
