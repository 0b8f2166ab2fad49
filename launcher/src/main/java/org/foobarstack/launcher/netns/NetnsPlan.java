package org.foobarstack.launcher.netns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.foobarstack.firewall.NftablesExport;
import org.foobarstack.launcher.hosts.HostFirewall;
import org.foobarstack.launcher.processes.ProcessStack;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.LbVrrp;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;

/**
 * What {@code up --netns} does to the kernel, worked out before anything is done: for a design and a /24, every
 * namespace, veth pair and address, and the exact commands, in order, that bring them up and take them down. It runs
 * nothing, so a test or a learner can read it whole ({@code up} echoes each command as it runs it).
 *
 * <p>The layout, on {@value #DEFAULT_NETWORK_TEXT}/24 by default (RFC 2544's benchmarking range, 198.18.0.0/15,
 * which no one routes, so nothing here can be mistaken for a real network):
 * <pre>
 *   root namespace: bridge fbs0, 198.18.0.1/24 (this shell, the supervisor and its admin server, a browser)
 *     |-- veth fbs-ns1      ==  eth0 198.18.0.2/24    in namespace fbs-ns1
 *     |-- veth fbs-lb-1     ==  eth0 198.18.0.10/24   in namespace fbs-lb-1
 *     |-- ...
 *     `-- veth fbs-client   ==  eth0 198.18.0.254/24  in namespace fbs-client (dig and curl as a visitor)
 * </pre>
 * Each host keeps the last octet of its address in the design (127.0.0.11 becomes 198.18.0.11, as
 * {@link Topology#renumbered} moves it), so the design's drawing still reads right.
 *
 * <p>The steps, for each namespace in the design's order, then the client's:
 * <ol>
 *   <li>{@code ip netns add}, then {@code lo} up: a new namespace has only a loopback interface, and it is down;
 *   <li>for a host with a firewall, its rules as nftables loaded inside the namespace, before it has any cable, as
 *       a server loads its packet filter before it brings up its network;
 *   <li>the veth pair, created with its inner end already in the namespace (so that the name eth0 never meets the
 *       root namespace's own eth0), its outer end on the bridge, the address on eth0, and both ends up.
 * </ol>
 * The bridge comes first, and goes last: tearing down is removing what was made, newest first.
 *
 * <p>A balancer pair's virtual address is moved and checked like a host's, but nothing in the plan makes it
 * reachable: see {@link UpCommand}, which refuses such a design.
 */
public record NetnsPlan(Topology design, InetAddress network, InetAddress bridgeAddress, List<Namespace> namespaces,
                        List<Step> up) {

    /** The bridge in the root namespace. */
    public static final String BRIDGE = "fbs0";
    /** What every namespace and every outer veth end is named with, so that {@code down} can find them. */
    public static final String PREFIX = "fbs-";
    /** The client's namespace is {@code fbs-client}. */
    public static final String CLIENT = "client";
    static final String DEFAULT_NETWORK_TEXT = "198.18.0.0";
    /** RFC 2544's benchmarking range (198.18.0.0/15): never routed, meant for exactly this. */
    public static final InetAddress DEFAULT_NETWORK = address(198, 18, 0, 0);
    static final int BRIDGE_OCTET = 1;
    static final int CLIENT_OCTET = 254;
    private static final String SUPERVISOR_RULE = "not in the design: the supervisor (up --netns) probes the tiers "
            + "and collects the host's hops from the bridge";

    public NetnsPlan {
        namespaces = List.copyOf(namespaces);
        up = List.copyOf(up);
    }

    /**
     * The plan for {@code original} moved to {@code network}.
     *
     * @param original the design as written (on 127.0.0.x)
     * @param network  a /24, written with its last octet 0 ({@code 198.18.0.0})
     * @throws IllegalArgumentException when the design does not fit: a host on .1 (the bridge's) or .254 (the
     *                                  client's), a host named {@value #CLIENT}, an address outside the network
     */
    public static NetnsPlan of(Topology original, InetAddress network) {
        byte[] net = network.getAddress();
        if (!(network instanceof Inet4Address) || net[3] != 0) {
            throw new IllegalArgumentException("the network is an IPv4 /24 written A.B.C.0, not "
                    + network.getHostAddress());
        }
        Topology design = original.renumbered(network);
        InetAddress bridge = address(net[0], net[1], net[2], BRIDGE_OCTET);
        List<Namespace> namespaces = new ArrayList<>();
        Set<String> vethNames = new HashSet<>(Set.of(BRIDGE, PREFIX + CLIENT));
        for (HostSpec host : design.hosts()) {
            if (host.name().equals(CLIENT)) {
                throw new IllegalArgumentException("a host named " + CLIENT + ": that namespace is the visitor's");
            }
            int octet = hostOctet("host " + host.name(), host.address(), network);
            String veth = vethName(host.name(), octet);
            if (!vethNames.add(veth)) {
                throw new IllegalArgumentException("two interfaces would be named " + veth);
            }
            namespaces.add(new Namespace(host.name(), PREFIX + host.name(), veth, host.address()));
            virtualAddress(host).ifPresent(vip -> hostOctet(host.name() + "'s virtual address", vip, network));
        }
        namespaces.add(new Namespace(CLIENT, PREFIX + CLIENT, PREFIX + CLIENT,
                address(net[0], net[1], net[2], CLIENT_OCTET)));

        List<Step> steps = new ArrayList<>();
        steps.add(Step.making(new NetObject(NetObject.Kind.BRIDGE, BRIDGE),
                List.of("ip", "link", "add", BRIDGE, "type", "bridge")));
        steps.add(Step.of(List.of("ip", "addr", "add", bridge.getHostAddress() + "/24", "dev", BRIDGE)));
        steps.add(Step.of(List.of("ip", "link", "set", BRIDGE, "up")));
        for (Namespace ns : namespaces) {
            steps.add(Step.making(new NetObject(NetObject.Kind.NAMESPACE, ns.name()),
                    List.of("ip", "netns", "add", ns.name())));
            steps.add(Step.of(List.of("ip", "-n", ns.name(), "link", "set", "lo", "up")));
            Optional<HostSpec> host = ns.client() ? Optional.empty() : design.host(ns.host());
            if (host.isPresent() && host.get().firewall().isPresent()) {
                String rules = ruleset(host.get(), design, bridge);
                steps.add(Step.reading(rules, host.get().name() + "'s firewall as nftables rules ("
                                + rules.lines().count() + " lines)",
                        List.of("ip", "netns", "exec", ns.name(), "nft", "-f", "-")));
            }
            steps.add(Step.making(new NetObject(NetObject.Kind.VETH, ns.veth()),
                    List.of("ip", "link", "add", ns.veth(), "type", "veth", "peer", "name", "eth0", "netns",
                            ns.name())));
            steps.add(Step.of(List.of("ip", "link", "set", ns.veth(), "master", BRIDGE)));
            steps.add(Step.of(List.of("ip", "link", "set", ns.veth(), "up")));
            steps.add(Step.of(List.of("ip", "-n", ns.name(), "addr", "add", ns.address().getHostAddress() + "/24",
                    "dev", "eth0")));
            steps.add(Step.of(List.of("ip", "-n", ns.name(), "link", "set", "eth0", "up")));
        }
        return new NetnsPlan(design, network, bridge, namespaces, steps);
    }

    /** The steps that take everything down, newest first: one removal for each thing {@link #up} makes. */
    public List<Step> down() {
        return teardownOf(up);
    }

    /**
     * The removals for what {@code done} made, newest first: after a start that failed half way, only what was made
     * is removed.
     */
    public static List<Step> teardownOf(List<Step> done) {
        List<Step> removals = new ArrayList<>();
        for (int i = done.size() - 1; i >= 0; i--) {
            done.get(i).creates().ifPresent(made -> removals.add(made.removal()));
        }
        return removals;
    }

    /** Every namespace but the client's, in the design's order. */
    public List<Namespace> hosts() {
        return namespaces.stream().filter(ns -> !ns.client()).toList();
    }

    public Namespace client() {
        return namespaces.stream().filter(Namespace::client).findFirst().orElseThrow();
    }

    public Optional<Namespace> namespaceOf(String host) {
        return namespaces.stream().filter(ns -> ns.host().equals(host)).findFirst();
    }

    /** What runs a command in {@code host}'s namespace: {@code ip netns exec fbs-HOST}. */
    public List<String> prefix(String host) {
        return List.of("ip", "netns", "exec", namespaceOf(host).orElseThrow().name());
    }

    /** Whether an interface or namespace named so is one that {@code up} makes (what {@code down} removes). */
    public static boolean ours(String name) {
        return name.equals(BRIDGE) || name.startsWith(PREFIX);
    }

    /**
     * The outer end's name: {@code fbs-} and the host's name when that fits in 15 characters; else the name's first
     * seven characters and the host's last octet ({@code fbs-databas-41}), which no other host shares.
     */
    static String vethName(String host, int octet) {
        String whole = PREFIX + host;
        return whole.length() <= Namespace.MAX_INTERFACE_NAME ? whole
                : PREFIX + host.substring(0, 7) + "-" + octet;
    }

    /**
     * A host's firewall as {@code foobar-stack firewall export} writes it, for the design moved to the network, and
     * one rule more at the top of its chain, which the design does not have: the supervisor, on the bridge's
     * address, may connect to the host's tiers' main ports and to the host's own admin API. On loopback its probes
     * connect whatever the rules say (the kernel completes the handshake and the emulated firewall judges the
     * connection after it), and nothing filters the admin API's port; with real rules in the kernel the probes would
     * time out, the dashboard would show every guarded tier down, and no hop of the host would reach the traces.
     */
    static String ruleset(HostSpec host, Topology design, InetAddress bridge) {
        String rules = NftablesExport.render(host.name(), host.address(), HostFirewall.rulesOf(host, design));
        List<Integer> ports = new ArrayList<>(host.tiers().stream().map(TierSpec::port).filter(p -> p > 0).toList());
        ports.add(ProcessStack.HOST_ADMIN_PORT);
        String table = "inet foobar_" + host.name().replaceAll("[^A-Za-z0-9_]", "_");
        String dports = "{ " + ports.stream().distinct().map(String::valueOf).collect(Collectors.joining(", "))
                + " }";
        return rules + "# " + SUPERVISOR_RULE + "\n"
                + "insert rule " + table + " input ip saddr " + bridge.getHostAddress() + " ip daddr "
                + host.address().getHostAddress() + " tcp dport " + dports + " counter accept comment \""
                + SUPERVISOR_RULE + "\"\n";
    }

    private static Optional<InetAddress> virtualAddress(HostSpec host) {
        return host.tier(LbTier.class).flatMap(LbTier::vrrp).map(LbVrrp::address);
    }

    /** The last octet of an address that must be a host's in the network: not the bridge's, nor the client's. */
    private static int hostOctet(String what, InetAddress address, InetAddress network) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != 4 || a[0] != n[0] || a[1] != n[1] || a[2] != n[2]) {
            throw new IllegalArgumentException(what + " is at " + address.getHostAddress() + ", outside "
                    + network.getHostAddress() + "/24 (only the design's 127.0.0.x addresses move there)");
        }
        int octet = a[3] & 0xff;
        if (octet == 0 || octet == 255 || octet == BRIDGE_OCTET || octet == CLIENT_OCTET) {
            throw new IllegalArgumentException(what + " would be at " + address.getHostAddress() + ", which is "
                    + switch (octet) {
                        case BRIDGE_OCTET -> "the bridge's (this machine's side of the network)";
                        case CLIENT_OCTET -> "the client's";
                        default -> "not a host's address in a /24";
                    });
        }
        return octet;
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an address", e);
        }
    }
}
