package org.foobarstack.launcher.hosts;

import java.nio.file.Path;
import org.foobarstack.http.tls.LocalCertificateAuthority;
import org.foobarstack.http.tls.TlsContexts;
import org.foobarstack.admin.BalancerStatus;
import org.foobarstack.admin.TierProbe;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.lb.LoadBalancer;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.backend.ServerStats;
import org.foobarstack.lb.config.Algorithm;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.Mode;
import org.foobarstack.lb.config.RetryOn;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.config.Timeouts;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbServer;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.LbVrrp;
import org.foobarstack.vrrp.State;
import org.foobarstack.vrrp.Transition;
import org.foobarstack.vrrp.VrrpConfig;
import org.foobarstack.vrrp.VrrpInstance;
import org.foobarstack.topology.Role;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lb tier of a host: a load balancer in front of the web tiers of the hosts its topology lists. Each server
 * is named after the web tier it reaches ({@code web-2}), the way a HAProxy configuration names its servers.
 */
public final class LbTierRuntime extends ServerTierRuntime<LoadBalancer> {

    private final LbTier lb;
    private int boundStatsPort;
    private int boundHttpsPort;
    /** What an operator set on each server (drain, maint), kept across restarts of the balancer itself. */
    private final Map<String, Server.AdminState> adminStates = new java.util.concurrent.ConcurrentHashMap<>();

    /** The servers now: the topology's, plus those added while the stack runs, minus those removed. */
    private final List<LbServer> servers;

    public LbTierRuntime(StackContext stack, HostSpec host, LbTier spec) {
        super(stack, host, spec, LoadBalancer::kill, LoadBalancer::close, LoadBalancer::running);
        this.lb = spec;
        this.servers = new java.util.concurrent.CopyOnWriteArrayList<>(spec.servers());
    }

    /** Whether {@code webHost}'s web tier is one of this balancer's servers. */
    public boolean balances(String webHost) {
        return servers.stream().anyMatch(s -> s.host().equals(webHost));
    }

    /** The hosts whose web tiers are this balancer's servers, in order. */
    public List<String> serverHosts() {
        return servers.stream().map(LbServer::host).toList();
    }

    /**
     * Adds {@code webHost}'s web tier as a server (HAProxy's {@code add server}): it takes requests once its health
     * check has risen, not before.
     */
    public void addServer(String webHost) {
        LbServer added = LbServer.of(webHost);
        servers.add(added);
        LoadBalancer current = balancer();
        if (current != null && current.running()) {
            current.addServer(serverConfig(added));
        }
    }

    /**
     * Removes {@code webHost}'s server (HAProxy's {@code del server}); the balancer refuses unless it is in MAINT
     * with no session left, so drain it first.
     */
    public void removeServer(String webHost) {
        String name = stack.tier(webHost, Role.WEB).instance();
        LoadBalancer current = balancer();
        if (current != null && current.running()) {
            current.removeServer(name);
        }
        servers.removeIf(s -> s.host().equals(webHost));
        adminStates.remove(name);
    }

    /** The balancer's counters for {@code webHost}'s server now; empty when the balancer is down or has none. */
    public Optional<ServerStats> serverStats(String webHost) {
        LoadBalancer current = balancer();
        if (current == null || !current.running() || !balances(webHost)) {
            return Optional.empty();
        }
        return current.backend().server(stack.tier(webHost, Role.WEB).instance()).map(Server::stats);
    }

    @Override
    protected List<TierStatus.Reference> references() {
        return servers.stream().map(s -> new TierStatus.Reference(s.host(), Role.WEB.key())).toList();
    }

    private ServerConfig serverConfig(LbServer server) {
        WebTierRuntime web = (WebTierRuntime) stack.tier(server.host(), Role.WEB);
        // encrypted again to the servers: their HTTPS port; else their plain HTTP port
        InetSocketAddress address = lb.tls().toServers() ? web.httpsAddress() : web.address();
        if (address == null) {
            throw new IllegalStateException(lb.tls().toServers() ? server.host() + "'s web server has no https-port, "
                    + "and this balancer encrypts again to its servers (https: { to-servers: tls })" : "");
        }
        return new ServerConfig(web.instance(), stack.route(this, web, address), server.weight(), server.backup(),
                server.check());
    }

    /**
     * The balancer's side of HTTPS (HAProxy's {@code bind :8443 ssl crt ...}): a certificate for the site's names
     * from a local certificate authority kept in {@code <host dir>/lb/tls} (a client trusts {@code ca.pem} there),
     * and, when it encrypts again to the servers, the authorities of the web servers as the only ones it trusts.
     */
    private void configureTls(BalancerConfig.Builder builder) {
        if (!lb.tls().enabled()) {
            return;
        }
        String domain = stack.topology().domain();
        try {
            LocalCertificateAuthority ca = LocalCertificateAuthority.openOrCreate(tlsDirectory(),
                    List.of(domain, "www." + domain));
            builder.tls(TlsContexts.forServer(ca))
                    .httpsPort(portToBind(boundHttpsPort, lb.tls().port()))
                    .redirectToHttps(lb.tls().redirect())
                    .hsts(lb.tls().hstsMaxAge() > 0 ? Duration.ofSeconds(lb.tls().hstsMaxAge()) : null);
            if (lb.tls().toServers()) {
                // each web server has a local authority of its own: the balancer trusts those, and nothing else
                java.io.ByteArrayOutputStream trusted = new java.io.ByteArrayOutputStream();
                for (LbServer server : servers) {
                    Path caFile = stack.dataDirectory(stack.topology().host(server.host()).orElseThrow())
                            .resolve("web").resolve("tls").resolve("ca.pem");
                    trusted.write(java.nio.file.Files.readAllBytes(caFile));
                }
                builder.backendTls(io.netty.handler.ssl.SslContextBuilder.forClient()
                                .trustManager(new java.io.ByteArrayInputStream(trusted.toByteArray())).build())
                        .backendServerName("www." + domain);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the balancer's TLS: " + e.getMessage(), e);
        }
    }

    /** The HTTPS address, or null when the balancer speaks plain HTTP only. */
    public synchronized InetSocketAddress httpsAddress() {
        return lb.tls().enabled() ? new InetSocketAddress(host.address(), portToBind(boundHttpsPort, lb.tls().port()))
                : null;
    }

    /** Where a client finds the certificate authority to trust for the balancer's HTTPS, or null. */
    public Path caCertificate() {
        return lb.tls().enabled() ? tlsDirectory().resolve("ca.pem") : null;
    }

    /**
     * Where the site's certificate and its authority are kept: {@code <host dir>/lb/tls}. The two balancers of a
     * pair serve one certificate, the first member's (as both would hold the site's one certificate in real life),
     * so a browser that trusts it keeps trusting the site after the virtual address moves.
     */
    Path tlsDirectory() {
        HostSpec keeper = lb.vrrp().flatMap(mine -> pairMembers(mine).findFirst()
                .map(org.foobarstack.topology.Placed::host)).orElse(host);
        return stack.dataDirectory(keeper).resolve("lb").resolve("tls");
    }

    // ---------------------------------------------------------------- a balancer pair (keepalived's VRRP)

    /** This run's place in the pair; null for a balancer on its own, or before the first start. */
    private volatile VrrpInstance vrrp;
    /** Every change of this balancer's VRRP state, newest last, for the dashboard and demos. */
    private final List<Transition> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Who hears each transition, across restarts (each start makes a new VRRP instance). */
    private final List<java.util.function.Consumer<Transition>> vrrpListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Calls {@code listener} with every VRRP transition of this balancer from now on, on the VRRP thread. */
    public void onVrrpTransition(java.util.function.Consumer<Transition> listener) {
        vrrpListeners.add(listener);
    }

    /** The pair's virtual address, when this balancer is one of a pair. */
    public Optional<java.net.InetAddress> virtualAddress() {
        return lb.vrrp().map(LbVrrp::address);
    }

    /** Its VRRP priority and whether it takes the address back from a lower one (preempt); empty on its own. */
    public Optional<LbVrrp> vrrpSettings() {
        return lb.vrrp();
    }

    /** Its VRRP state now (MASTER holds the virtual address); empty for a balancer on its own. */
    public Optional<State> vrrpState() {
        VrrpInstance current = vrrp;
        return current == null ? Optional.empty() : Optional.of(current.state());
    }

    /** A transition's time of day on the dashboard, as keepalived's log lines start. */
    private static final java.time.format.DateTimeFormatter TIME_OF_DAY = java.time.format.DateTimeFormatter
            .ofPattern("HH:mm:ss.SSS").withZone(java.time.ZoneId.systemDefault());

    /** Its VRRP transitions so far, oldest first. */
    public List<Transition> vrrpTransitions() {
        return List.copyOf(transitions);
    }

    /** The other members of its pair: their address and advertisement port (keepalived's unicast_peer). */
    private List<InetSocketAddress> vrrpPeers(LbVrrp mine) {
        return pairMembers(mine).filter(p -> !p.host().name().equals(host.name()))
                .map(p -> new InetSocketAddress(p.address(), p.tier().vrrp().orElseThrow().port()))
                .toList();
    }

    /** Every balancer of the design in the pair {@code mine} names (its router id), this one included. */
    private java.util.stream.Stream<org.foobarstack.topology.Placed<LbTier>> pairMembers(LbVrrp mine) {
        return stack.topology().balancers().stream()
                .filter(p -> p.tier().vrrp().map(v -> v.routerId() == mine.routerId()).orElse(false));
    }

    /**
     * Joins the pair: 1. an instance of the election, on this host's address; 2. when it becomes MASTER, the
     * balancer listens on the virtual address too (its ports and frontend, as on its own address); 3. when it
     * leaves MASTER, or is killed, it lets go of it, and the other member can take it.
     */
    private void joinPair(LoadBalancer balancer, LbVrrp mine) {
        VrrpConfig config = VrrpConfig.builder("VI_" + mine.routerId())
                .virtualRouterId(mine.routerId())
                .priority(mine.priority())
                .advertInterval(mine.advertInterval())
                .preempt(mine.preempt())
                .local(new InetSocketAddress(host.address(), mine.port()))
                .peers(vrrpPeers(mine))
                .virtualAddress(mine.address())
                .build();
        VrrpInstance instance = new VrrpInstance(config, address -> {
            try {
                balancer.listenOn(address);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, balancer::stopListeningOn);
        // the host's firewall judges each advertisement as it judges the name server's datagrams: a pair whose
        // rules drop each other's advertisements splits in two, each member believing the other dead
        var filter = stack.firewall(host).datagramFilter(() -> new InetSocketAddress(host.address(), mine.port()));
        if (filter != null) {
            instance.admitting(filter);
        }
        instance.onStateChange(transition -> { // the instance logs each one itself
            transitions.add(transition);
            vrrpListeners.forEach(listener -> listener.accept(transition));
        });
        instance.start();
        vrrp = instance;
    }

    @Override
    protected void beforeStop(boolean graceful) {
        VrrpInstance current = vrrp;
        if (current != null) {
            if (graceful) {
                current.close(); // priority 0: the backup takes over after its skew, not three intervals
            } else {
                current.kill(); // a crash: silence, and the address let go with the listener
            }
            vrrp = null;
        }
    }

    /** The balancer's configuration, in HAProxy's terms, built from the topology. */
    BalancerConfig config() {
        List<ServerConfig> configs = new ArrayList<>();
        for (LbServer server : servers) {
            configs.add(serverConfig(server));
        }
        Set<RetryOn> retryOn = EnumSet.noneOf(RetryOn.class);
        for (org.foobarstack.topology.RetryOn condition : lb.retryOn()) {
            retryOn.add(RetryOn.fromKeyword(condition.key()));
        }
        return BalancerConfig.builder()
                .name(instance)
                .bindAddress(stack.bindAddress(host).getHostAddress())
                .port(portToBind())
                .statsPort(lb.hasStats() ? portToBind(boundStatsPort, lb.statsPort()) : BalancerConfig.NO_STATS)
                .mode(lb.mode() == org.foobarstack.topology.LbMode.TCP ? Mode.TCP : Mode.HTTP)
                .algorithm(Algorithm.fromKeyword(lb.balance().key()))
                .servers(configs)
                .check(new HealthCheckConfig(lb.check().type() == org.foobarstack.topology.CheckType.TCP
                        ? HealthCheckConfig.CheckType.TCP : HealthCheckConfig.CheckType.HTTP,
                        lb.check().path(), lb.check().inter(), lb.check().timeout(), lb.check().rise(),
                        lb.check().fall()))
                .retries(lb.retries())
                .redispatch(lb.redispatch())
                .retryOn(retryOn)
                .timeouts(new Timeouts(lb.timeouts().connect(), lb.timeouts().server(), lb.timeouts().client()))
                .traceRecorder(stack.recorder(Role.LB, instance))
                .metrics(stack.metrics())
                .build();
    }

    @Override
    public void start() {
        BalancerConfig.Builder builder = config().toBuilder().acceptFilter(stack.firewall(host).acceptFilter());
        configureTls(builder);
        LoadBalancer fresh = new LoadBalancer(builder.build());
        try {
            fresh.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        adminStates.forEach((server, state) -> fresh.setState(server, state));
        synchronized (this) {
            boundStatsPort = fresh.statsAddress() == null ? 0 : fresh.statsAddress().getPort();
            boundHttpsPort = fresh.httpsAddress() == null ? 0 : fresh.httpsAddress().getPort();
        }
        started(fresh, fresh.address().getPort());
        lb.vrrp().ifPresent(mine -> joinPair(fresh, mine));
    }

    /** The balancer of the current run, or null before the first start. */
    public LoadBalancer balancer() {
        return server();
    }

    /** Sets the state of the server that is {@code host}'s web tier; false when this balancer has no such server. */
    public boolean setState(String webHost, Server.AdminState state) {
        if (!balances(webHost)) {
            return false;
        }
        String name = stack.tier(webHost, Role.WEB).instance();
        adminStates.put(name, state);
        LoadBalancer current = balancer();
        if (current != null && current.running()) {
            current.setState(name, state);
        }
        return true;
    }

    /** The stats page's address, or null. */
    public synchronized InetSocketAddress statsAddress() {
        return lb.hasStats() ? new InetSocketAddress(host.address(), portToBind(boundStatsPort, lb.statsPort()))
                : null;
    }

    @Override
    public TierStatus status(Duration probeTimeout) {
        InetSocketAddress address = address();
        LoadBalancer current = balancer();
        List<String> endpoints = new ArrayList<>();
        endpoints.add(hostPort(address) + "/tcp " + (lb.mode() == org.foobarstack.topology.LbMode.TCP ? "tcp" : "http"));
        InetSocketAddress https = httpsAddress();
        if (https != null) {
            endpoints.add(hostPort(https) + "/tcp https" + (lb.tls().toServers() ? " (tls to the servers too)"
                    : " (plain http to the servers)"));
        }
        InetSocketAddress stats = statsAddress();
        if (stats != null) {
            endpoints.add(hostPort(stats) + "/tcp stats");
        }
        lb.vrrp().ifPresent(v -> endpoints.add(v.address().getHostAddress() + " virtual ("
                + vrrpState().map(state -> state.name()).orElse("not running") + ", priority " + v.priority()
                + ", VRRP " + host.address().getHostAddress() + ":" + v.port() + "/udp)"));
        boolean up = current != null && current.running() && TierProbe.tcp(address, probeTimeout);
        long requests = current == null ? 0 : current.stats().frontend().requests();
        return new TierStatus("lb", instance, "load balancer", lb.mode() == org.foobarstack.topology.LbMode.TCP
                ? "TCP (layer 4)" : "HTTP/1.1 (layer 7)", endpoints, up, Map.of("requests", requests), references());
    }

    /** The balancer's view of its servers, for the dashboard. */
    public BalancerStatus balancerStatus() {
        LoadBalancer current = balancer();
        InetSocketAddress stats = statsAddress();
        List<BalancerStatus.Server> statuses = new ArrayList<>();
        for (LbServer listed : servers) {
            TierRuntime web = stack.tier(listed.host(), Role.WEB);
            ServerStats s = current == null || !current.running() ? null
                    : current.backend().server(web.instance()).map(Server::stats).orElse(null);
            statuses.add(new BalancerStatus.Server(web.instance(), listed.host(), hostPort(web.address()),
                    s == null ? "unknown (balancer down)" : s.status(), s != null && s.up(),
                    s == null ? adminStates.getOrDefault(web.instance(), Server.AdminState.READY).name()
                            : s.adminState().name(),
                    s == null ? 0 : s.current(), s == null ? 0 : s.total(),
                    s == null ? "" : (s.checked() ? s.lastCheck().describe() : "no check"),
                    s == null ? -1 : s.downSinceMillis()));
        }
        BalancerStatus.Vrrp pair = lb.vrrp().map(v -> new BalancerStatus.Vrrp(v.address().getHostAddress(),
                vrrpState().map(State::name).orElse("stopped"), v.priority(), v.preempt(),
                lastTransitions(5))).orElse(null);
        return new BalancerStatus(instance, host.name(), lb.balance().key(),
                stats == null ? null : "http://" + hostPort(stats) + "/stats", statuses, pair);
    }

    /** Its last {@code n} VRRP transitions as keepalived logs them, each after its time of day. */
    private List<String> lastTransitions(int n) {
        List<Transition> all = vrrpTransitions();
        return all.subList(Math.max(0, all.size() - n), all.size()).stream()
                .map(t -> TIME_OF_DAY.format(java.time.Instant.ofEpochMilli(t.atMillis())) + " " + t.describe())
                .toList();
    }
}
