package org.foobarstack.walk;

import java.util.List;
import java.util.Optional;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceContext;

/**
 * Everything one walk saw: the client's steps in order, the server side of the trace when it could be
 * fetched (or why not), and the outcome.
 *
 * @param status         the HTTP status code, or 0 when no response arrived
 * @param failure        why the walk stopped early, or null when a response arrived
 * @param failureMessage the details of the failure, or null
 * @param serverTrace    the hops the stack recorded for this trace id, or null
 * @param serverNote     one line on the server side: how many hops, or why they are not shown
 * @param packets        the client steps' packets, when the walk captured them ({@code --packets}), or null
 */
public record Journey(WalkRequest request, TraceContext context, List<WalkStep> steps, int status,
                      WalkFailure failure, String failureMessage, Trace serverTrace, String serverNote,
                      WalkPackets packets) {

    public Journey {
        steps = List.copyOf(steps);
    }

    /** A journey without packets. */
    public Journey(WalkRequest request, TraceContext context, List<WalkStep> steps, int status,
                   WalkFailure failure, String failureMessage, Trace serverTrace, String serverNote) {
        this(request, context, steps, status, failure, failureMessage, serverTrace, serverNote, null);
    }

    /** The same journey with its packets. */
    public Journey withPackets(WalkPackets captured) {
        return new Journey(request, context, steps, status, failure, failureMessage, serverTrace, serverNote,
                captured);
    }

    public Optional<WalkPackets> capture() {
        return Optional.ofNullable(packets);
    }

    public Optional<Trace> server() {
        return Optional.ofNullable(serverTrace);
    }

    /** 0 when a response arrived (whatever its status, as with curl), else the failure's curl exit code. */
    public int exitCode() {
        return failure == null ? 0 : failure.exitCode();
    }
}
