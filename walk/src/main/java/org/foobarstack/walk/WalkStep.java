package org.foobarstack.walk;

import java.util.List;
import java.util.Optional;
import org.foobarstack.trace.Hop;

/**
 * One step of a walk as the client saw it: the hop (protocol, direction, timing, decoded fields), the
 * transcript a learner already knows from dig or {@code curl -v}, and the socket it used (null for a step
 * that used none, such as a skipped lookup).
 */
public record WalkStep(Hop hop, List<String> transcript, SocketFlow flow) {
    public WalkStep {
        transcript = List.copyOf(transcript);
    }

    public WalkStep(Hop hop, List<String> transcript) {
        this(hop, transcript, null);
    }

    public Optional<SocketFlow> socket() {
        return Optional.ofNullable(flow);
    }
}
