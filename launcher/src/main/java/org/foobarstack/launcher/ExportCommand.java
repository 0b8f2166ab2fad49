package org.foobarstack.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.foobarstack.launcher.export.ComposeFile;
import org.foobarstack.launcher.export.ContainerNetwork;
import org.foobarstack.launcher.export.DesignSource;
import org.foobarstack.launcher.export.KubernetesManifests;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code export haproxy TOPOLOGY}: a design's load balancer as an haproxy.cfg, so that HAProxy can stand in;
 * {@code export compose TOPOLOGY} and {@code export kubernetes TOPOLOGY}: the whole design as containers, one per
 * host, for Docker Compose or a Kubernetes cluster.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "A design, or its parts, as the configuration of real software: HAProxy, Docker Compose, "
                + "Kubernetes.",
        subcommands = {ExportCommand.Haproxy.class, ExportCommand.Compose.class, ExportCommand.Kubernetes.class})
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

    /**
     * What {@code export compose} and {@code export kubernetes} share: 1. the design is resolved, with its file's
     * text; 2. the subcommand writes its file from them; 3. the file goes to standard output, or to {@code -o}. A
     * design that cannot be read, or cannot move to the containers' network, is refused with exit code 2.
     */
    abstract static class ContainerExport implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "TOPOLOGY", description = "A shipped design or a topology file.")
        String topology;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
        Path output;

        @Option(names = "--image", paramLabel = "IMAGE", defaultValue = "foobar-stack:latest",
                description = "The image every container runs (default: ${DEFAULT-VALUE}).")
        String image;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The file, from the design and its text; IllegalArgumentException says why the design cannot go there. */
        abstract String render(DesignSource source);

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            String text;
            try {
                text = render(DesignSource.resolve(topology));
            } catch (TopologyException | IllegalArgumentException | UncheckedIOException e) {
                err.println("foobar-stack: " + e.getMessage());
                err.flush();
                return 2;
            }
            if (output == null) {
                spec.commandLine().getOut().print(text);
                spec.commandLine().getOut().flush();
                return 0;
            }
            try {
                Files.writeString(output, text);
            } catch (IOException e) {
                err.println("foobar-stack: cannot write " + output + ": " + e);
                err.flush();
                return 1;
            }
            return 0;
        }

        /** {@code --network 198.18.0.0} as a network, or an IllegalArgumentException naming the option. */
        static ContainerNetwork network(String option, String value) {
            try {
                return ContainerNetwork.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "compose", mixinStandardHelpOptions = true,
            description = {"Write a design as a Compose file: one container per host, each running `foobar-stack "
                    + "host NAME`, on a network where each host keeps its last octet (127.0.0.11 -> 198.18.0.11).",
                    "The name server's and the site's ports are published on 127.0.0.1; the databases keep their "
                            + "data in named volumes. Start it with: docker compose -f FILE up"})
    static final class Compose extends ContainerExport {

        @Option(names = "--network", paramLabel = "A.B.C.0", defaultValue = ContainerNetwork.COMPOSE_DEFAULT,
                description = "The containers' /24 (default: ${DEFAULT-VALUE}, RFC 2544's benchmarking range, "
                        + "never routed); another one to run two designs side by side.")
        String network;

        @Override
        String render(DesignSource source) {
            return ComposeFile.render(source, image, network("--network", network));
        }
    }

    @Command(name = "kubernetes", mixinStandardHelpOptions = true,
            description = {"Write a design as Kubernetes manifests (kubectl apply -f FILE): a namespace, the "
                    + "topology as a ConfigMap, and per host a Service with a fixed cluster IP and a Deployment "
                    + "(a StatefulSet with a volume for a host with a database).",
                    "Each host keeps its last octet on --service-network, which must lie inside the cluster's "
                            + "service range (--service-cluster-ip-range), with those addresses free."})
    static final class Kubernetes extends ContainerExport {

        @Option(names = "--service-network", paramLabel = "A.B.C.0",
                defaultValue = ContainerNetwork.KUBERNETES_DEFAULT,
                description = "The /24 of the hosts' Services' cluster IPs (default: ${DEFAULT-VALUE}, inside the "
                        + "service range of kubeadm and minikube, 10.96.0.0/12, and of kind, 10.96.0.0/16).")
        String serviceNetwork;

        @Override
        String render(DesignSource source) {
            return KubernetesManifests.render(source, image, network("--service-network", serviceNetwork));
        }
    }
}
