package org.foobarstack.launcher;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code scale web=3}: more (or fewer) servers behind the balancer of the running stack. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"Bring the servers behind the load balancer to a count: new hosts start on the next free "
                + "addresses, pass their health check and join the balancer; removed ones are drained first.",
                "Every host shares this machine's cores: capacity is emulated (see the topology's capacity:)."})
final class ScaleCommand extends OperationCommand {

    @Parameters(index = "0", paramLabel = "ROLE=N", description = "web=N or app=N: the servers behind the balancer, "
            + "each running a web and an app server; in a design whose tiers have hosts of their own (scaled), "
            + "web=N: the web servers alone.")
    String assignment;

    @Override
    String request(PrintWriter err) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-z]+)=(\\d{1,3})").matcher(assignment);
        if (!m.matches()) {
            err.println("scale takes ROLE=N, e.g. scale web=3; not " + assignment);
            return null;
        }
        return "/api/scale?role=" + m.group(1) + "&count=" + m.group(2);
    }
}
