package org.foobarstack.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.foobarstack.topology.Drawing;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code draw TOPOLOGY}: the design as a picture in text, drawn from its topology file. */
@Command(name = "draw", mixinStandardHelpOptions = true,
        description = {"Draw a design: its hosts as boxes (address, tiers, ports, firewall), in the order a request "
                + "meets them, and who calls whom."})
final class DrawCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TOPOLOGY",
            description = "A shipped design (simple, distributed, secured, scaled) or a topology file.")
    String topology;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Topology design;
        try {
            design = ShippedTopologies.resolve(topology);
        } catch (TopologyException e) {
            spec.commandLine().getErr().println("foobar-stack: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
        out.print(Drawing.of(design));
        out.flush();
        return 0;
    }
}
