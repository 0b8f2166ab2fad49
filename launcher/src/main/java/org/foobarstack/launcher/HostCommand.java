package org.foobarstack.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.foobarstack.admin.AdminConfig;
import org.foobarstack.admin.AdminServer;
import org.foobarstack.launcher.hosts.HostRuntime;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code host NAME --topology DESIGN}: one host of a design, alone in this process, as one machine of the design
 * would run it. The other hosts are other processes, network namespaces or containers; this one finds them only at
 * the addresses the topology gives them. {@code run --processes} starts one of these per host; a container image
 * runs one with the host's name as its argument.
 *
 * <p>Lifecycle: 1. the design is read (and moved to {@code --network}, when given); 2. the host's tiers start,
 * bottom up ({@link Stack#startOnly}); 3. one line per tier says where it listens, then "NAME up"; 4. SIGTERM
 * (or Ctrl+C) stops the tiers gracefully, top down, and the process exits 0. A start that fails exits 1 (2 for a
 * port in use or a usage error), and says which tier and why.
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = {"Run one host of a design in this process: its tiers only, on the host's address. The other "
                + "hosts run elsewhere (other processes, namespaces or containers) and are found at the topology's "
                + "addresses.",
                "Example: foobar-stack host server-1 --topology distributed"})
final class HostCommand implements Callable<Integer> {

    /** What a host process prints once every tier accepts connections; {@code run --processes} waits for it. */
    static final String UP = " up";

    @Parameters(index = "0", paramLabel = "NAME", description = "The host to run, as the topology names it.")
    String name;

    @Option(names = "--topology", required = true, paramLabel = "NAME|FILE",
            description = "A shipped design (simple, distributed, secured, scaled) or a topology file.")
    String topologyName;

    @Option(names = "--network", paramLabel = "A.B.C.0",
            description = "Move the design to this /24 first: every host keeps the last octet of its address "
                    + "(198.18.0.0 puts 127.0.0.11 on 198.18.0.11). Every host of one design must be given the same.")
    InetAddress network;

    @Option(names = "--data-dir", defaultValue = "data",
            description = "Where the design keeps its data; this host uses DATA-DIR/DESIGN/NAME (default: "
                    + "${DEFAULT-VALUE}).")
    Path dataDir;

    /** Where a host serves its own admin API by default: node_exporter's port, as each machine exposes its own. */
    static final int DEFAULT_HOST_ADMIN_PORT = 9100;

    @Option(names = "--admin-port", defaultValue = "" + DEFAULT_HOST_ADMIN_PORT, paramLabel = "PORT",
            description = "The host's own admin API on its address: /health and /api/topology for its tiers, "
                    + "/metrics, /api/traces, and /api/hops, from which a supervisor copies its tiers' hops; "
                    + "-1 for none (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--listen-any", description = "Listen on every address of this machine (0.0.0.0) on the "
            + "topology's ports, while the others still reach this host at the topology's address: for a container "
            + "behind a Kubernetes Service, whose address the container does not have. The host's firewall and a "
            + "balancer pair's election are then left to the cluster (a NetworkPolicy, a Service), and it says so.")
    boolean listenAny;

    @Option(names = "--exit-with-parent", hidden = true, description = "Stop when the process that started this one "
            + "exits, even by SIGKILL: what run --processes asks of its hosts, so that none outlives it.")
    boolean exitWithParent;

    @Option(names = "--verbose", description = "When a tier cannot start, print the whole error with its stack trace.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Topology design;
        try {
            design = ShippedTopologies.resolve(topologyName);
            if (network != null) {
                design = design.renumbered(network);
            }
        } catch (TopologyException | IllegalArgumentException e) {
            err.println("foobar-stack host: " + e.getMessage());
            err.flush();
            return 2;
        }
        if (design.host(name).isEmpty()) {
            err.println("foobar-stack host: no host " + name + " in the topology " + design.name() + " (hosts: "
                    + String.join(", ", design.hosts().stream().map(h -> h.name()).toList()) + ")");
            err.flush();
            return 2;
        }
        HostSpec spec = design.host(name).orElseThrow();
        List<String> notes = List.of();
        if (listenAny) {
            ListenAny changed = ListenAny.of(design, name);
            design = changed.design();
            notes = changed.notes();
        }
        PrintStream out = System.out;
        Stack stack = new Stack(StackConfig.builder().dataDir(dataDir).topology(design).build());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            out.println(name + " stopping");
            if (admin != null) {
                admin.close();
            }
            stack.close();
            out.println(name + " stopped");
            out.flush();
            stopped.countDown();
        }, "foobar-stack-host-shutdown");
        if (listenAny) {
            stack.context().listenOnAnyAddress();
        }
        Runtime.getRuntime().addShutdownHook(shutdown);
        if (exitWithParent) {
            // System.exit runs the shutdown hook above: the tiers stop gracefully, as after SIGTERM
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        }
        notes.forEach(out::println);
        out.println("Starting host " + name + " of " + design.name() + " on "
                + design.host(name).orElseThrow().address().getHostAddress() + " (data in "
                + stack.context().dataDirectory(design.host(name).orElseThrow()) + ")");
        HostRuntime host;
        try {
            host = stack.startOnly(name, out::println);
        } catch (Stack.TierStartException e) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            stack.close();
            if (verbose) {
                e.printStackTrace(err);
            }
            var conflict = PortConflict.of(e, false);
            if (conflict.isPresent()) {
                conflict.get().lines().forEach(err::println);
            } else {
                err.println("foobar-stack host: " + name + " could not start: " + e.getMessage());
            }
            err.flush();
            return conflict.isPresent() ? RunCommand.PORT_IN_USE : 1;
        }
        if (adminPort >= 0) {
            try {
                startAdmin(stack, host, spec);
            } catch (IOException | RuntimeException e) {
                err.println("foobar-stack host: " + name + "'s admin API did not start on "
                        + spec.address().getHostAddress() + ":" + adminPort + ": " + e.getMessage());
                err.flush();
                Runtime.getRuntime().removeShutdownHook(shutdown);
                stack.close();
                return 1;
            }
        }
        for (TierRuntime tier : host.tiers()) {
            out.printf("  %-6s %s:%d%n", tier.instance(), tier.address().getAddress().getHostAddress(),
                    tier.address().getPort());
        }
        if (admin != null) {
            out.printf("  %-6s %s:%d%n", "admin", spec.address().getHostAddress(), admin.address().getPort());
        }
        out.println(name + UP);
        out.flush();
        stopped.await();
        return 0;
    }

    /** The host's admin server, once started. */
    private volatile AdminServer admin;

    /** The host's own admin API: read-only (its tiers are acted on by stopping or killing its process). */
    private void startAdmin(Stack stack, HostRuntime host, HostSpec spec) throws IOException {
        AdminServer server = new AdminServer(AdminConfig.builder()
                .bindAddress(stack.context().bindAddress(spec).getHostAddress())
                .port(adminPort)
                .build(), stack.traces(), stack.metrics(), () -> host.status(PROBE_TIMEOUT).tiers());
        server.start();
        admin = server;
    }

    private static final java.time.Duration PROBE_TIMEOUT = java.time.Duration.ofMillis(500);

    /**
     * The design as a host that listens on every address runs it. Two things in a design are about the host's own
     * address, which such a host (a pod behind a Service) does not have: its firewall judges connections by the
     * addresses they come from, and in a cluster they come from the pods' own addresses, not the Services'; a
     * balancer pair moves a virtual address between its members, which a pod cannot take. So the host runs without
     * them, and says so: in a cluster a NetworkPolicy filters, and a Service in front of both balancers is the
     * virtual address (both then take requests: active-active).
     */
    record ListenAny(Topology design, List<String> notes) {

        static ListenAny of(Topology design, String host) {
            HostSpec spec = design.host(host).orElseThrow();
            List<String> notes = new java.util.ArrayList<>();
            if (spec.firewall().isPresent()) {
                notes.add("  " + host + "'s firewall is left to the cluster (a NetworkPolicy): with --listen-any, "
                        + "connections come from the pods' own addresses, which its rules do not name");
            }
            List<org.foobarstack.topology.TierSpec> tiers = new java.util.ArrayList<>();
            for (org.foobarstack.topology.TierSpec tier : spec.tiers()) {
                if (tier instanceof org.foobarstack.topology.LbTier lb && lb.vrrp().isPresent()) {
                    notes.add("  " + host + " serves on its own address without the pair's election: the virtual "
                            + "address " + lb.vrrp().get().address().getHostAddress() + " is a Service in front of "
                            + "both balancers");
                    tiers.add(lb.withVrrp(java.util.Optional.empty()));
                } else {
                    tiers.add(tier);
                }
            }
            HostSpec plain = new HostSpec(spec.name(), spec.address(), spec.description(), tiers,
                    java.util.Optional.empty());
            List<HostSpec> hosts = design.hosts().stream().map(h -> h.name().equals(host) ? plain : h).toList();
            return new ListenAny(new Topology(design.name(), design.description(), design.domain(), design.www(),
                    hosts), List.copyOf(notes));
        }
    }
}
