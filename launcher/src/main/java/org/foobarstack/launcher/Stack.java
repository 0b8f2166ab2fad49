package org.foobarstack.launcher;

import org.foobarstack.admin.AdminConfig;
import org.foobarstack.admin.AdminServer;
import org.foobarstack.admin.BalancerStatus;
import org.foobarstack.admin.HostAction;
import org.foobarstack.admin.HostStatus;
import org.foobarstack.admin.LinkStatus;
import org.foobarstack.admin.StackControl;
import org.foobarstack.admin.TopologyStatus;
import org.foobarstack.admin.ToxiproxyServer;
import org.foobarstack.app.AppServer;
import org.foobarstack.dns.DnsServer;
import org.foobarstack.http.WebServer;
import org.foobarstack.launcher.hosts.AppTierRuntime;
import org.foobarstack.launcher.hosts.AutoFailover;
import org.foobarstack.launcher.hosts.DbTierRuntime;
import org.foobarstack.launcher.hosts.DnsTierRuntime;
import org.foobarstack.launcher.ops.Operations;
import org.foobarstack.launcher.hosts.HostRuntime;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.launcher.hosts.LinkProxies;
import org.foobarstack.launcher.hosts.ReplicationControl;
import org.foobarstack.launcher.hosts.StackContext;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.launcher.hosts.WebTierRuntime;
import org.foobarstack.lb.LoadBalancer;
import org.foobarstack.toxics.LinkProxy;
import org.foobarstack.toxics.Toxic;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.topology.AppTier;
import org.foobarstack.topology.DbTier;
import org.foobarstack.topology.DnsTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.WebTier;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A running topology: its hosts, each running its tiers on its own loopback address, and beside them the admin
 * server, which draws them, serves their metrics and traces, and carries out {@code foobar-stack ctl}.
 *
 * <p>The default is the {@code simple} design, today's single server (one host on 127.0.0.1 running the name
 * server, the web server, the app server and the database); {@link StackConfig#topology()} picks another.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@link #start} starts every database on a thread of its own, since Derby is the slowest tier to come up
 *       and needs no other; its address is chosen first, so the tiers above can be configured with it at once.
 *   <li>Meanwhile the other tiers start by role, bottom up, because each needs the address of the one below it:
 *       the app servers, the name server (whose zone is written from the topology), the web servers (which
 *       forward to their app servers), the load balancers (in front of the web servers), then the admin server.
 *   <li>After each start it waits until the tier's TCP port accepts a connection, so that "started" means a
 *       client can connect now. {@code start} returns once the databases are up too.
 *   <li>If any tier fails to start, the tiers already running are stopped again (after the databases have
 *       finished booting), and the error names the tier.
 *   <li>While it runs, a host can be killed and started again ({@link #act}), and drained at the balancers.
 *   <li>{@link #close()} stops everything top down: admin, balancers, web, DNS, app, databases.
 * </ol>
 * A stack holds no static state: tests start several in one JVM, each on its own free ports or addresses.
 */
public final class Stack implements AutoCloseable, StackControl {

    private static final Logger log = LoggerFactory.getLogger(Stack.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    /** How long a host run alone waits for the primary database on another host (a JVM and Derby to boot). */
    private static final Duration PRIMARY_TIMEOUT = Duration.ofSeconds(90);
    /** Where the admin token is kept, in the data directory. */
    public static final String TOKEN_FILE = "admin.token";

    /** How start-up lines and errors name Toxiproxy's API. */
    public static final String TOXIPROXY_TIER = "Toxiproxy API";

    private final StackConfig config;
    /** The design as it runs: the file's, then with the hosts {@code scale} and blue-green deploys add. */
    private volatile Topology topology;
    /** Every tier of this stack records its hops here; the admin server shows them. */
    private final TraceHub traces = new TraceHub();
    /** Every tier of this stack counts into this one registry, told apart by an instance label. */
    private final Metrics metrics = new Metrics();
    private final StackContext context;
    private final ReplicationControl replication;
    /** The watch of {@code failover: auto}, when the topology asks for it. */
    private AutoFailover failover;
    /** Every host, in the topology's order; replaced, never changed in place, when a host is added or removed. */
    private volatile Map<String, HostRuntime> hosts = new LinkedHashMap<>();
    /** Deploys and scaling, one at a time, in the background. */
    private final Operations operations;
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final List<TierRuntime> started = new CopyOnWriteArrayList<>();
    private AdminServer admin;
    private String token;
    private boolean closed;
    /** The proxies on the links between the tiers, with {@code run --toxics}; null while the tiers connect direct. */
    private volatile LinkProxies links;
    /** Where Toxiproxy's API is to listen, when asked for ({@link #proxyLinks(InetSocketAddress)}); else null. */
    private InetSocketAddress toxiproxyAddress;
    private ToxiproxyServer toxiproxy;

    public Stack(StackConfig config) {
        this.config = config;
        this.topology = config.topology();
        this.context = new StackContext(topology, config.dataDir(), traces, metrics);
        this.replication = new ReplicationControl(context);
        for (HostSpec spec : topology.hosts()) {
            List<TierRuntime> tiers = new ArrayList<>();
            for (TierSpec tier : spec.tiers()) {
                tiers.add(runtimeOf(spec, tier));
            }
            hosts.put(spec.name(), new HostRuntime(context, spec, context.dataDirectory(spec), tiers));
            tiers.forEach(context::register);
        }
        this.operations = new Operations(this);
    }

    /**
     * Adds a host to the running stack and starts it ({@code scale}, a blue-green deploy): 1. the design gains it
     * (its name and address are checked against the others); 2. its tiers get the next instance names; 3. they
     * start, bottom up; 4. the name server's zone gets its address. Joining a balancer is the caller's next step.
     *
     * @throws IllegalArgumentException if the design refuses it (a name or address taken)
     */
    public synchronized HostRuntime addHost(HostSpec spec, Consumer<String> progress) {
        Topology changed = topology.withHost(spec);
        context.names().register(spec);
        List<TierRuntime> tiers = new ArrayList<>();
        for (TierSpec tier : spec.tiers()) {
            tiers.add(runtimeOf(spec, tier));
        }
        HostRuntime host = new HostRuntime(context, spec, context.dataDirectory(spec), tiers);
        tiers.forEach(context::register);
        Map<String, HostRuntime> more = new LinkedHashMap<>(hosts);
        more.put(spec.name(), host);
        hosts = more;
        topology = changed;
        context.topologyChanged(changed);
        host.start(progress);
        started.addAll(tiers);
        for (TierRuntime tier : tiers) {
            endpoints.add(new Endpoint(tierName(tier), tier.address()));
        }
        context.nameServer().ifPresent(DnsTierRuntime::republishZone);
        return host;
    }

    /**
     * Stops a host gracefully and takes it out of the design and the zone ({@code scale} down). The caller has
     * already taken it out of every balancer.
     */
    public synchronized void removeHost(String name) {
        HostRuntime host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException("no host " + name);
        }
        Topology changed = topology.withoutHost(name);
        host.close();
        // taken out on purpose: its silence is not an outage
        context.tiers(Role.MONITOR).stream().filter(TierRuntime::running)
                .map(t -> ((org.foobarstack.launcher.hosts.MonitorTierRuntime) t).server())
                .forEach(server -> server.forget(name));
        started.removeAll(host.tiers());
        endpoints.removeIf(e -> host.tiers().stream().anyMatch(t -> t.address().equals(e.address())));
        context.unregister(name);
        Map<String, HostRuntime> fewer = new LinkedHashMap<>(hosts);
        fewer.remove(name);
        hosts = fewer;
        topology = changed;
        context.topologyChanged(changed);
        context.nameServer().ifPresent(DnsTierRuntime::republishZone);
    }

    // ---------------------------------------------------------------- deploys and scaling

    @Override
    public org.foobarstack.admin.Operation deploy(String version, String strategy) {
        return operations.deploy(version, strategy);
    }

    @Override
    public org.foobarstack.admin.Operation scale(String role, int count) {
        return operations.scale(role, count);
    }

    @Override
    public Optional<org.foobarstack.admin.Operation.Snapshot> operation() {
        return operations.current();
    }

    @Override
    public Optional<InetSocketAddress> monitoringServer() {
        return context.tiers(Role.MONITOR).stream().filter(TierRuntime::running).map(TierRuntime::address)
                .findFirst();
    }

    /** The deploys and scalings of this stack, for tests and demos that run them in-process. */
    public Operations operations() {
        return operations;
    }

    private TierRuntime runtimeOf(HostSpec host, TierSpec tier) {
        if (tier instanceof DbTier db) {
            return new DbTierRuntime(context, host, db);
        }
        if (tier instanceof AppTier app) {
            return new AppTierRuntime(context, host, app);
        }
        if (tier instanceof DnsTier dns) {
            return new DnsTierRuntime(context, host, dns);
        }
        if (tier instanceof WebTier web) {
            return new WebTierRuntime(context, host, web);
        }
        if (tier instanceof org.foobarstack.topology.MonitorTier monitor) {
            return new org.foobarstack.launcher.hosts.MonitorTierRuntime(context, host, monitor);
        }
        return new LbTierRuntime(context, host, (LbTier) tier);
    }

    /**
     * Routes every link between the tiers through a proxy that carries Toxiproxy's toxics ({@code run --toxics}),
     * which {@code /api/links} and {@code ctl toxic} then show and change. Each proxied link adds a hop, so a
     * stack runs without them unless asked. Called before {@link #start}: a tier asks where to connect as it
     * starts.
     */
    public synchronized void proxyLinks() {
        if (links != null) {
            return;
        }
        if (!started.isEmpty()) {
            throw new IllegalStateException("the links are routed when the tiers start: proxyLinks() before start()");
        }
        links = new LinkProxies();
        context.routeLinks(links);
    }

    /**
     * {@link #proxyLinks()}, and Toxiproxy's HTTP API at {@code api} (Toxiproxy's 127.0.0.1:8474 by default in
     * {@code run --toxics}; port 0 for a free one), through which Toxiproxy's clients see the links as proxies
     * named {@code app-1_to_db-1} and change their toxics. It starts after the admin server.
     */
    public synchronized void proxyLinks(InetSocketAddress api) {
        proxyLinks();
        toxiproxyAddress = api;
    }

    /** The links by their name in Toxiproxy's API ({@code app-1_to_db-1}), in the order first used. */
    private Map<String, LinkProxy> toxiproxyLinks() {
        Map<String, LinkProxy> byName = new LinkedHashMap<>();
        LinkProxies now = links;
        if (now != null) {
            now.all().forEach(link -> byName.put(LinkStatus.proxyName(link.from(), link.to()), link.proxy()));
        }
        return byName;
    }

    /**
     * With proxied links, the client's own way in ({@code client -> lb-1}, or {@code client -> web-1} without a
     * balancer): a proxy on the front's address, on a port of its own. Requests sent there cross its toxics, so a
     * learner can make the last mile slow; www and the front's own port stay direct, so that what DNS answers and
     * what the other clients see do not change.
     */
    private void openClientLink() {
        InetSocketAddress front = front();
        Optional<String> instance = first(Role.LB).or(() -> first(Role.WEB)).map(TierRuntime::instance);
        if (front != null && instance.isPresent()) {
            links.outside("client", instance.get(), front);
        }
    }

    /** Where the client link of {@link #openClientLink} listens; empty when the links run direct. */
    public Optional<InetSocketAddress> clientLink() {
        LinkProxies now = links;
        return now == null ? Optional.empty() : now.all().stream().filter(l -> l.from().equals("client"))
                .findFirst().map(l -> l.proxy().address());
    }

    /** Toxiproxy's API, once started; null without it. */
    public ToxiproxyServer toxiproxy() {
        return toxiproxy;
    }

    @Override
    public List<LinkStatus> links() {
        return proxies().all().stream().map(Stack::linkStatus).toList();
    }

    @Override
    public LinkStatus addToxic(String from, String to, Toxic toxic) {
        LinkProxies.Link link = link(from, to);
        try {
            link.proxy().add(toxic);
        } catch (IllegalArgumentException e) {
            throw new ControlException(409, e.getMessage()); // a toxic of that name is there already
        }
        return linkStatus(link);
    }

    @Override
    public LinkStatus removeToxic(String from, String to, String name) {
        LinkProxies.Link link = link(from, to);
        try {
            link.proxy().remove(name);
        } catch (IllegalArgumentException e) {
            throw new ControlException(404, e.getMessage()); // no toxic of that name; the message lists them
        }
        return linkStatus(link);
    }

    private LinkProxies proxies() {
        LinkProxies now = links;
        if (now == null) {
            throw new ControlException(404, LINKS_DIRECT);
        }
        return now;
    }

    private LinkProxies.Link link(String from, String to) {
        LinkProxies proxies = proxies();
        return proxies.find(from, to).orElseThrow(() -> new ControlException(404, "no link " + from + "->" + to
                + " in this stack; its links: " + String.join(", ", proxies.all().stream()
                .map(l -> l.from() + "->" + l.to()).toList())));
    }

    private static LinkStatus linkStatus(LinkProxies.Link link) {
        return new LinkStatus(link.from(), link.to(), hostPort(link.proxy().address()),
                hostPort(link.proxy().upstream()), link.proxy().toxics());
    }

    /** Starts every host and the admin server; {@code progress} hears one line per tier as it comes up. */
    public synchronized void start(Consumer<String> progress) {
        List<CompletableFuture<Void>> databases = new ArrayList<>();
        // completed once the tiers that serve have started: the databases' boots wait for it (step 2)
        CompletableFuture<Void> serving = new CompletableFuture<>();
        try {
            writeToken();
            hosts.values().forEach(HostRuntime::markStartingFromStack);
            // 1. the databases' addresses are chosen now, for the app servers; each boots in the background once
            //    the other tiers have started (step 2). A replica waits for its primary, which it copies (the
            //    first time) and then follows.
            for (TierRuntime tier : context.tiers(Role.DB)) {
                try {
                    ((DbTierRuntime) tier).prepare();
                } catch (RuntimeException e) {
                    throw new TierStartException(tierName(tier), e);
                }
            }
            Map<String, CompletableFuture<Void>> byHost = new LinkedHashMap<>();
            List<DbTierRuntime> replicasLast = new ArrayList<>();
            // Derby's boot takes about two seconds of CPU, as much as every other tier's start together; on a
            // machine of two cores, booting it beside them slowed them by half. So it waits for them (they need
            // only its address), and its boot delays nothing but the first request that needs the database.
            for (TierRuntime tier : context.tiers(Role.DB)) {
                DbTierRuntime db = (DbTierRuntime) tier;
                boolean replica = db.cluster().map(c -> !c.primary().equals(db.host().name())).orElse(false);
                if (replica) {
                    replicasLast.add(db);
                } else {
                    started.add(db);
                    byHost.put(db.host().name(), startInBackground(db, progress, serving));
                }
            }
            for (DbTierRuntime db : replicasLast) {
                started.add(db);
                CompletableFuture<Void> primary = byHost.get(db.cluster().orElseThrow().primary());
                byHost.put(db.host().name(), startInBackground(db, progress, primary));
            }
            databases.addAll(byHost.values());
            // 2. the other tiers, by role, bottom up; then the databases boot in the background
            for (Role role : List.of(Role.DNS, Role.APP, Role.WEB, Role.LB)) {
                for (TierRuntime tier : context.tiers(role)) {
                    startTier(tier, progress);
                }
            }
            progress.accept("  storage     booting the database" + (databases.size() == 1 ? "" : "s")
                    + " in the background");
            serving.complete(null);
            awaitBalancerPairs(progress);
            if (links != null) {
                openClientLink();
            }
            startAdmin(progress);
            if (toxiproxyAddress != null) {
                startToxiproxy(progress);
            }
            for (CompletableFuture<Void> database : databases) {
                awaitStorage(database);
            }
            // 3. the monitoring server last, once every host is up: its clients start pushing as it does, so it
            //    never sees a host as down that was only still booting its database
            for (TierRuntime tier : context.tiers(Role.MONITOR)) {
                startTier(tier, progress);
            }
            failover = AutoFailover.start(context, replication).orElse(null);
            hosts.values().forEach(HostRuntime::markRunningFromStack);
        } catch (RuntimeException e) {
            // a database that has not begun its boot never begins it
            serving.completeExceptionally(e);
            for (CompletableFuture<Void> database : databases) {
                database.handle((ok, failure) -> null).join();
            }
            close();
            throw e;
        }
    }

    /**
     * Runs the host {@code name} alone, as its own machine would ({@code foobar-stack host NAME}, and each process
     * of {@code run --processes}). No admin server runs here: the host is one machine among others.
     * <ol>
     *   <li>Every other host becomes remote: its tiers are never started in this process, and this host's tiers
     *       find them only at the addresses and ports the topology gives them (and through the name server, where
     *       the design asks DNS, as the app servers do for the primary database).
     *   <li>A replica database waits until its primary, on another host, accepts connections: it copies the
     *       primary's database the first time, and follows its change log after that.
     *   <li>The host's tiers start bottom up, each once the one before it accepts connections
     *       ({@link HostRuntime#start}); the tiers they call on other hosts need not be up yet: an app server
     *       connects to its database per request, a balancer's health checks find its servers when they come.
     * </ol>
     *
     * @throws IllegalArgumentException if the design has no host {@code name}
     */
    public synchronized HostRuntime startOnly(String name, Consumer<String> progress) {
        HostRuntime host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException("no host " + name + " in the topology " + topology.name()
                    + " (hosts: " + String.join(", ", hosts.keySet()) + ")");
        }
        context.runOnly(name);
        for (TierRuntime tier : host.tiers()) {
            if (tier instanceof DbTierRuntime db) {
                Optional<String> primary = db.cluster().map(c -> c.primary()).filter(p -> !p.equals(name));
                if (primary.isPresent()) {
                    InetSocketAddress source = context.tier(primary.get(), Role.DB).address();
                    progress.accept("  " + name + " waits for its primary database, " + primary.get() + " at "
                            + hostPort(source));
                    if (!PortProbe.waitUntilAccepting(source, PRIMARY_TIMEOUT)) {
                        throw new TierStartException(tierName(db), new IllegalStateException("its primary, "
                                + primary.get() + " at " + hostPort(source) + ", did not accept a connection within "
                                + PRIMARY_TIMEOUT.toSeconds() + " s"));
                    }
                }
            }
        }
        try {
            host.start(progress);
        } catch (HostRuntime.TierStartFailure e) {
            throw new TierStartException(tierName(e.tier()), e.getCause());
        }
        started.addAll(host.tiers());
        for (TierRuntime tier : host.tiers()) {
            endpoints.add(new Endpoint(tierName(tier), tier.address()));
        }
        return host;
    }

    /**
     * Every balancer pair elects its master before the stack says it is up: until then nobody listens on the
     * virtual address www points at. The election takes the backups' Master_Down_Interval (3.4 s at advert_int
     * 1 s), since every member starts as a backup (RFC 9568 §6.4.1).
     */
    private void awaitBalancerPairs(Consumer<String> progress) {
        Map<InetAddress, List<LbTierRuntime>> pairs = new LinkedHashMap<>();
        for (TierRuntime tier : context.tiers(Role.LB)) {
            LbTierRuntime lb = (LbTierRuntime) tier;
            lb.virtualAddress().ifPresent(vip -> pairs.computeIfAbsent(vip, v -> new ArrayList<>()).add(lb));
        }
        pairs.forEach((vip, members) -> {
            long began = System.nanoTime();
            InetSocketAddress front = new InetSocketAddress(vip, members.get(0).address().getPort());
            if (!PortProbe.waitUntilAccepting(front, READY_TIMEOUT)) {
                throw new TierStartException("balancer pair " + vip.getHostAddress(), new IllegalStateException(
                        "no member became VRRP master and listened on " + hostPort(front) + " within "
                                + READY_TIMEOUT.toSeconds() + " s"));
            }
            awaitSettled(front, members);
            String master = members.stream().filter(Stack::isMaster)
                    .map(TierRuntime::instance).findFirst().orElse("?");
            progress.accept(String.format("  %-9s %-6s %-14s up in %d ms", "pair", vip.getHostAddress(),
                    master + " master", (System.nanoTime() - began) / 1_000_000));
        });
    }

    /**
     * A pair is settled once the member that will keep the address holds it. Members start one after another,
     * so a lower-priority one can win the first election (its timer started earlier) and, with preempt, hand the
     * address over to the higher one a moment later, resetting every connection made to it in between. The stack
     * is not up until that handover, if it comes, is behind it.
     */
    private static void awaitSettled(InetSocketAddress front, List<LbTierRuntime> members) {
        LbTierRuntime keeper = members.stream()
                .max(java.util.Comparator.comparingInt(m -> m.vrrpSettings().orElseThrow().priority()))
                .orElseThrow();
        if (!keeper.vrrpSettings().orElseThrow().preempt()) {
            return; // whoever won first keeps the address
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!(isMaster(keeper) && members.stream().filter(m -> m != keeper).noneMatch(Stack::isMaster))) {
            if (System.nanoTime() > deadline) {
                throw new TierStartException("balancer pair " + hostPort(front), new IllegalStateException(
                        keeper.instance() + " (the highest priority, preempting) did not become the only VRRP "
                                + "master within " + READY_TIMEOUT.toSeconds() + " s"));
            }
            try {
                Thread.sleep(10); // an election moves in advertisement intervals (1 s); 10 ms is fine-grained
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TierStartException("balancer pair " + hostPort(front), e);
            }
        }
        // the keeper has entered MASTER; it listens once the one it preempted has let go
        if (!PortProbe.waitUntilAccepting(front, READY_TIMEOUT)) {
            throw new TierStartException("balancer pair " + hostPort(front), new IllegalStateException(
                    keeper.instance() + " is VRRP master but nothing listens on " + hostPort(front)));
        }
    }

    private static boolean isMaster(LbTierRuntime lb) {
        return lb.vrrpState().map(s -> s == org.foobarstack.vrrp.State.MASTER).orElse(false);
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    private CompletableFuture<Void> startInBackground(DbTierRuntime db, Consumer<String> progress,
                                                      CompletableFuture<Void> after) {
        return after.thenRunAsync(() -> {
            long began = System.nanoTime();
            try {
                db.start();
            } catch (RuntimeException e) {
                throw new TierStartException(tierName(db), e);
            }
            InetSocketAddress address = db.address();
            endpoints.add(0, new Endpoint(tierName(db), address));
            if (!PortProbe.waitUntilAccepting(address, READY_TIMEOUT)) {
                throw new TierStartException(tierName(db), new IllegalStateException("started, but " + address
                        + " did not accept a connection within " + READY_TIMEOUT.toSeconds() + " s"));
            }
            progress.accept(line(db, (System.nanoTime() - began) / 1_000_000));
        }, task -> new Thread(task, db.instance() + "-start").start());
    }

    private static void awaitStorage(CompletableFuture<Void> started) {
        try {
            started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    private void startTier(TierRuntime tier, Consumer<String> progress) {
        long began = System.nanoTime();
        // listed before it starts: a start that fails half-way, or a tier that never becomes ready, is closed
        // with the rest (closing a tier that has no server yet does nothing)
        started.add(tier);
        try {
            tier.start();
        } catch (Exception e) {
            throw new TierStartException(tierName(tier), e);
        }
        InetSocketAddress address = tier.address();
        endpoints.add(new Endpoint(tierName(tier), address));
        if (!PortProbe.waitUntilAccepting(address, READY_TIMEOUT)) {
            throw new TierStartException(tierName(tier), new IllegalStateException("started, but " + address
                    + " did not accept a connection within " + READY_TIMEOUT.toSeconds() + " s"));
        }
        if (tier instanceof WebTierRuntime web && web.httpsAddress() != null
                && !PortProbe.waitUntilAccepting(web.httpsAddress(), READY_TIMEOUT)) {
            throw new TierStartException(tierName(tier) + " (HTTPS)", new IllegalStateException("started, but "
                    + web.httpsAddress() + " did not accept a connection"));
        }
        progress.accept(line(tier, (System.nanoTime() - began) / 1_000_000));
    }

    private String line(TierRuntime tier, long millis) {
        return topology.hosts().size() == 1
                ? String.format("  %-11s up in %d ms", tierName(tier), millis)
                : String.format("  %-9s %-6s %-14s up in %d ms", tier.host().name(), tier.instance(),
                        kind(tier), millis);
    }

    private void startAdmin(Consumer<String> progress) {
        long began = System.nanoTime();
        admin = new AdminServer(AdminConfig.builder()
                .bindAddress(config.adminAddress().getHostAddress())
                .port(config.adminPort())
                .build(), traces, metrics, this, token);
        try {
            admin.start();
        } catch (IOException | RuntimeException e) {
            throw new TierStartException("admin", e);
        }
        endpoints.add(new Endpoint("admin", admin.address()));
        if (!PortProbe.waitUntilAccepting(admin.address(), READY_TIMEOUT)) {
            throw new TierStartException("admin", new IllegalStateException("did not accept a connection"));
        }
        progress.accept(String.format("  %-11s up in %d ms", "admin", (System.nanoTime() - began) / 1_000_000));
    }

    private void startToxiproxy(Consumer<String> progress) {
        long began = System.nanoTime();
        try {
            toxiproxy = new ToxiproxyServer(toxiproxyAddress.getAddress().getHostAddress(), toxiproxyAddress.getPort(),
                    this::toxiproxyLinks);
            toxiproxy.start();
        } catch (IOException | RuntimeException e) {
            throw new TierStartException(TOXIPROXY_TIER, e);
        }
        endpoints.add(new Endpoint(TOXIPROXY_TIER, toxiproxy.address()));
        progress.accept(String.format("  %-11s up in %d ms", "toxiproxy", (System.nanoTime() - began) / 1_000_000));
    }

    /** A fresh token for the admin server's host actions ({@link AdminToken}). */
    private void writeToken() {
        token = AdminToken.write(tokenFile());
    }

    /** {@code <data dir>/admin.token}: what {@code ctl} presents to the admin server. */
    public Path tokenFile() {
        return config.dataDir().resolve(TOKEN_FILE);
    }

    /** The admin token of this run. */
    public String token() {
        return token;
    }

    /** A tier's name in progress lines and errors: "web server", or "web server web-2" when there are several. */
    private String tierName(TierRuntime tier) {
        return context.tiers(tier.role()).size() == 1 ? kind(tier) : kind(tier) + " " + tier.instance();
    }

    private static String kind(TierRuntime tier) {
        return switch (tier.role()) {
            case DNS -> "DNS server";
            case LB -> "load balancer";
            case WEB -> "web server";
            case APP -> "app server";
            case DB -> "storage";
            case MONITOR -> "monitoring server";
        };
    }

    // ---------------------------------------------------------------- the hosts, for ctl and the dashboard

    @Override
    public TopologyStatus topology() {
        List<HostStatus> statuses = new ArrayList<>();
        for (HostRuntime host : hosts.values()) {
            statuses.add(host.status(PROBE_TIMEOUT));
        }
        List<BalancerStatus> balancers = new ArrayList<>();
        for (TierRuntime tier : context.tiers(Role.LB)) {
            balancers.add(((LbTierRuntime) tier).balancerStatus());
        }
        return new TopologyStatus(topology.name(), topology.description(), statuses, balancers,
                org.foobarstack.topology.Drawing.of(topology));
    }

    /**
     * Carries out a host action: kill (every tier at once, with resets), start (every tier again, bottom up),
     * drain or ready (at every balancer that has the host's web server).
     */
    @Override
    public String act(String hostName, HostAction action) {
        HostRuntime host = hosts.get(hostName);
        if (host == null) {
            throw new ControlException(404, "no host " + hostName + " in the topology " + topology.name()
                    + " (hosts: " + String.join(", ", hosts.keySet()) + ")");
        }
        return switch (action) {
            case KILL -> {
                if (host.state() == HostRuntime.State.KILLED || host.state() == HostRuntime.State.STOPPED) {
                    throw new ControlException(409, hostName + " is not running (" + host.state().name()
                            .toLowerCase() + ")");
                }
                host.kill();
                log.warn("host {} ({}) killed: {}", hostName, host.spec().address().getHostAddress(),
                        host.tiers().stream().map(TierRuntime::instance).toList());
                yield hostName + " killed: " + String.join(", ", host.tiers().stream().map(TierRuntime::instance)
                        .toList()) + " stopped at once, their connections reset";
            }
            case START -> {
                if (host.state() == HostRuntime.State.RUNNING || host.state() == HostRuntime.State.STARTING) {
                    throw new ControlException(409, hostName + " is already " + host.state().name().toLowerCase());
                }
                long began = System.nanoTime();
                try {
                    host.start(line -> log.info("start {}:{}", hostName, line));
                } catch (RuntimeException e) {
                    throw new ControlException(500, hostName + " did not start: " + e.getMessage());
                }
                yield hostName + " started in " + (System.nanoTime() - began) / 1_000_000 + " ms: "
                        + String.join(", ", host.tiers().stream().map(TierRuntime::instance).toList());
            }
            case PROMOTE -> replication.promote(hostName);
            case PAUSE_REPLICATION -> replication.pause(hostName);
            case RESUME_REPLICATION -> replication.resume(hostName);
            case REATTACH -> replication.reattach(hostName);
            case DRAIN, READY -> {
                Server.AdminState state = action == HostAction.DRAIN ? Server.AdminState.DRAIN
                        : Server.AdminState.READY;
                List<String> at = new ArrayList<>();
                for (TierRuntime tier : context.tiers(Role.LB)) {
                    if (((LbTierRuntime) tier).setState(hostName, state)) {
                        at.add(tier.instance());
                    }
                }
                if (at.isEmpty()) {
                    throw new ControlException(409, "no load balancer sends requests to " + hostName);
                }
                yield hostName + " is " + state.name() + " at " + String.join(", ", at)
                        + (state == Server.AdminState.DRAIN ? ": no new requests, those in progress finish"
                        : ": it takes requests again");
            }
        };
    }

    public List<HostRuntime> hosts() {
        return List.copyOf(hosts.values());
    }

    public Optional<HostRuntime> host(String name) {
        return Optional.ofNullable(hosts.get(name));
    }

    public Topology topologySpec() {
        return topology;
    }

    public StackContext context() {
        return context;
    }

    // ---------------------------------------------------------------- what the single-server API always offered

    /**
     * The storage tier's settings for a stack: its database lives in {@code <dataDir>/storage}. The backup and
     * restore commands use this too, so that they find the database the stack runs on.
     */
    public static StorageConfig storageConfig(StackConfig config) {
        return StorageConfig.builder()
                .host(config.bindAddress().getHostAddress())
                .port(config.dbPort())
                .dataDir(config.dataDir().resolve("storage"))
                .build();
    }

    /** The main TCP address of every tier started so far, storage first; kept after {@link #close()}. */
    public List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    /** Where one tier listens. */
    public record Endpoint(String tier, InetSocketAddress address) {
    }

    public AdminServer admin() {
        return admin;
    }

    public TraceHub traces() {
        return traces;
    }

    public Metrics metrics() {
        return metrics;
    }

    public StackConfig config() {
        return config;
    }

    /** The first database of the topology (the only one in {@code simple}). */
    public StorageServer storage() {
        return first(Role.DB).map(t -> ((DbTierRuntime) t).server()).orElse(null);
    }

    public AppServer app() {
        return first(Role.APP).map(t -> ((AppTierRuntime) t).server()).orElse(null);
    }

    public WebServer web() {
        return first(Role.WEB).map(t -> ((WebTierRuntime) t).server()).orElse(null);
    }

    public DnsServer dns() {
        return first(Role.DNS).map(t -> ((DnsTierRuntime) t).server()).orElse(null);
    }

    /** The first load balancer, or null in a topology without one. */
    public LoadBalancer balancer() {
        return first(Role.LB).map(t -> ((LbTierRuntime) t).balancer()).orElse(null);
    }

    /**
     * Where clients send HTTP requests for www: the first balancer (its pair's virtual address, when it is one of
     * a pair), or else the first web server.
     */
    public InetSocketAddress front() {
        Optional<TierRuntime> lb = first(Role.LB);
        if (lb.isPresent()) {
            LbTierRuntime balancer = (LbTierRuntime) lb.get();
            return balancer.virtualAddress().map(vip -> new InetSocketAddress(vip, balancer.address().getPort()))
                    .orElse(balancer.address());
        }
        return first(Role.WEB).map(TierRuntime::address).orElse(null);
    }

    private Optional<TierRuntime> first(Role role) {
        return context.tiers(role).stream().findFirst();
    }

    /** Stops every running tier, top down. Safe to call twice, and from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        operations.close();
        if (failover != null) {
            failover.close();
        }
        if (toxiproxy != null) {
            toxiproxy.close(); // with the proxies its clients made; the links' proxies close after the tiers
        }
        if (admin != null) {
            admin.close();
        }
        hosts.values().forEach(HostRuntime::stopMonitoringFromStack);
        for (Role role : List.of(Role.LB, Role.WEB, Role.DNS, Role.APP, Role.DB, Role.MONITOR)) {
            for (TierRuntime tier : context.tiers(role)) {
                if (!started.contains(tier)) {
                    continue;
                }
                try {
                    tier.close();
                } catch (RuntimeException e) {
                    log.warn("stopping {} failed: {}", tier, e.toString());
                }
            }
        }
        for (HostRuntime host : hosts.values()) {
            host.markStoppedFromStack();
        }
        if (links != null) {
            links.close(); // after the tiers: their connections end at the tiers, not at a vanished proxy
        }
    }

    /** A tier did not come up; the message says which, and why. */
    public static final class TierStartException extends RuntimeException {
        private final String tier;

        TierStartException(String tier, Throwable cause) {
            super("the " + tier + " did not start: " + cause.getMessage(), cause);
            this.tier = tier;
        }

        public String tier() {
            return tier;
        }
    }
}
