package org.foobarstack.launcher;

import org.foobarstack.topology.ShippedTopologies;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code topologies}: the designs that ship with the stack, for {@code run --topology NAME}. */
@Command(name = "topologies", mixinStandardHelpOptions = true,
        description = "List the shipped topologies (run one with: run --topology NAME).")
final class TopologiesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.println(ShippedTopologies.describe());
        System.out.println();
        System.out.println("Run one with: bin/foobar-stack run --topology NAME   (or --topology FILE for your own,");
        System.out.println("written as topology/README.md describes)");
        return 0;
    }
}
