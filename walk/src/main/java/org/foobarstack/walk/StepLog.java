package org.foobarstack.walk;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceClock;

/** The client's side of a walk as it happens: each message becomes a hop of tier "client", instance "walk". */
final class StepLog {

    static final String TIER = "client";
    static final String INSTANCE = "walk";

    private final String traceId;
    private final TraceClock clock = new TraceClock();
    private final List<WalkStep> steps = new ArrayList<>();

    StepLog(String traceId) {
        this.traceId = traceId;
    }

    void add(Protocol protocol, Direction direction, String summary, String peer, long startNanos, long endNanos,
             List<Field> fields, List<String> transcript) {
        add(protocol, direction, summary, peer, startNanos, endNanos, fields, transcript, null);
    }

    /** The same, for a step that used a socket: {@code flow} names it, for finding its packets. */
    void add(Protocol protocol, Direction direction, String summary, String peer, long startNanos, long endNanos,
             List<Field> fields, List<String> transcript, SocketFlow flow) {
        Hop hop = Hop.builder(traceId, protocol, direction)
                .tier(TIER, INSTANCE)
                .clock(clock)
                .summary(summary)
                .peer(peer)
                .timing(startNanos, endNanos)
                .fields(fields)
                .build();
        steps.add(new WalkStep(hop, transcript, flow));
    }

    List<WalkStep> steps() {
        return List.copyOf(steps);
    }
}
