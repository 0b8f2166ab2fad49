package org.foobarstack.topology;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A design of the stack: which hosts there are, and which tiers each of them runs.
 *
 * <p>The single-server stack is a topology of one host running every tier; a distributed design
 * puts a name server, a load balancer and several servers on hosts of their own. A topology is
 * usually read from a YAML file by {@link TopologyLoader}, which says at which line a file breaks
 * a rule. This constructor checks the same wiring rules once more, without line numbers, so that
 * a {@code Topology} value is always well wired, however it was made: host names and addresses
 * are unique, at most one host runs a name server, and every reference names a host that runs the
 * tier referred to.
 *
 * @param name the design's name ({@code simple}, {@code distributed}); same rule as host names
 * @param description what the design shows, first line a summary (may be empty)
 * @param domain the zone the stack serves, {@code foobar.com} by default; every host gets a name in it
 * @param www how the zone publishes {@code www.<domain>}
 * @param hosts the hosts, in the order of the file
 */
public record Topology(String name, String description, String domain, WwwRecord www, List<HostSpec> hosts) {

    public static final String DEFAULT_DOMAIN = "foobar.com";

    public Topology {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(www, "www");
        description = description == null ? "" : description;
        hosts = List.copyOf(hosts);
        if (!HostSpec.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("topology name must match " + HostSpec.NAME + ", got " + name);
        }
        checkWiring(hosts);
    }

    private static void checkWiring(List<HostSpec> hosts) {
        Map<String, HostSpec> byName = new HashMap<>();
        Map<InetAddress, String> byAddress = new HashMap<>();
        String nameServerHost = null;
        for (HostSpec host : hosts) {
            if (byName.put(host.name(), host) != null) {
                throw new IllegalArgumentException("two hosts are named " + host.name());
            }
            String other = byAddress.put(host.address(), host.name());
            if (other != null) {
                throw new IllegalArgumentException(host.name() + " and " + other + " have the same address "
                        + host.address().getHostAddress());
            }
            if (host.runs(Role.DNS)) {
                if (nameServerHost != null) {
                    throw new IllegalArgumentException("both " + nameServerHost + " and " + host.name()
                            + " run a dns tier; the zone has one name server here");
                }
                nameServerHost = host.name();
            }
        }
        for (HostSpec host : hosts) {
            for (TierSpec tier : host.tiers()) {
                for (TierSpec.Reference reference : tier.references()) {
                    HostSpec target = byName.get(reference.host());
                    if (target == null || !target.runs(reference.role())) {
                        throw new IllegalArgumentException("the " + tier.role().key() + " tier on " + host.name()
                                + " refers to " + reference.host() + ", which runs no " + reference.role().key()
                                + " tier");
                    }
                }
            }
        }
    }

    /** The host of that name. */
    /**
     * The primary of the database on {@code dbHost}, as the topology describes it: the host it is a replica of, or
     * itself. (Which database is the primary after a failover is the running stack's business, not the file's.)
     */
    public String primaryOf(String dbHost) {
        return host(dbHost).flatMap(h -> h.tiers().stream().filter(t -> t instanceof DbTier).findFirst())
                .map(t -> ((DbTier) t).replicaOf()).orElse(dbHost);
    }

    /** The hosts whose databases are replicas of {@code primaryHost}'s, in the topology's order. */
    public List<String> replicasOf(String primaryHost) {
        return hosts.stream().filter(h -> h.tiers().stream()
                        .anyMatch(t -> t instanceof DbTier db && primaryHost.equals(db.replicaOf())))
                .map(HostSpec::name).toList();
    }

    public Optional<HostSpec> host(String hostName) {
        return hosts.stream().filter(host -> host.name().equals(hostName)).findFirst();
    }

    /** The hosts that run a tier of this role, in file order. */
    public List<HostSpec> hostsWith(Role role) {
        return hosts.stream().filter(host -> host.runs(role)).toList();
    }

    /** Every tier of this role, each with its host, in file order. */
    public List<Placed<TierSpec>> tiers(Role role) {
        List<Placed<TierSpec>> placed = new ArrayList<>();
        for (HostSpec host : hosts) {
            host.tier(role).ifPresent(tier -> placed.add(new Placed<>(host, tier)));
        }
        return List.copyOf(placed);
    }

    /** Every tier of this type, each with its host, in file order: {@code tiers(WebTier.class)}. */
    public <T extends TierSpec> List<Placed<T>> tiers(Class<T> type) {
        List<Placed<T>> placed = new ArrayList<>();
        for (HostSpec host : hosts) {
            host.tier(type).ifPresent(tier -> placed.add(new Placed<>(host, tier)));
        }
        return List.copyOf(placed);
    }

    /** The zone's name server, if the design has one. */
    public Optional<Placed<DnsTier>> nameServer() {
        return tiers(DnsTier.class).stream().findFirst();
    }

    /** The load balancers, in file order. */
    public List<Placed<LbTier>> balancers() {
        return tiers(LbTier.class);
    }

    /**
     * The addresses {@code www.<domain>} must point at: where clients should connect.
     *
     * <p>With load balancers, the balancers' addresses: the web servers behind them are reached
     * through them. Without, every web server's address; several A records for one name is DNS
     * round robin, where each client picks one address and so the clients spread over the servers,
     * though, unlike with a balancer, a server that is down keeps getting its share of them.
     */
    public List<InetAddress> wwwAddresses() {
        if (balancers().isEmpty()) {
            return tiers(Role.WEB).stream().map(Placed::address).toList();
        }
        // a pair of balancers is reached at its virtual address, whichever of them holds it; balancers on their
        // own at their own addresses (two of them: active-active, by DNS)
        return balancers().stream()
                .map(p -> p.tier().vrrp().map(LbVrrp::address).orElse(p.address()))
                .distinct().toList();
    }

    /**
     * The same design with every port 0, so that the launcher binds free ports and tests never
     * collide with a stack already running; ports that are off stay off. The launcher resolves
     * references to the ports it actually bound.
     */
    public Topology withEphemeralPorts() {
        return withHosts(host -> host.withTiers(host.tiers().stream().map(TierSpec::withEphemeralPorts).toList()));
    }

    /**
     * The same design with every host address {@code 127.a.b.c} moved to {@code 127.a.thirdOctet.c},
     * so that two copies of one design can run side by side in one JVM ({@code 127.0.0.11} and
     * {@code 127.0.7.11}). Names and references do not change; addresses outside 127/8 neither.
     *
     * @throws IllegalArgumentException if {@code thirdOctet} is not 0..255, or if two hosts would
     *     end up on one address
     */
    public Topology relocated(int thirdOctet) {
        if (thirdOctet < 0 || thirdOctet > 255) {
            throw new IllegalArgumentException("thirdOctet must be 0..255, got " + thirdOctet);
        }
        return withHosts(host -> {
            byte[] bytes = host.address().getAddress();
            if (bytes[0] != 127) {
                return host;
            }
            bytes[2] = (byte) thirdOctet;
            HostSpec moved = host.withAddress(numericAddress(bytes));
            // a balancer pair's virtual address moves with its members
            return moved.withTiers(moved.tiers().stream().map(tier -> tier instanceof LbTier lb
                    && lb.vrrp().isPresent() && lb.vrrp().get().address().getAddress()[0] == 127
                    ? lb.withVrrp(lb.vrrp().map(v -> {
                        byte[] vip = v.address().getAddress();
                        vip[2] = (byte) thirdOctet;
                        return v.withAddress(numericAddress(vip));
                    }))
                    : tier).toList());
        });
    }

    /**
     * The same design on another network: every host address {@code 127.x.y.c} becomes {@code a.b.c'.c}, where
     * {@code a.b.c'} are the first three octets of {@code network}, and a balancer pair's virtual address moves with
     * its members. What a design needs to leave the loopback network: its hosts in network namespaces or containers
     * on {@code 198.18.0.0/24} (RFC 2544's benchmarking range, never routed), or behind a Kubernetes cluster's
     * service addresses. Names, ports and references do not change; addresses outside 127/8 neither.
     *
     * @throws IllegalArgumentException if {@code network} is not IPv4, or two hosts would end up on one address
     */
    public Topology renumbered(InetAddress network) {
        byte[] target = network.getAddress();
        if (target.length != 4) {
            throw new IllegalArgumentException("not an IPv4 network: " + network.getHostAddress());
        }
        UnaryOperator<InetAddress> move = address -> {
            byte[] bytes = address.getAddress();
            if (bytes.length != 4 || bytes[0] != 127) {
                return address;
            }
            return numericAddress(new byte[] {target[0], target[1], target[2], bytes[3]});
        };
        // the constructor refuses two hosts on one address
        return withHosts(host -> {
            HostSpec moved = host.withAddress(move.apply(host.address())).withTiers(host.tiers()
                    .stream().map(tier -> tier instanceof LbTier lb && lb.vrrp().isPresent()
                            ? (TierSpec) lb.withVrrp(lb.vrrp().map(v -> v.withAddress(move.apply(v.address()))))
                            : tier).toList());
            // a rule's literal loopback sources move too (127.0.0.1, the operator's machine, becomes .1 of the
            // network: a bridge's own address there); a range wider than a /24 stays as written
            return new HostSpec(moved.name(), moved.address(), moved.description(), moved.tiers(),
                    moved.firewall().map(firewall -> new FirewallSpec(firewall.defaultPolicy(), firewall.rules()
                            .stream().map(rule -> new FirewallSpec.RuleSpec(rule.action(), rule.protocol(), rule.port(),
                                    rule.from().stream().map(source -> movedSource(source, target)).toList(),
                                    rule.comment())).toList())));
        });
    }

    private static final java.util.regex.Pattern LOOPBACK_SOURCE =
            java.util.regex.Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.(\\d{1,3})(/(\\d{1,2}))?");

    /** {@code 127.x.y.c[/n]} on the network {@code target} (n at least 24); anything else as it is. */
    private static String movedSource(String source, byte[] target) {
        java.util.regex.Matcher m = LOOPBACK_SOURCE.matcher(source);
        if (!m.matches() || (m.group(3) != null && Integer.parseInt(m.group(3)) < 24)) {
            return source;
        }
        return (target[0] & 0xff) + "." + (target[1] & 0xff) + "." + (target[2] & 0xff) + "." + m.group(1)
                + (m.group(2) == null ? "" : m.group(2));
    }

    /**
     * The same design with one more host; when it runs a web tier, every load balancer gets it as one more server
     * (what {@code scale} does while the stack runs).
     *
     * @throws IllegalArgumentException if its name or address is taken, or it refers to what does not exist
     */
    public Topology withHost(HostSpec added) {
        List<HostSpec> all = new ArrayList<>();
        for (HostSpec host : hosts) {
            all.add(added.runs(Role.WEB) ? withBalancedServers(host, servers -> {
                List<LbServer> more = new ArrayList<>(servers);
                more.add(LbServer.of(added.name()));
                return more;
            }) : host);
        }
        all.add(added);
        return new Topology(name, description, domain, www, all);
    }

    /**
     * The same design without one host, and without it in any balancer's list of servers.
     *
     * @throws IllegalArgumentException if another host's tier still refers to it
     */
    public Topology withoutHost(String removed) {
        List<HostSpec> rest = new ArrayList<>();
        for (HostSpec host : hosts) {
            if (!host.name().equals(removed)) {
                rest.add(withBalancedServers(host, servers -> servers.stream()
                        .filter(server -> !server.host().equals(removed)).toList()));
            }
        }
        return new Topology(name, description, domain, www, rest);
    }

    /** The same design with every app tier's emulated capacity set to {@code capacity}. */
    public Topology withAppCapacity(AppTier.Capacity capacity) {
        return withHosts(host -> host.withTiers(host.tiers().stream()
                .map(tier -> tier instanceof AppTier app
                        ? (TierSpec) new AppTier(app.port(), app.dbHost(), app.version(), Optional.of(capacity))
                        : tier)
                .toList()));
    }

    /**
     * The lowest free address after {@code near} in its /24 (127.0.0.13 after 127.0.0.11 when 127.0.0.12 is
     * taken): where a new host goes, next to the one it copies, so that a design that numbers its tiers by range
     * (web servers at .2x, app servers at .3x) keeps doing so. An address is taken when a host or a balancer
     * pair's virtual address uses it.
     */
    public InetAddress nextFreeAddress(InetAddress near) {
        byte[] base = near.getAddress();
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (HostSpec host : hosts) {
            List<InetAddress> used = new ArrayList<>(List.of(host.address()));
            host.tier(LbTier.class).flatMap(LbTier::vrrp).ifPresent(v -> used.add(v.address()));
            for (InetAddress address : used) {
                byte[] a = address.getAddress();
                if (a.length == 4 && a[0] == base[0] && a[1] == base[1] && a[2] == base[2]) {
                    taken.add(a[3] & 0xff);
                }
            }
        }
        for (int last = (base[3] & 0xff) + 1; last <= 254; last++) {
            if (!taken.contains(last)) {
                byte[] next = base.clone();
                next[3] = (byte) last;
                return numericAddress(next);
            }
        }
        throw new IllegalArgumentException("no free address left after " + near.getHostAddress());
    }

    private static HostSpec withBalancedServers(HostSpec host, UnaryOperator<List<LbServer>> change) {
        return host.withTiers(host.tiers().stream()
                .map(tier -> tier instanceof LbTier lb ? (TierSpec) lb.withServers(change.apply(lb.servers())) : tier)
                .toList());
    }

    private Topology withHosts(UnaryOperator<HostSpec> change) {
        return new Topology(name, description, domain, www, hosts.stream().map(change).toList());
    }

    /** Four bytes to an address; {@code getByAddress} never asks DNS, and cannot fail on four bytes. */
    static InetAddress numericAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException("not an IPv4 address: " + bytes.length + " bytes", impossible);
        }
    }
}
