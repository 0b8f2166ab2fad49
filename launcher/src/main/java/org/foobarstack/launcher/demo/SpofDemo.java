package org.foobarstack.launcher.demo;

import org.foobarstack.admin.HostAction;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.StackConfig;
import org.foobarstack.launcher.hosts.HostRuntime;
import org.foobarstack.lb.LoadBalancer;
import org.foobarstack.loadgen.LoadConfig;
import org.foobarstack.loadgen.LoadGenerator;
import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.loadgen.RunningLoad;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code demo spof}: the seeds' first weakness, measured. One design is started, loaded at a constant rate, and
 * one of its servers is killed in the middle of the run, then started again; the load generator counts what the
 * users would have seen.
 *
 * <ol>
 *   <li>The design is moved to addresses of its own ({@code 127.0.<n>.x}, see {@link Topology#relocated}), its
 *       data into a temporary directory, and its admin server to a free port, so that the demo never touches a
 *       stack the learner already runs.</li>
 *   <li>It is started, and warmed up with a few hundred requests (a JVM that has just started runs its code
 *       slowly for a few seconds, which would be counted against the first design otherwise).</li>
 *   <li>The load runs; at {@code killAt} the host is killed (every tier at once, sockets reset), at
 *       {@code restartAt} it is started again; every change of a balancer's view of a server is noted with the
 *       moment it happened.</li>
 *   <li>The load ends, the design is stopped and its data removed; the run is summed up in a {@link SpofRun}.</li>
 * </ol>
 */
public final class SpofDemo {

    /** The settings of one demo. */
    public record Settings(int rate, Duration duration, Duration killAt, Duration restartAt, String path,
                           int connections) {

        public static Settings defaults() {
            return new Settings(100, Duration.ofSeconds(12), Duration.ofSeconds(3), Duration.ofSeconds(8),
                    "/api/messages", 16);
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;

    public SpofDemo(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * Runs one design.
     *
     * @param design      a shipped design's name
     * @param victim      the host to kill, or null for the default: the only server in {@code simple}, else the last
     *                    host running a web server (which, before primary and replica databases, is the one that
     *                    does not hold the database)
     * @param thirdOctet  where to move the design: 127.0.{thirdOctet}.x
     */
    public SpofRun run(String design, String victim, int thirdOctet) throws InterruptedException {
        Topology topology = ShippedTopologies.load(design).relocated(thirdOctet);
        String kill = victim != null ? victim : defaultVictim(topology);
        if (topology.host(kill).isEmpty()) {
            throw new IllegalArgumentException("no host " + kill + " in " + design + " (hosts: "
                    + String.join(", ", topology.hosts().stream().map(h -> h.name()).toList()) + ")");
        }
        Path data = temporaryDirectory();
        Stack stack = new Stack(StackConfig.builder()
                .topology(topology)
                .bindAddress(loopback())
                .adminPort(0)
                .dataDir(data)
                .build());
        try {
            progress.accept("starting " + design + " on 127.0." + thirdOctet + ".x ...");
            stack.start(line -> { });
            InetSocketAddress front = target(stack);
            warmUp(stack);
            List<SpofRun.Event> events = new CopyOnWriteArrayList<>();
            RunningLoad load = new LoadGenerator().start(aimedAt(stack)
                    .path(settings.path())
                    .rate(settings.rate())
                    .duration(settings.duration())
                    .connections(settings.connections())
                    .build());
            for (var tier : stack.context().tiers(Role.LB)) {
                org.foobarstack.launcher.hosts.LbTierRuntime lb = (org.foobarstack.launcher.hosts.LbTierRuntime) tier;
                lb.virtualAddress().ifPresent(vip -> lb.onVrrpTransition(t -> {
                    if (t.to() == org.foobarstack.vrrp.State.MASTER) {
                        events.add(new SpofRun.Event(load.elapsedMillis(), lb.instance() + ": "
                                + SpofRun.TOOK_THE_ADDRESS + " " + vip.getHostAddress() + " (" + t.describe() + ")",
                                false));
                    } else if (t.from() == org.foobarstack.vrrp.State.MASTER) {
                        events.add(new SpofRun.Event(load.elapsedMillis(), lb.instance() + ": let go of the virtual "
                                + "address " + vip.getHostAddress() + " (" + t.describe() + ")", false));
                    }
                }));
            }
            for (LoadBalancer balancer : balancers(stack)) {
                balancer.onTransition(t -> events.add(new SpofRun.Event(load.elapsedMillis(),
                        balancer.config().name() + ": " + t.server().name() + " is " + (t.nowUp() ? "UP" : "DOWN")
                                + " (" + t.cause().describe() + ")", !t.nowUp())));
            }
            progress.accept("  " + settings.rate() + " requests/s to " + (front.getPort() == stack.front().getPort()
                    ? "http://" : "https://") + hostPort(front) + settings.path()
                    + " for " + settings.duration().toSeconds() + " s; kill " + kill + " at "
                    + settings.killAt().toSeconds() + " s, start it at " + settings.restartAt().toSeconds() + " s");
            waitUntil(load, settings.killAt());
            long killedAt = load.elapsedMillis();
            stack.act(kill, HostAction.KILL);
            events.add(new SpofRun.Event(killedAt, kill + " killed", false));
            progress.accept("  " + seconds(killedAt) + "  " + kill + " killed");
            waitUntil(load, settings.restartAt());
            long restartAt = load.elapsedMillis();
            stack.act(kill, HostAction.START);
            long upAt = load.elapsedMillis();
            events.add(new SpofRun.Event(upAt, kill + " started again (asked at " + seconds(restartAt).trim() + ")",
                    false));
            progress.accept("  " + seconds(upAt) + "  " + kill + " started again");
            LoadReport report = load.await();
            events.sort(Comparator.comparingLong(SpofRun.Event::atMillis));
            HostRuntime killed = stack.host(kill).orElseThrow();
            List<String> killedTiers = killed.spec().tiers().stream()
                    .map(t -> stack.context().names().of(kill, t.role())).toList();
            return new SpofRun(design, topology.description().lines().findFirst().orElse(""), kill,
                    killedTiers, killedAt, restartAt, upAt,
                    List.copyOf(events), report, !balancers(stack).isEmpty(), holdsDatabase(stack, kill));
        } finally {
            stack.close();
            deleteQuietly(data);
        }
    }

    /**
     * The host whose loss the design is meant to survive, if it can survive any: the master of a balancer pair
     * (its highest priority member), else the last web server.
     */
    static String defaultVictim(Topology topology) {
        Optional<String> master = topology.balancers().stream().filter(p -> p.tier().vrrp().isPresent())
                .max(Comparator.comparingInt(p -> p.tier().vrrp().orElseThrow().priority()))
                .map(p -> p.host().name());
        if (master.isPresent()) {
            return master.get();
        }
        List<String> webHosts = topology.hostsWith(Role.WEB).stream().map(h -> h.name()).toList();
        return webHosts.get(webHosts.size() - 1);
    }

    private static boolean holdsDatabase(Stack stack, String host) {
        return stack.topologySpec().tiers(org.foobarstack.topology.AppTier.class).stream()
                .anyMatch(app -> app.tier().dbHost().equals(host));
    }

    private static List<LoadBalancer> balancers(Stack stack) {
        List<LoadBalancer> list = new ArrayList<>();
        for (var tier : stack.context().tiers(Role.LB)) {
            LoadBalancer lb = ((org.foobarstack.launcher.hosts.LbTierRuntime) tier).balancer();
            if (lb != null) {
                list.add(lb);
            }
        }
        return list;
    }

    /**
     * Where the load goes: the site's front door, as a browser would knock: over HTTPS to the balancer's HTTPS
     * port when the design sends plain HTTP there (secured, scaled), else plain HTTP.
     */
    static InetSocketAddress target(Stack stack) {
        InetSocketAddress front = stack.front();
        return httpsBalancer(stack).map(lb -> new InetSocketAddress(front.getAddress(), lb.httpsAddress().getPort()))
                .orElse(front);
    }

    private static Optional<org.foobarstack.launcher.hosts.LbTierRuntime> httpsBalancer(Stack stack) {
        return stack.context().tiers(Role.LB).stream().map(t -> (org.foobarstack.launcher.hosts.LbTierRuntime) t)
                .filter(lb -> lb.httpsAddress() != null).findFirst();
    }

    /** A load for www.foobar.com at {@link #target}, trusting the balancer's certificate authority over HTTPS. */
    static LoadConfig.Builder aimedAt(Stack stack) {
        LoadConfig.Builder builder = LoadConfig.builder(target(stack)).hostHeader("www.foobar.com");
        httpsBalancer(stack).ifPresent(lb -> {
            try {
                builder.tls(io.netty.handler.ssl.SslContextBuilder.forClient()
                        .trustManager(lb.caCertificate().toFile()).build());
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException("cannot trust " + lb.caCertificate() + ": " + e.getMessage(), e);
            }
        });
        return builder;
    }

    /** A few hundred requests, so that the measured run does not pay for the JIT compiler's first seconds. */
    private void warmUp(Stack stack) throws InterruptedException {
        new LoadGenerator().start(aimedAt(stack)
                .path(settings.path())
                .rate(Math.max(50, settings.rate()))
                .duration(Duration.ofSeconds(2))
                .connections(settings.connections())
                .build()).await();
    }

    static void waitUntil(RunningLoad load, Duration at) throws InterruptedException {
        long target = at.toMillis();
        long now;
        while ((now = load.elapsedMillis()) < target && !load.isDone()) {
            Thread.sleep(Math.min(20, target - now));
        }
    }

    static String seconds(long millis) {
        return String.format("%5.1f s", millis / 1000.0);
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("foobar-stack-demo-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the demo's data", e);
        }
    }

    static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the demo for
        }
    }
}
