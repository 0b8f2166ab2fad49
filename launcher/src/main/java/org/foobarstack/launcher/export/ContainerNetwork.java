package org.foobarstack.launcher.export;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.LbVrrp;
import org.foobarstack.topology.Topology;

/**
 * The /24 a design's hosts move to when each runs in a container of its own: {@code 198.18.0.0} for Compose, a
 * slice of the cluster's service addresses for Kubernetes.
 *
 * <p>On one machine a design's hosts live on loopback addresses (127.0.0.11); a container cannot, since its
 * loopback is its own. So every host keeps its last octet on this network instead (127.0.0.11 becomes
 * 198.18.0.11), which is what {@link Topology#renumbered} does, and what {@code foobar-stack host --network} does
 * again inside each container, so that the addresses written in the exported file and those the hosts bind and
 * tell each other are the same ones.
 *
 * @param network the network's first address, {@code a.b.c.0}
 */
public record ContainerNetwork(InetAddress network) {

    /** RFC 2544's benchmarking range: never routed on the internet, so it collides with nothing a machine reaches. */
    public static final String COMPOSE_DEFAULT = "198.18.0.0";
    /** A /24 inside the service range of kubeadm and minikube (10.96.0.0/12) and of kind (10.96.0.0/16). */
    public static final String KUBERNETES_DEFAULT = "10.96.18.0";

    private static final Pattern NETWORK = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.0");

    public ContainerNetwork {
        byte[] bytes = network.getAddress();
        if (bytes.length != 4 || bytes[3] != 0) {
            throw new IllegalArgumentException("not the first address of a /24: " + network.getHostAddress());
        }
    }

    /**
     * {@code 198.18.0.0} as a network; parsed here, since {@link InetAddress#getByName} would ask DNS about
     * anything that is not an address.
     *
     * @throws IllegalArgumentException for anything but the first address of a /24 ({@code a.b.c.0})
     */
    public static ContainerNetwork parse(String text) {
        Matcher m = NETWORK.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not the first address of a /24 (like " + COMPOSE_DEFAULT + "): " + text);
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 3; i++) {
            int octet = Integer.parseInt(m.group(i + 1));
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            bytes[i] = (byte) octet;
        }
        return new ContainerNetwork(address(bytes));
    }

    /** {@code 198.18.0.0/24}. */
    public String cidr() {
        return network.getHostAddress() + "/24";
    }

    /**
     * The design on this network: 1. every host address (and a balancer pair's virtual address) must be a loopback
     * one, which is what the host command moves; 2. it must not end in .0 or .255, which a /24 keeps for itself;
     * 3. {@link Topology#renumbered} moves them, and refuses two hosts that would land on one address
     * (127.0.0.11 and 127.0.1.11).
     *
     * @throws IllegalArgumentException naming the host that cannot move
     */
    public Topology place(Topology design) {
        for (HostSpec host : design.hosts()) {
            requireMovable(host.name(), "address", host.address());
            host.tier(LbTier.class).flatMap(LbTier::vrrp).map(LbVrrp::address)
                    .ifPresent(vip -> requireMovable(host.name(), "virtual address", vip));
        }
        return design.renumbered(network);
    }

    /**
     * The address Docker may take for the network's gateway (its own end of the bridge, {@code .1} unless told
     * otherwise): the highest one no host and no virtual address of {@code placed} uses. The simple design's
     * server-1 is 127.0.0.1, so the default {@code .1} would be taken.
     */
    public InetAddress gateway(Topology placed) {
        Set<Integer> taken = new HashSet<>();
        for (HostSpec host : placed.hosts()) {
            for (InetAddress used : usedBy(host)) {
                taken.add(used.getAddress()[3] & 0xff);
            }
        }
        for (int last = 254; last >= 1; last--) {
            if (!taken.contains(last)) {
                byte[] bytes = network.getAddress();
                bytes[3] = (byte) last;
                return address(bytes);
            }
        }
        throw new IllegalArgumentException("no address left on " + cidr() + " for the network's gateway");
    }

    /** A host's own address and, for a member of a balancer pair, the pair's virtual address. */
    static List<InetAddress> usedBy(HostSpec host) {
        return host.tier(LbTier.class).flatMap(LbTier::vrrp)
                .map(v -> List.of(host.address(), v.address())).orElse(List.of(host.address()));
    }

    private static void requireMovable(String host, String what, InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes[0] != 127) {
            throw new IllegalArgumentException(host + "'s " + what + " " + address.getHostAddress()
                    + " is not a loopback address (127.x.y.z), so it does not move to the containers' network");
        }
        int last = bytes[3] & 0xff;
        if (last == 0 || last == 255) {
            throw new IllegalArgumentException(host + "'s " + what + " " + address.getHostAddress()
                    + " ends in ." + last + ", which a /24 keeps for its network and broadcast addresses");
        }
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException(impossible);
        }
    }
}
