package org.foobarstack.launcher.netns;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.foobarstack.launcher.processes.HostProcess;
import org.foobarstack.launcher.processes.ProcessStack;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.Placed;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code up --netns DESIGN}: every host of a design in a Linux network namespace of its own, with its own network
 * stack (interfaces, routes, sockets, and, in the secured design, its firewall as real nftables rules), all of them
 * plugged into one bridge, and a client namespace to play the visitor from.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>the design is moved to the network ({@link NetnsPlan}); the command refuses to go on unless it runs as
 *       root, finds {@code ip} (and {@code nft} where the plan needs it), and finds nothing left by an earlier run
 *       ({@code down} removes that). It refuses a design with a balancer pair: the emulated VRRP master takes the
 *       pair's virtual address by binding sockets to it ({@code LbTierRuntime}), which works on loopback, where all
 *       of 127.0.0.0/8 is local, but in a namespace an address must be on an interface to be bound (EADDRNOTAVAIL,
 *       ip(7)) and announced by ARP to be reached, which keepalived does and the emulation does not;
 *   <li>the bridge, the namespaces, their firewalls and their veth pairs are made, each command echoed as it runs;
 *       if one fails, what was made is removed again, newest first;
 *   <li>every host runs as {@code foobar-stack host NAME} under {@code ip netns exec fbs-NAME}, supervised by
 *       {@link ProcessStack} as with {@code run --processes} (the admin server, the dashboard and {@code ctl}
 *       work the same, from this, the root namespace);
 *   <li>Ctrl+C or SIGTERM stops the hosts, top down, then removes everything made in step 2, newest first. After
 *       a SIGKILL of this process the hosts stop by themselves (they exit with their parent) and
 *       {@code foobar-stack down} removes the rest.
 * </ol>
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run a design with every host in a Linux network namespace of its own: real network "
                + "stacks, veth pairs on a bridge (fbs0, 198.18.0.1), the secured design's firewalls as real "
                + "nftables rules, and a client namespace (fbs-client) to try it from. Needs root and iproute2 "
                + "(and nftables for a design with firewalls). Ctrl+C removes everything; so does "
                + "foobar-stack down, after a crash.",
                "Example: sudo bin/foobar-stack up --netns distributed"})
public final class UpCommand implements Callable<Integer> {

    @Option(names = "--netns", required = true, paramLabel = "NAME|FILE",
            description = "The design: distributed, secured, or a topology file without a balancer pair. (simple's "
                    + "one host is at 127.0.0.1, the bridge's place; scaled's balancer pair shares an address that "
                    + "only loopback lets it take: run those with run.)")
    String topologyName;

    @Option(names = "--network", paramLabel = "A.B.C.0", defaultValue = NetnsPlan.DEFAULT_NETWORK_TEXT,
            description = "The /24 the hosts move to, each keeping the last octet of its address; the bridge is .1, "
                    + "the client .254 (default: ${DEFAULT-VALUE}, in RFC 2544's benchmarking range).")
    InetAddress network;

    @Option(names = "--data-dir", defaultValue = "data",
            description = "Where the design keeps its data: DATA-DIR/DESIGN/HOST (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    static final int DEFAULT_ADMIN_PORT = 9090;

    @Option(names = "--admin-port", defaultValue = "" + DEFAULT_ADMIN_PORT,
            description = "The admin server's port on 127.0.0.1: dashboard, /api, ctl (default: ${DEFAULT-VALUE}; "
                    + "0 for any free port).")
    int adminPort;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Object lock = new Object();
    private final List<Step> done = new ArrayList<>();
    private volatile boolean stopping;
    private volatile ProcessStack running;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        NetnsPlan plan;
        try {
            plan = NetnsPlan.of(ShippedTopologies.resolve(topologyName), network);
        } catch (TopologyException | IllegalArgumentException e) {
            err.println("foobar-stack up: " + e.getMessage());
            err.flush();
            return 2;
        }
        Optional<Placed<LbTier>> paired = plan.design().balancers().stream()
                .filter(lb -> lb.tier().vrrp().isPresent()).findFirst();
        if (paired.isPresent()) {
            err.println("foobar-stack up: " + paired.get().host().name() + " shares the virtual address "
                    + paired.get().tier().vrrp().get().address().getHostAddress() + " with its pair by VRRP, and no "
                    + "one could reach it in the namespaces: the emulated VRRP master takes the address by binding "
                    + "sockets to it, which works on loopback (all of 127.0.0.0/8 is local), while in a namespace "
                    + "the master must add it to its eth0 and announce it by ARP, as keepalived does (see "
                    + "docs/namespaces.md). Run this design with run --topology, with or without --processes.");
            err.flush();
            return 2;
        }
        Optional<String> refusal = refusal(true, programs(plan));
        if (refusal.isPresent()) {
            err.println("foobar-stack up: " + refusal.get());
            err.flush();
            return 1;
        }
        PrintStream out = System.out;
        IpRunner ip = IpRunner.echoingTo(out);
        Leftovers earlier = Leftovers.find(ip);
        if (!earlier.none()) {
            err.println("foobar-stack up: " + earlier.describe() + " already exist: another up is running, or one "
                    + "did not get to clean up; foobar-stack down removes them");
            err.flush();
            return 1;
        }
        Path data = dataDir.toAbsolutePath().normalize();
        out.println("Starting foobar-stack, topology " + plan.design().name() + ", every host in a network namespace "
                + "of its own on " + plan.network().getHostAddress() + "/24 (data in " + data + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            stopping = true;
            ProcessStack stack = running;
            if (stack != null) {
                out.println("Stopping every host...");
                stack.close();
            }
            tearDown(ip, out);
            out.println("foobar-stack stopped.");
            out.flush();
            stopped.countDown();
        }, "foobar-stack-netns-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);

        out.println("Making the network (as root):");
        synchronized (lock) {
            try {
                for (Step step : plan.up()) {
                    if (stopping) {
                        break;
                    }
                    ip.run(step);
                    done.add(step);
                }
            } catch (IpRunner.CommandFailed e) {
                err.println("foobar-stack up: " + e.getMessage());
                err.flush();
                return abandon(shutdown, ip, out);
            }
        }
        ProcessStack stack = new ProcessStack(ProcessStack.jvmCommand(), plan::prefix, plan.design(), topologyName,
                plan.network(), data, new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort), line -> {
                    synchronized (out) {
                        out.println(line);
                    }
                });
        running = stack;
        if (stopping) {
            return 0; // the shutdown hook stops it and removes the network
        }
        out.println("Starting every host in its namespace:");
        try {
            stack.start(out::println);
        } catch (ProcessStack.StartException e) {
            running = null; // start() stopped every host it had started
            err.println("foobar-stack up: could not start: " + e.getMessage());
            err.flush();
            return abandon(shutdown, ip, out);
        }
        out.println();
        out.print(banner(plan, stack, data));
        out.flush();
        stopped.await();
        return 0;
    }

    /** A start that failed: the network made so far is removed, and the shutdown hook has nothing left to do. */
    private int abandon(Thread shutdown, IpRunner ip, PrintStream out) {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdown);
        } catch (IllegalStateException shuttingDown) {
            return 1; // the hook is running: it removes the network
        }
        tearDown(ip, out);
        return 1;
    }

    /** Removes what was made, newest first; a removal that fails is reported and the rest still go. */
    private void tearDown(IpRunner ip, PrintStream out) {
        synchronized (lock) {
            List<Step> removals = NetnsPlan.teardownOf(done);
            if (!removals.isEmpty()) {
                out.println("Removing the network:");
            }
            for (Step step : removals) {
                try {
                    ip.run(step);
                } catch (IpRunner.CommandFailed e) {
                    out.println("  " + e.getMessage() + " (foobar-stack down removes what is left)");
                }
            }
            done.clear();
        }
    }

    /** The programs the plan runs: ip, and what it runs inside a namespace (nft). */
    static Set<String> programs(NetnsPlan plan) {
        Set<String> programs = new LinkedHashSet<>();
        for (Step step : plan.up()) {
            List<String> words = step.command();
            programs.add(words.get(0));
            if (words.size() > 4 && words.subList(0, 3).equals(List.of("ip", "netns", "exec"))) {
                programs.add(words.get(4));
            }
        }
        return programs;
    }

    /** Why this cannot run here, if it cannot: not root, or a program missing. */
    static Optional<String> refusal(boolean starting, Set<String> programs) {
        if (!IpRunner.root()) {
            return Optional.of("needs root: network namespaces, veth pairs and a bridge are made with CAP_NET_ADMIN "
                    + "and CAP_SYS_ADMIN; run it with sudo" + (starting ? "" : " (as up was)"));
        }
        for (String program : programs) {
            if (IpRunner.find(program).isEmpty()) {
                return Optional.of(program + " is not installed (Debian's package "
                        + switch (program) {
                            case "ip" -> "iproute2";
                            case "nft" -> "nftables, for the design's firewalls";
                            default -> "that has " + program;
                        } + ")");
            }
        }
        return Optional.empty();
    }

    static Optional<String> refusal(boolean starting) {
        return refusal(starting, Set.of("ip"));
    }

    /** What is where, and what to try: each command as it is typed at a root shell. */
    static String banner(NetnsPlan plan, ProcessStack stack, Path data) {
        Topology design = plan.design();
        StringBuilder b = new StringBuilder();
        b.append("foobar-stack is up: topology ").append(design.name())
                .append(", every host in a network namespace of its own\n\n");
        b.append(String.format("  %-10s %-14s %-14s %-8s %s%n", "host", "namespace", "address", "pid", "tiers"));
        for (HostProcess process : stack.processes()) {
            HostSpec host = design.host(process.name()).orElseThrow();
            b.append(String.format("  %-10s %-14s %-14s %-8d %s%n", host.name(),
                    plan.namespaceOf(host.name()).orElseThrow().name(), host.address().getHostAddress(),
                    process.pid(), String.join(", ", host.tiers().stream()
                            .map(t -> t.role().key() + " :" + t.port()).toList())));
        }
        Namespace client = plan.client();
        b.append(String.format("  %-10s %-14s %-14s %s%n", "(visitor)", client.name(),
                client.address().getHostAddress(), "dig and curl from here"));
        b.append(String.format("  %-10s %-14s %-14s %s%n", "(you)", "bridge " + NetnsPlan.BRIDGE,
                plan.bridgeAddress().getHostAddress(), "this shell, the supervisor, a browser"));
        String base = "http://" + stack.admin().address().getAddress().getHostAddress() + ":"
                + stack.admin().address().getPort();
        b.append("\n  admin       ").append(base).append("/  (dashboard: each host probed from the bridge)\n");
        b.append("              with host controls: ").append(base).append("/#token=").append(stack.token())
                .append('\n');
        b.append("\nTry, as root:\n");
        String www = "www." + design.domain();
        String inClient = "  ip netns exec " + client.name() + " ";
        design.nameServer().ifPresent(ns -> b.append(inClient).append("dig @").append(ns.address().getHostAddress())
                .append(" -p ").append(ns.tier().port()).append(' ').append(www).append('\n'));
        if (!design.balancers().isEmpty()) {
            Placed<LbTier> lb = design.balancers().get(0);
            String at = lb.address().getHostAddress();
            if (lb.tier().tls().enabled()) {
                int port = lb.tier().tls().port();
                b.append(inClient).append("curl -s --cacert ")
                        .append(stack.dataDirectory(lb.host()).resolve("lb/tls/ca.pem"))
                        .append(" --resolve ").append(www).append(':').append(port).append(':').append(at)
                        .append(" https://").append(www).append(':').append(port).append("/api/whoami\n");
            } else {
                int port = lb.tier().port();
                b.append(inClient).append("curl -s --resolve ").append(www).append(':').append(port).append(':')
                        .append(at).append(" http://").append(www).append(':').append(port)
                        .append("/api/whoami     (twice: which web server answered?)\n");
            }
        }
        // a database's host: in the secured design, the one whose firewall lets the visitor in least
        HostSpec guarded = design.hostsWith(Role.DB).stream().findFirst()
                .orElse(design.hosts().get(design.hosts().size() - 1));
        String there = "  ip netns exec " + plan.namespaceOf(guarded.name()).orElseThrow().name() + " ";
        b.append(there).append("ss -tln     (").append(guarded.name())
                .append("'s sockets only: a network stack of its own)\n");
        if (guarded.firewall().isPresent()) {
            b.append(there).append("nft list ruleset     (its firewall, in its kernel namespace, with counters)\n");
        }
        List<HostSpec> web = design.hostsWith(Role.WEB);
        String victim = (web.isEmpty() ? design.hosts() : web).get((web.isEmpty() ? design.hosts() : web).size() - 1)
                .name();
        String ctl = "bin/foobar-stack ctl" + (stack.admin().address().getPort() == DEFAULT_ADMIN_PORT ? ""
                : " --admin " + base) + (data.equals(Path.of("data").toAbsolutePath().normalize()) ? ""
                : " --data-dir " + data);
        b.append("  ").append(ctl).append(" kill ").append(victim)
                .append("     (SIGKILL to its process; then: ctl ... start ").append(victim).append(")\n");
        b.append("\nPress Ctrl+C to stop: the hosts stop, then the namespaces, veths and the bridge are removed.\n");
        return b.toString();
    }
}
