package org.foobarstack.launcher.hosts;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.foobarstack.firewall.Action;
import org.foobarstack.firewall.Block;
import org.foobarstack.firewall.Firewall;
import org.foobarstack.firewall.FirewallHandler;
import org.foobarstack.firewall.Protocol;
import org.foobarstack.firewall.Rule;
import org.foobarstack.firewall.Source;
import org.foobarstack.topology.FirewallSpec;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.trace.TraceRecorder;

/**
 * A host's packet filter, made from the {@code firewall:} of its topology entry and applied by every tier of the
 * host where it accepts a connection or a datagram (a host's own outgoing connections leave from its address, so
 * a rule by source means what it says). Every block is counted per rule, logged, and recorded as a hop of its own
 * ("server-1 firewall rule 2 dropped 127.0.0.10:51234 -> 127.0.0.11:1527"), so that it shows among the requests
 * on the dashboard.
 *
 * <p>Sources written as host names or roles ({@code from: app}) are resolved to addresses from the design as it
 * runs: when {@code scale} adds an app server, the database's rule lets it in too.
 */
public final class HostFirewall {

    /** A source that no packet has: a rule whose hosts or role match no host matches nothing, not everything. */
    private static final Source NOBODY = Source.parse("0.0.0.0");

    private final HostSpec host;
    private final TraceRecorder recorder;
    private volatile Firewall firewall;
    /** The filters replaced when the design changed: their counts still count. */
    private final List<Firewall> retired = new java.util.concurrent.CopyOnWriteArrayList<>();

    HostFirewall(HostSpec host, Topology topology, TraceRecorder recorder) {
        this.host = host;
        this.recorder = recorder;
        this.firewall = build(topology);
    }

    /** Whether the host has a firewall at all (a host without one accepts everything). */
    public boolean present() {
        return host.firewall().isPresent();
    }

    public Firewall current() {
        return firewall;
    }

    /** The rules again, from the design as it is now (a host added or removed changes what a role means). */
    void topologyChanged(Topology topology) {
        if (present()) {
            retired.add(firewall);
            firewall = build(topology);
        }
    }

    /** How many connections or datagrams rule {@code number} of the file blocked, over the run. */
    public long blocked(int number) {
        long total = 0;
        for (Firewall f : allFirewalls()) {
            total += f.blocked(number);
        }
        return total;
    }

    /** How many the default policy blocked, over the run. */
    public long blockedByDefault() {
        long total = 0;
        for (Firewall f : allFirewalls()) {
            total += f.blockedByDefault();
        }
        return total;
    }

    private List<Firewall> allFirewalls() {
        List<Firewall> all = new ArrayList<>(retired);
        all.add(firewall);
        return all;
    }

    /** For a server's accept filter: null when there is no firewall (every connection goes on). */
    public Predicate<Channel> acceptFilter() {
        return present() ? ch -> FirewallHandler.admit(ch, firewall) : null;
    }

    /** For the name server's datagrams; {@code bound} stands in for a recipient the transport did not report. */
    public BiPredicate<InetSocketAddress, InetSocketAddress> datagramFilter(java.util.function.Supplier<InetSocketAddress> bound) {
        return present() ? (from, to) -> firewall.check(Protocol.UDP, from, to != null ? to : bound.get()).accepted()
                : null;
    }

    private Firewall build(Topology topology) {
        Firewall built = rulesOf(host, topology);
        if (host.firewall().isPresent()) {
            built.onBlock(this::record);
        }
        return built;
    }

    /**
     * The packet filter a topology gives {@code host}, with its sources resolved to addresses: what runs, and what
     * {@code foobar-stack firewall export} writes as nftables or iptables rules.
     */
    public static Firewall rulesOf(HostSpec host, Topology topology) {
        if (host.firewall().isEmpty()) {
            return Firewall.open(host.name());
        }
        FirewallSpec spec = host.firewall().get();
        List<Rule> rules = new ArrayList<>();
        // rule 0, before the file's: the host may always reach itself, as `iif lo accept` lets a real server's
        // own traffic through (the launcher's readiness probes come from the host's address)
        rules.add(new Rule(0, Action.ACCEPT, null, 0, List.of(source(host.address())), "the host itself"));
        int number = 0;
        for (FirewallSpec.RuleSpec r : spec.rules()) {
            number++;
            List<Source> sources = new ArrayList<>();
            for (String from : r.from()) {
                sources.addAll(resolve(from, topology));
            }
            if (!r.from().isEmpty() && sources.isEmpty()) {
                sources.add(NOBODY);
            }
            rules.add(new Rule(number, action(r.action()), r.protocol() == null ? null
                    : Protocol.valueOf(r.protocol().toUpperCase(java.util.Locale.ROOT)), r.port(), sources,
                    r.comment()));
        }
        return new Firewall(host.name(), rules, action(spec.defaultPolicy()));
    }

    /** A host's address, every address of a role's hosts, or an address or block as written. */
    private static List<Source> resolve(String from, Topology topology) {
        if (from.equals("any")) {
            return List.of(Source.ANY);
        }
        var named = topology.host(from);
        if (named.isPresent()) {
            return List.of(source(named.get().address()));
        }
        var role = Role.fromKey(from);
        if (role.isPresent()) {
            return topology.hostsWith(role.get()).stream().map(h -> source(h.address())).toList();
        }
        return List.of(Source.parse(from));
    }

    private static Source source(InetAddress address) {
        return Source.parse(address.getHostAddress());
    }

    private static Action action(FirewallSpec.Policy policy) {
        return switch (policy) {
            case ACCEPT -> Action.ACCEPT;
            case DROP -> Action.DROP;
            case REJECT -> Action.REJECT;
        };
    }

    /** A block as a hop of its own, so that it is listed with the requests and can be opened. */
    private void record(Block block) {
        if (!recorder.enabled()) {
            return;
        }
        long now = System.nanoTime();
        recorder.record(Hop.builder(TraceContext.fresh().traceId(),
                        block.protocol() == Protocol.UDP ? org.foobarstack.trace.Protocol.DNS
                                : org.foobarstack.trace.Protocol.TCP, Direction.RECEIVED)
                .tier("firewall", host.name())
                .summary(block.describe())
                .peer(block.from().getAddress().getHostAddress() + ":" + block.from().getPort())
                .timing(now, now)
                .build());
    }
}
