package org.foobarstack.launcher.processes;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.foobarstack.admin.AdminConfig;
import org.foobarstack.admin.AdminServer;
import org.foobarstack.admin.HostAction;
import org.foobarstack.admin.HostStatus;
import org.foobarstack.admin.StackControl;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.admin.TopologyStatus;
import org.foobarstack.launcher.AdminToken;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.hosts.InstanceNames;
import org.foobarstack.topology.Drawing;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;

/**
 * {@code run --processes}: every host of a design in a JVM of its own ({@link HostProcess}), and this process
 * their supervisor, with the admin server, so that {@code ctl} and the dashboard work as with {@code run}.
 *
 * <p>The hosts share nothing but the network: each is {@code foobar-stack host NAME}, which finds the others at the
 * topology's addresses. This process knows them the same way: a host's status is what a TCP connection to each of
 * its tiers' ports finds now, and acting on a host is acting on its process.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@link #start} launches every host's JVM at once but the balancers' (a host that needs another one up
 *       waits for it itself: a replica for its primary), waits until each says it is up, then starts the
 *       balancers one by one, whose first health checks so find their servers up; if a host exits first, every other
 *       is stopped and the error carries that host's exit code and last lines;
 *   <li>then the admin server starts, with a fresh token in the data directory, as {@code run}'s does, and the
 *       {@link HopCollector} begins copying every host's hops from its own admin API (port 9100 of its address),
 *       so that {@code /api/traces} shows each request's whole path across the processes;
 *   <li>while it runs, {@code ctl kill NAME} is SIGKILL to that host's JVM, {@code ctl start NAME} launches a new
 *       one; a host that exits on its own is reported, and started again only when asked;
 *   <li>{@link #close} stops the admin server, then sends SIGTERM to every host, top down (balancers first,
 *       databases last), each stopping its tiers gracefully.
 * </ol>
 */
public final class ProcessStack implements StackControl, AutoCloseable {

    /** A JVM, its tiers, Derby and, for a replica, its primary's boot: generous on two shared cores. */
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    /** Where each host serves its admin API (the host command's default: node_exporter's port). */
    public static final int HOST_ADMIN_PORT = 9100;

    private final Topology design;
    private final Path dataDir;
    private final InetSocketAddress adminAddress;
    private final InstanceNames names;
    private final Consumer<String> log;
    private final Map<String, HostProcess> hosts = new LinkedHashMap<>();
    /** Each host's own admin API, from which {@link HopCollector} copies its hops. */
    private final Map<String, InetSocketAddress> hostAdmins = new LinkedHashMap<>();
    private final TraceHub traces = new TraceHub();
    private HopCollector hops;
    private AdminServer admin;
    private String token;

    /**
     * @param design       the design as every host runs it (already moved with {@code network}, if one is given)
     * @param topologyArg  how the hosts are told the design: a shipped name or a file
     * @param network      the /24 every host moves the design to, or null
     * @param dataDir      the data directory every host shares (each uses its own part of it)
     * @param adminAddress where the admin server listens
     * @param log          where the hosts' lines go, each prefixed with its host's name
     */
    public ProcessStack(Topology design, String topologyArg, InetAddress network, Path dataDir,
                        InetSocketAddress adminAddress, Consumer<String> log) {
        this(jvmCommand(), design, topologyArg, network, dataDir, adminAddress, log);
    }

    /** As above, each host started with {@code jvm} (java, its options and the main class) rather than like this JVM. */
    public ProcessStack(List<String> jvm, Topology design, String topologyArg, InetAddress network, Path dataDir,
                        InetSocketAddress adminAddress, Consumer<String> log) {
        this(jvm, host -> List.of(), design, topologyArg, network, dataDir, adminAddress, log);
    }

    /**
     * As above, each host's command line put after {@code prefix}'s words for it: {@code up --netns} gives
     * {@code ip netns exec fbs-NAME}, which enters the host's network namespace and then replaces itself with the
     * JVM (execvp), so the process this class signals is still the host's JVM.
     */
    public ProcessStack(List<String> jvm, Function<String, List<String>> prefix, Topology design, String topologyArg,
                        InetAddress network, Path dataDir, InetSocketAddress adminAddress, Consumer<String> log) {
        this.design = design;
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.adminAddress = adminAddress;
        this.names = new InstanceNames(design);
        this.log = log;
        for (HostSpec host : design.hosts()) {
            List<String> command = new ArrayList<>(prefix.apply(host.name()));
            command.addAll(jvm);
            command.addAll(List.of("host", host.name(), "--topology", topologyArg, "--data-dir",
                    this.dataDir.toString(), "--admin-port", String.valueOf(HOST_ADMIN_PORT), "--exit-with-parent"));
            hostAdmins.put(host.name(), new InetSocketAddress(host.address(), HOST_ADMIN_PORT));
            if (network != null) {
                command.addAll(List.of("--network", network.getHostAddress()));
            }
            hosts.put(host.name(), new HostProcess(host.name(), command, log));
        }
    }

    /**
     * The command that starts another JVM like this one: the same java, class path and JVM options, minus those
     * that belong to this process alone (writing the class-data archive at exit, a debugger's port).
     */
    public static List<String> jvmCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-XX:ArchiveClassesAtExit") && !option.startsWith("-agentlib:jdwp")
                    && !option.startsWith("-Xlog:cds")) {
                command.add(option);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("org.foobarstack.launcher.Main");
        return command;
    }

    /** Launches every host, waits until all are up, then starts the admin server. */
    public void start(Consumer<String> progress) {
        long began = System.nanoTime();
        // the balancers last, as in one process: their first health checks then find their servers up, and the
        // stack is "up" with every server taking requests (a server that failed the first checks would wait for
        // rise checks in a row)
        List<HostProcess> balancers = design.hostsWith(Role.LB).stream().map(h -> hosts.get(h.name())).toList();
        startAndAwait(hosts.values().stream().filter(h -> !balancers.contains(h)).toList());
        // one by one: the members of a balancer pair share one certificate, which the first makes and the second
        // finds (in the first member's data directory)
        balancers.forEach(balancer -> startAndAwait(List.of(balancer)));
        awaitVirtualAddresses(progress);
        progress.accept(String.format("  %d host processes up in %d ms", hosts.size(),
                (System.nanoTime() - began) / 1_000_000));
        token = AdminToken.write(dataDir.resolve(Stack.TOKEN_FILE));
        hops = new HopCollector(traces, hostAdmins);
        hops.start();
        admin = new AdminServer(AdminConfig.builder().bindAddress(adminAddress.getAddress().getHostAddress())
                .port(adminAddress.getPort()).build(), traces, new Metrics(), this, token);
        try {
            admin.start();
        } catch (java.io.IOException | RuntimeException e) {
            close();
            throw new StartException("the admin server did not start: " + e.getMessage(), e);
        }
        progress.accept("  admin       " + admin.address().getAddress().getHostAddress() + ":"
                + admin.address().getPort());
    }

    /**
     * A balancer pair's members are up before either holds the virtual address that www points at: the election
     * takes about 3.4 s (RFC 9568 §6.4.1). Seen from outside, as a client would: until that address accepts.
     */
    private void awaitVirtualAddresses(Consumer<String> progress) {
        design.balancers().stream().flatMap(lb -> lb.tier().vrrp().stream()
                        .map(vrrp -> new InetSocketAddress(vrrp.address(), lb.tier().port())))
                .distinct().forEach(front -> {
                    long began = System.nanoTime();
                    if (!org.foobarstack.launcher.PortProbe.waitUntilAccepting(front, UP_TIMEOUT)) {
                        close();
                        throw new StartException("no balancer of the pair took the virtual address "
                                + front.getAddress().getHostAddress() + " within " + UP_TIMEOUT.toSeconds() + " s", null);
                    }
                    progress.accept(String.format("  pair      %s taken in %d ms", front.getAddress().getHostAddress(),
                            (System.nanoTime() - began) / 1_000_000));
                });
    }

    /** Launches {@code group} together and waits until each is up; stops every host if one is not. */
    private void startAndAwait(List<HostProcess> group) {
        group.forEach(HostProcess::start);
        List<CompletableFuture<Void>> ups = group.stream()
                .map(host -> CompletableFuture.runAsync(() -> host.awaitUp(UP_TIMEOUT),
                        task -> new Thread(task, host.name() + "-await").start()))
                .toList();
        try {
            CompletableFuture.allOf(ups.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            close();
            throw new StartException(e.getCause().getMessage(), e.getCause());
        }
    }

    public AdminServer admin() {
        return admin;
    }

    public String token() {
        return token;
    }

    /**
     * Where {@code host} keeps its data, as its process does ({@code DATA-DIR/DESIGN/HOST}; the simple design's one
     * host keeps it straight under {@code DATA-DIR}).
     */
    public Path dataDirectory(HostSpec host) {
        return org.foobarstack.launcher.hosts.StackContext.dataDirectory(dataDir, design.name(), host.name());
    }

    /** The hops of every host, copied here: what the admin server's /api/traces shows. */
    public TraceHub traces() {
        return traces;
    }

    public Topology design() {
        return design;
    }

    /** Every host's process, in the topology's order. */
    public List<HostProcess> processes() {
        return List.copyOf(hosts.values());
    }

    public Optional<HostProcess> process(String host) {
        return Optional.ofNullable(hosts.get(host));
    }

    @Override
    public TopologyStatus topology() {
        List<HostStatus> statuses = new ArrayList<>();
        for (HostSpec host : design.hosts()) {
            HostProcess process = hosts.get(host.name());
            List<TierStatus> tiers = new ArrayList<>();
            for (TierSpec tier : host.tiers()) {
                tiers.add(probe(host, tier));
            }
            String state = process.state().name().toLowerCase(Locale.ROOT);
            boolean up = process.state() == HostProcess.State.RUNNING && tiers.stream().allMatch(TierStatus::up);
            long pid = process.pid();
            statuses.add(new HostStatus(host.name(), host.address().getHostAddress(), host.description()
                    + (pid > 0 ? " (process " + pid + ")" : ""), state, up, tiers));
        }
        return new TopologyStatus(design.name(), design.description(), statuses, List.of(), Drawing.of(design));
    }

    /** A tier as a client sees it from outside its host: whether its main port accepts a connection now. */
    private TierStatus probe(HostSpec host, TierSpec tier) {
        InetSocketAddress main = new InetSocketAddress(host.address(), tier.port());
        List<String> endpoints = tier.listeners().stream().map(l -> host.address().getHostAddress() + ":" + l.port()
                + "/" + l.transport().key() + (l.key().equals("port") ? "" : " " + l.key())).toList();
        boolean up = org.foobarstack.admin.TierProbe.tcp(main, PROBE_TIMEOUT);
        return new TierStatus(tier.role().key(), names.of(host.name(), tier.role()), tier.role().description(),
                "", endpoints, up, Map.of(), tier.references().stream()
                .map(r -> new TierStatus.Reference(r.host(), r.role().key())).toList());
    }

    @Override
    public String act(String host, HostAction action) {
        HostProcess process = hosts.get(host);
        if (process == null) {
            throw new ControlException(404, "no host " + host + " in the topology " + design.name() + " (hosts: "
                    + String.join(", ", hosts.keySet()) + ")");
        }
        return switch (action) {
            case KILL -> {
                long pid = process.pid();
                try {
                    process.kill();
                } catch (IllegalStateException e) {
                    throw new ControlException(409, e.getMessage());
                }
                log.accept("[" + host + "] killed: SIGKILL to process " + pid);
                yield host + " killed: its process " + pid + " got SIGKILL, its tiers' connections reset by the "
                        + "kernel";
            }
            case START -> {
                if (process.state() == HostProcess.State.RUNNING || process.state() == HostProcess.State.STARTING) {
                    throw new ControlException(409, host + " is already "
                            + process.state().name().toLowerCase(Locale.ROOT));
                }
                long began = System.nanoTime();
                log.accept("[" + host + "] starting a new process");
                try {
                    process.start();
                    process.awaitUp(UP_TIMEOUT);
                } catch (RuntimeException e) {
                    throw new ControlException(500, host + " did not start: " + e.getMessage());
                }
                yield host + " started in " + (System.nanoTime() - began) / 1_000_000 + " ms: process "
                        + process.pid();
            }
            default -> throw new ControlException(409, action.name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + " acts inside a host's process, and with --processes each host is a process of its own; "
                    + "run the design in one process (run --topology " + design.name() + ") for it");
        };
    }

    /**
     * Stops the admin server, then every host, top down: the hosts with balancers first, then web, app, name and
     * database hosts, so that no host outlives one it forwards to less than necessary.
     */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (hops != null) {
            hops.close();
        }
        List<Role> topDown = List.of(Role.LB, Role.WEB, Role.APP, Role.DNS, Role.MONITOR, Role.DB);
        List<HostSpec> order = new ArrayList<>(design.hosts());
        order.sort(java.util.Comparator.comparingInt(host -> host.tiers().stream()
                .mapToInt(tier -> topDown.indexOf(tier.role())).min().orElse(topDown.size())));
        for (HostSpec host : order) {
            hosts.get(host.name()).stop(STOP_GRACE);
        }
    }

    /** A host did not come up, or the admin server did not; every process started was stopped again. */
    public static final class StartException extends RuntimeException {
        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
