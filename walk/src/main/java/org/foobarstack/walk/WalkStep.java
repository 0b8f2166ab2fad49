package org.foobarstack.walk;

import java.util.List;
import org.foobarstack.trace.Hop;

/**
 * One step of a walk as the client saw it: the hop (protocol, direction, timing, decoded fields) and the
 * transcript a learner already knows from dig or {@code curl -v}.
 */
public record WalkStep(Hop hop, List<String> transcript) {
    public WalkStep {
        transcript = List.copyOf(transcript);
    }
}
