package org.foobarstack.launcher;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.foobarstack.firewall.Firewall;
import org.foobarstack.firewall.IptablesExport;
import org.foobarstack.firewall.NftablesExport;
import org.foobarstack.launcher.hosts.HostFirewall;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code firewall export HOST --topology T --format nft|iptables}: a host's firewall, as the rules a learner could
 * load on a real server ({@code nft -f FILE}, {@code iptables-restore < FILE}) to get the same behaviour.
 */
@Command(name = "firewall", mixinStandardHelpOptions = true,
        description = "A host's firewall as real packet-filter rules.",
        subcommands = {FirewallCommand.Export.class})
final class FirewallCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write HOST's firewall from the topology as an nftables ruleset (nft -c -f checks it, "
                    + "nft -f loads it) or in iptables-restore's format."})
    static final class Export implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "HOST", description = "A host of the topology.")
        String host;

        @Option(names = "--topology", defaultValue = "simple", paramLabel = "NAME|FILE",
                description = "A shipped design or a topology file (default: ${DEFAULT-VALUE}).")
        String topology;

        @Option(names = "--format", defaultValue = "nft", description = "nft or iptables (default: ${DEFAULT-VALUE}).")
        String format;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Topology design;
            try {
                design = ShippedTopologies.resolve(topology);
            } catch (TopologyException e) {
                err.println("foobar-stack: " + e.getMessage());
                err.flush();
                return 2;
            }
            HostSpec spec = design.host(host).orElse(null);
            if (spec == null) {
                err.println("foobar-stack: no host " + host + " in " + design.name() + " (hosts: " + String.join(", ",
                        design.hosts().stream().map(HostSpec::name).toList()) + ")");
                err.flush();
                return 2;
            }
            if (!format.equals("nft") && !format.equals("iptables")) {
                err.println("foobar-stack: --format is nft or iptables, not " + format);
                err.flush();
                return 2;
            }
            if (spec.firewall().isEmpty()) {
                err.println("foobar-stack: " + host + " has no firewall in " + design.name() + ": it accepts every "
                        + "connection (add firewall: to its entry, see topology/README.md)");
                err.flush();
                return 1;
            }
            Firewall firewall = HostFirewall.rulesOf(spec, design);
            out.print(format.equals("nft") ? NftablesExport.render(host, spec.address(), firewall)
                    : IptablesExport.render(host, spec.address(), firewall));
            out.flush();
            return 0;
        }
    }
}
