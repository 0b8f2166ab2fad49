package org.foobarstack.trace.walk;

import java.io.PrintStream;

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
     * @return 0 when an HTTP response arrived, else curl's exit code for the failure ({@link WalkFailure})
     */
    public static int run(WalkRequest request, boolean json, PrintStream out, PrintStream err) {
        Journey journey = new Walker().walk(request);
        if (json) {
            out.print(new JourneyJson().render(journey));
            if (journey.failure() != null) {
                err.println("walk: " + journey.failure().description() + ": " + journey.failureMessage());
            }
        } else {
            out.print(new TextRenderer().render(journey));
        }
        out.flush();
        return journey.exitCode();
    }
}
