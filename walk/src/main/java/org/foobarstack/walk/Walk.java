package org.foobarstack.walk;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.foobarstack.walk.packet.CaptureUnavailableException;

/**
 * The {@code walk} command's whole behaviour, for the launcher's picocli wrapper to call:
 * walk the URL, print the journey as text or JSON, return the exit code.
 */
public final class Walk {

    private Walk() {
    }

    /**
     * @param out  where the journey goes (standard output)
     * @param err  where the one-line failure summary goes in JSON mode (standard error)
     * @return 0 when an HTTP response arrived, else curl's exit code for the failure ({@link WalkFailure}), or
     *         {@link #CANNOT_CAPTURE} when {@code --packets} was asked for and cannot be done here
     */
    public static int run(WalkRequest request, boolean json, PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        return run(request, json, outWriter, errWriter);
    }

    /** The exit code when {@code --packets} cannot capture here (not root, no tcpdump): a usage error. */
    public static final int CANNOT_CAPTURE = 2;

    /** The same, writing to writers (picocli gives a command its own {@code getOut()} and {@code getErr()}). */
    public static int run(WalkRequest request, boolean json, PrintWriter out, PrintWriter err) {
        Journey journey;
        if (request.packets()) {
            try {
                journey = toDashboard(new CapturingWalker().walk(request));
            } catch (CaptureUnavailableException e) {
                err.println("walk: " + e.getMessage());
                err.flush();
                return CANNOT_CAPTURE;
            }
        } else {
            journey = new Walker().walk(request);
        }
        if (json) {
            out.print(new JourneyJson().render(journey));
            if (journey.failure() != null) {
                err.println("walk: " + journey.failure().description() + ": " + journey.failureMessage());
                err.flush();
            }
        } else {
            out.print(new TextRenderer().render(journey));
        }
        out.flush();
        return journey.exitCode();
    }

    /**
     * The captured packets go to the admin server the trace came from, for the dashboard ({@link PacketsUpload});
     * only when that server answered with the trace: one that did not is not the stack's, or not running.
     */
    static Journey toDashboard(Journey journey) {
        WalkPackets captured = journey.packets();
        WalkRequest request = journey.request();
        if (captured == null) {
            return journey;
        }
        String line;
        if (request.traceApi() == null || journey.serverTrace() == null) {
            line = "not sent to a dashboard: no admin server answered with this trace (see \"server side\")";
        } else {
            line = new PacketsUpload().send(request.traceApi(), request.tokenFile(), journey.context().traceId(),
                    new JourneyJson().renderCompact(journey), request.timeout());
        }
        return journey.withPackets(captured.withDashboard(line));
    }
}
