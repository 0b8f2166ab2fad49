package org.foobarstack.launcher;

import org.foobarstack.launcher.processes.ProcessStack;

import org.foobarstack.admin.ToxiproxyServer;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import org.foobarstack.topology.WwwRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code run}: starts a topology (by default {@code simple}, the single server), prints where each host and tier
 * listens and what to try, and keeps them running until SIGINT (Ctrl+C) or SIGTERM.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start a topology's hosts and their tiers in this process and keep them running.",
                "Without --topology: the simple design, one server on 127.0.0.1 whose ports the flags below set."})
final class RunCommand implements Callable<Integer> {

    /** The flags that place the simple design's tiers; a topology file places its own. */
    private static final java.util.List<String> SIMPLE_ONLY = java.util.List.of("--bind", "--dns-port",
            "--http-port", "--https-port", "--no-https", "--app-port", "--db-port");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--topology", paramLabel = "NAME|FILE",
            description = "A shipped topology (see `foobar-stack topologies`: simple, distributed, secured) or a topology "
                    + "file (YAML). Default: simple, with the ports below.")
    String topologyName;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Loopback address every tier binds to (default: ${DEFAULT-VALUE}).")
    InetAddress bind;

    @Option(names = "--dns-port", defaultValue = "" + StackConfig.DEFAULT_DNS_PORT,
            description = "DNS server UDP+TCP port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int dnsPort;

    @Option(names = "--http-port", defaultValue = "" + StackConfig.DEFAULT_HTTP_PORT,
            description = "Web server HTTP port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--https-port", defaultValue = "" + StackConfig.DEFAULT_HTTPS_PORT,
            description = "Web server HTTPS port (default: ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--no-https", description = "Serve plain HTTP only.")
    boolean noHttps;

    @Option(names = "--app-port", defaultValue = "" + StackConfig.DEFAULT_APP_PORT,
            description = "App server FastCGI port (default: ${DEFAULT-VALUE}).")
    int appPort;

    @Option(names = "--db-port", defaultValue = "" + StackConfig.DEFAULT_DB_PORT,
            description = "Database (Derby Network Server) port (default: ${DEFAULT-VALUE}).")
    int dbPort;

    @Option(names = "--admin-port", defaultValue = "" + StackConfig.DEFAULT_ADMIN_PORT,
            description = "Admin server port: dashboard, /metrics, /health (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--data-dir", defaultValue = "data",
            description = "Directory for the database, certificates and site (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--www-cname",
            description = "Serve the zone in which www.foobar.com is a CNAME for foobar.com instead of an A record.")
    boolean wwwCname;

    @Option(names = "--toxics", description = "Put a proxy on every link between the tiers, on which `ctl toxic` "
            + "and Toxiproxy's clients (through Toxiproxy's API, see --toxiproxy-port) add Toxiproxy's toxics "
            + "(latency, bandwidth, timeout...). Off by default: each link gets a hop more.")
    boolean toxics;

    @Option(names = "--toxiproxy-port", defaultValue = "" + ToxiproxyServer.DEFAULT_PORT,
            description = "With --toxics: the port of Toxiproxy's HTTP API, which Toxiproxy's clients (toxiproxy-java, "
                    + "toxiproxy-cli) use to change the links' toxics; 0 for any free port (default: ${DEFAULT-VALUE}, "
                    + "Toxiproxy's).")
    int toxiproxyPort;

    @Option(names = "--toxiproxy-host", defaultValue = "127.0.0.1",
            description = "With --toxics: the loopback address of Toxiproxy's API, which has no token "
                    + "(default: ${DEFAULT-VALUE}).")
    InetAddress toxiproxyHost;

    @Option(names = "--processes", description = "Run every host of the topology as a JVM of its own "
            + "(`foobar-stack host NAME`), finding the others only at the topology's addresses; this process "
            + "supervises them: their lines prefixed [NAME], `ctl kill NAME` a SIGKILL, `ctl start NAME` a new JVM.")
    boolean processes;

    @Option(names = "--network", paramLabel = "A.B.C.0", description = "Move the topology to this /24 first: every "
            + "host keeps the last octet of its address (127.0.85.0 puts 127.0.0.11 on 127.0.85.11).")
    InetAddress network;

    @Option(names = "--verbose", description = "When a tier cannot start, print the whole error with its stack trace.")
    boolean verbose;

    /** Exit code of a start that failed on a port already in use: like a usage error, the user's to fix. */
    static final int PORT_IN_USE = 2;

    @Override
    public Integer call() throws InterruptedException {
        Topology topology = null;
        for (String flag : java.util.List.of("--toxiproxy-port", "--toxiproxy-host")) {
            if (!toxics && spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                System.err.println("foobar-stack: " + flag + " places Toxiproxy's API, which runs with --toxics only");
                return 2;
            }
        }
        if (toxics && !toxiproxyHost.isLoopbackAddress()) {
            System.err.println("foobar-stack: --toxiproxy-host must be a loopback address (127.0.0.0/8 or ::1): "
                    + "Toxiproxy's API has no token");
            return 2;
        }
        if (topologyName != null) {
            for (String flag : SIMPLE_ONLY) {
                if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                    System.err.println("foobar-stack: " + flag + " places a tier of the simple design; with "
                            + "--topology, every address and port comes from the topology file");
                    return 2;
                }
            }
            try {
                topology = ShippedTopologies.resolve(topologyName);
            } catch (TopologyException e) {
                System.err.println("foobar-stack: " + e.getMessage());
                return 2;
            }
            if (network != null) {
                try {
                    topology = topology.renumbered(network);
                } catch (IllegalArgumentException e) {
                    System.err.println("foobar-stack: --network: " + e.getMessage());
                    return 2;
                }
            }
            if (wwwCname) {
                topology = new Topology(topology.name(), topology.description(), topology.domain(), WwwRecord.CNAME,
                        topology.hosts());
            }
        }
        if ((processes || network != null) && topology == null) {
            System.err.println("foobar-stack: " + (processes ? "--processes" : "--network") + " needs --topology");
            return 2;
        }
        if (processes) {
            if (toxics || wwwCname) {
                System.err.println("foobar-stack: " + (toxics ? "--toxics" : "--www-cname") + " runs in one "
                        + "process; leave out --processes for it");
                return 2;
            }
            return runProcesses(topology);
        }
        StackConfig config = StackConfig.builder()
                .bindAddress(bind)
                .dnsPort(dnsPort)
                .httpPort(httpPort)
                .httpsPort(noHttps ? StackConfig.HTTPS_DISABLED : httpsPort)
                .appPort(appPort)
                .dbPort(dbPort)
                .adminPort(adminPort)
                .dataDir(dataDir)
                .wwwAsCname(wwwCname)
                .topology(topology)
                .build();
        PrintStream out = System.out;
        out.println("Starting foobar-stack, topology " + config.topology().name() + " (data in "
                + config.dataDir() + ")");
        Stack stack = new Stack(config);
        if (toxics) {
            stack.proxyLinks(new InetSocketAddress(toxiproxyHost, toxiproxyPort));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGINT and SIGTERM both run shutdown hooks: that is where the tiers stop, top down.
        Thread shutdown = new Thread(() -> {
            out.println("Stopping foobar-stack...");
            stack.close();
            out.println("foobar-stack stopped.");
            stopped.countDown();
        }, "foobar-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            stack.start(out::println);
        } catch (Stack.TierStartException e) {
            // start() has stopped the tiers it had started: nothing is left for the hook to stop
            Runtime.getRuntime().removeShutdownHook(shutdown);
            return startFailed(e, topology == null);
        }
        out.println();
        out.print(Banner.of(stack));
        out.flush();
        stopped.await();
        return 0;
    }

    /** {@code --processes}: every host a JVM of its own, this one their supervisor (see {@link ProcessStack}). */
    private int runProcesses(Topology topology) throws InterruptedException {
        PrintStream out = System.out;
        out.println("Starting foobar-stack, topology " + topology.name() + ", every host a process of its own (data in "
                + dataDir.toAbsolutePath().normalize() + ")");
        ProcessStack stack = new ProcessStack(topology, topologyName, network, dataDir,
                new InetSocketAddress(bind, adminPort), line -> {
                    synchronized (out) {
                        out.println(line);
                    }
                });
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            out.println("Stopping every host...");
            stack.close();
            out.println("foobar-stack stopped.");
            stopped.countDown();
        }, "foobar-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            stack.start(out::println);
        } catch (ProcessStack.StartException e) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            System.err.println("foobar-stack could not start: " + e.getMessage());
            return 1;
        }
        out.println();
        out.print(Banner.ofProcesses(stack));
        out.flush();
        stopped.await();
        return 0;
    }

    /** Says why the stack did not start: for a taken port, who to ask and which flag moves the tier. */
    private int startFailed(Stack.TierStartException e, boolean simpleDesign) {
        PrintWriter err = spec.commandLine().getErr();
        if (verbose) {
            e.printStackTrace(err);
        }
        var conflict = PortConflict.of(e, simpleDesign);
        if (conflict.isPresent()) {
            conflict.get().lines().forEach(err::println);
        } else {
            err.println("foobar-stack could not start: " + e.getMessage());
        }
        if (!verbose) {
            err.println("  (--verbose prints the whole error)");
        }
        err.flush();
        return conflict.isPresent() ? PORT_IN_USE : 1;
    }
}
