package org.foobarstack.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code export haproxy TOPOLOGY}: a design's load balancer as an haproxy.cfg, so that HAProxy can stand in. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "A design's parts as the configuration of the real software they stand for.",
        subcommands = {ExportCommand.Haproxy.class})
final class ExportCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "haproxy", mixinStandardHelpOptions = true,
            description = {"Write a design's load balancer as an haproxy.cfg (haproxy -c -f FILE checks it): the same "
                    + "addresses, servers, algorithm, checks, retries, timeouts, and TLS.",
                    "With https: the certificate comes from the balancer's data directory (DATA-DIR/DESIGN/LB/lb/tls, "
                            + "made when the design first runs), joined with its key into haproxy.pem there."})
    static final class Haproxy implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "TOPOLOGY", description = "A shipped design or a topology file.")
        String topology;

        @Option(names = "--lb", description = "The balancer's host, when the design has several.")
        String lb;

        @Option(names = "--data-dir", defaultValue = "data", description = "Where the design keeps its data "
                + "(default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
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
            List<HostSpec> balancers = HaproxyConfig.balancers(design);
            HostSpec host = lb == null ? (balancers.isEmpty() ? null : balancers.get(0))
                    : design.host(lb).filter(h -> h.tier(LbTier.class).isPresent()).orElse(null);
            if (host == null) {
                err.println("foobar-stack: " + (lb == null ? design.name() + " has no load balancer"
                        : "no load balancer on a host named " + lb + " in " + design.name()));
                err.flush();
                return 2;
            }
            Path tls = hostDir(design, host.name()).resolve("lb").resolve("tls");
            Path crt = tls.resolve("haproxy.pem");
            if (host.tier(LbTier.class).orElseThrow().tls().enabled()) {
                if (Files.exists(tls.resolve("server.pem")) && Files.exists(tls.resolve("server-key.pem"))) {
                    // HAProxy reads the certificate chain and its key from one file
                    Files.writeString(crt, Files.readString(tls.resolve("server.pem"))
                            + Files.readString(tls.resolve("server-key.pem")));
                    err.println("wrote " + crt + " (the site's certificate chain and key, for HAProxy's crt)");
                } else {
                    err.println("note: " + tls + " has no certificate yet: run the design once "
                            + "(bin/foobar-stack run --topology " + topology + "), then export again");
                }
                err.flush();
            }
            out.print(HaproxyConfig.render(design, host, crt.toString(),
                    server -> hostDir(design, server).resolve("web").resolve("tls").resolve("ca.pem").toString()));
            out.flush();
            return 0;
        }

        /** Where a host of the design keeps its data, as the running stack lays it out. */
        private Path hostDir(Topology design, String host) {
            return design.name().equals("simple") ? dataDir : dataDir.resolve(design.name()).resolve(host);
        }
    }
}
