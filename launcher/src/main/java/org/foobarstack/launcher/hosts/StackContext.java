package org.foobarstack.launcher.hosts;

import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every tier of one running topology shares: the topology, the names of its instances, the one trace hub and
 * metrics registry, where data lives, and the directory of tiers, through which a tier finds the address of
 * another ("the app tier of server-1") when it starts.
 *
 * <p>Data directories: the {@code simple} design keeps today's layout, everything straight under the data
 * directory ({@code data/storage}, {@code data/web}); every other design keeps each host apart, under
 * {@code data/<design>/<host>/}, so that two designs never share a database.
 */
public final class StackContext {

    /** The design as it runs now: the file's, plus the hosts {@code scale} added, minus those it removed. */
    private volatile Topology topology;
    private final Path dataRoot;
    private final InstanceNames names;
    private final TraceHub traces;
    private final Metrics metrics;
    private final Map<String, Map<Role, TierRuntime>> tiers = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, TraceRecorder> recorders = new ConcurrentHashMap<>();
    private final Map<String, HostFirewall> firewalls = new ConcurrentHashMap<>();
    private final Optional<DbCluster> dbCluster;
    /**
     * The one host this process runs ({@code foobar-stack host NAME}), or null when it runs them all. The other
     * hosts' tiers are then never started here: they only say where those hosts listen, from the topology.
     */
    private volatile String onlyHost;
    private volatile boolean listenAny;
    /** How a tier reaches another: straight, unless a test routes the links through proxies. */
    private volatile LinkRouter links = LinkRouter.DIRECT;

    public StackContext(Topology topology, Path dataRoot, TraceHub traces, Metrics metrics) {
        this.topology = topology;
        this.dataRoot = dataRoot;
        this.names = new InstanceNames(topology);
        this.traces = traces;
        this.metrics = metrics;
        this.dbCluster = DbCluster.of(topology, dataRoot.resolve(topology.name()));
    }

    /** The databases that replicate, and which is the primary now; empty when no database has a replica. */
    public Optional<DbCluster> dbCluster() {
        return dbCluster;
    }

    public Topology topology() {
        return topology;
    }

    /**
     * The design changed while the stack runs (a host added or removed): the name server's zone and the status
     * pages follow it.
     */
    public void topologyChanged(Topology changed) {
        topology = changed;
        for (HostFirewall firewall : firewalls.values()) {
            firewall.topologyChanged(changed);
        }
    }

    /**
     * From now on this process runs {@code host} alone; every other host is another machine (or process), found
     * only at the address and ports the topology gives it.
     */
    public void runOnly(String host) {
        onlyHost = java.util.Objects.requireNonNull(host, "host");
    }

    /**
     * This process's tiers listen on every address of the machine ({@code 0.0.0.0}) rather than on the host's own,
     * while the topology's address stays the one others use: for a container behind a Kubernetes Service, whose
     * address the container itself does not have. Set before the tiers start.
     */
    public void listenOnAnyAddress() {
        listenAny = true;
    }

    /** Where {@code host}'s tiers bind: its address, or every address with {@link #listenOnAnyAddress}. */
    public InetAddress bindAddress(HostSpec host) {
        return listenAny && runsHere(host) ? ANY : host.address();
    }

    /** Whether this process's tiers listen on every address ({@link #listenOnAnyAddress}). */
    public boolean listensOnAnyAddress() {
        return listenAny;
    }

    /**
     * Where this process checks that one of its own tiers accepts connections: the tier's address, or, when it
     * listens on every address, the same port on 127.0.0.1 (the Service's address may not lead back to itself).
     */
    public InetSocketAddress probeAddress(InetSocketAddress tier) {
        return listenAny ? new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), tier.getPort()) : tier;
    }

    private static final InetAddress ANY = new InetSocketAddress(0).getAddress();

    /** Whether {@code host}'s tiers run in this process (all do, unless {@link #runOnly} said otherwise). */
    public boolean runsHere(HostSpec host) {
        String only = onlyHost;
        return only == null || only.equals(host.name());
    }

    /** The packet filter of {@code host}, shared by all its tiers (one that accepts everything without one). */
    public HostFirewall firewall(HostSpec host) {
        return firewalls.computeIfAbsent(host.name(), name -> {
            HostFirewall firewall = new HostFirewall(host, topology,
                    recorders.computeIfAbsent("firewall " + name, i -> traces.newRecorder("firewall", name)));
            if (firewall.present()) {
                // one series per rule of the file, and one for the default policy, as nft's counters would show
                for (int n = 1; n <= host.firewall().orElseThrow().rules().size(); n++) {
                    int rule = n;
                    metrics.gauge("foobar_firewall_blocked", "Connections and datagrams a host's firewall blocked, "
                            + "by rule (rule=\"default\": the default policy)", List.of("host", "rule"),
                            List.of(name, String.valueOf(rule)), () -> firewall.blocked(rule));
                }
                metrics.gauge("foobar_firewall_blocked", "Connections and datagrams a host's firewall blocked, by "
                        + "rule (rule=\"default\": the default policy)", List.of("host", "rule"),
                        List.of(name, "default"), firewall::blockedByDefault);
            }
            return firewall;
        });
    }

    /**
     * Routes the links between tiers through {@code router} (tests put a proxy on each link this way). Set it before
     * the stack starts: a tier asks when it starts.
     */
    public void routeLinks(LinkRouter router) {
        links = java.util.Objects.requireNonNull(router, "router");
    }

    /** Where {@code from} connects to reach {@code to}, which listens on {@code address}. */
    public InetSocketAddress route(TierRuntime from, TierRuntime to, InetSocketAddress address) {
        return links.route(from, to, address);
    }

    /** The client-driver URL {@code from} uses for the database {@code to}: its host and port routed as above. */
    public String routeJdbcUrl(TierRuntime from, DbTierRuntime to) {
        String url = to.jdbcUrl();
        java.util.regex.Matcher m = JDBC_ADDRESS.matcher(url);
        if (links == LinkRouter.DIRECT || !m.lookingAt()) {
            return url;
        }
        InetSocketAddress routed = route(from, to, new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
        return "jdbc:derby://" + routed.getAddress().getHostAddress() + ":" + routed.getPort() + url.substring(m.end());
    }

    private static final java.util.regex.Pattern JDBC_ADDRESS = java.util.regex.Pattern.compile(
            "jdbc:derby://([^:/]+):(\\d+)");

    /** Forgets the tiers of a host that was removed. */
    public void unregister(String host) {
        tiers.remove(host);
    }

    public InstanceNames names() {
        return names;
    }

    public TraceHub traces() {
        return traces;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Where a host keeps its data. */
    public Path dataDirectory(HostSpec host) {
        return dataDirectory(dataRoot, topology.name(), host.name());
    }

    /** Where host {@code host} of design {@code design} keeps its data under {@code dataRoot}, in any process. */
    public static Path dataDirectory(Path dataRoot, String design, String host) {
        return design.equals("simple") ? dataRoot : dataRoot.resolve(design).resolve(host);
    }

    /**
     * The recorder of a tier instance: one per instance for the stack's whole life, so that a host killed and
     * started again keeps its history on the dashboard.
     */
    public TraceRecorder recorder(Role role, String instance) {
        return recorders.computeIfAbsent(instance, i -> traces.newRecorder(role.key(), i));
    }

    /** Makes a tier findable by its host and role; the stack registers each tier once, before starting any. */
    public void register(TierRuntime tier) {
        tiers.computeIfAbsent(tier.host().name(), h -> new LinkedHashMap<>()).put(tier.role(), tier);
    }

    /** The tier of {@code role} on {@code host}. */
    public TierRuntime tier(String host, Role role) {
        TierRuntime tier = tiers.getOrDefault(host, Map.of()).get(role);
        if (tier == null) {
            throw new IllegalArgumentException(host + " runs no " + role.key() + " tier");
        }
        return tier;
    }

    /** Every tier of one role, in the topology's order. */
    public List<TierRuntime> tiers(Role role) {
        synchronized (tiers) {
            return tiers.values().stream().map(byRole -> byRole.get(role)).filter(t -> t != null).toList();
        }
    }

    public Optional<DnsTierRuntime> nameServer() {
        return tiers(Role.DNS).stream().map(DnsTierRuntime.class::cast).findFirst();
    }
}
