package org.foobarstack.launcher.export;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbVrrp;
import org.foobarstack.topology.Placed;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.Topology;

/**
 * Balancers that share a virtual address (keepalived's VRRP), as the scaled design's lb-1 and lb-2 share
 * 127.0.0.100. Containers hold their own addresses only, so each exported file says what becomes of it.
 *
 * @param address  the virtual address
 * @param routerId the pair's VRRP router id
 * @param members  the balancers' hosts, in the design's order
 */
public record BalancerPair(InetAddress address, int routerId, List<HostSpec> members) {

    public BalancerPair {
        members = List.copyOf(members);
    }

    /** The design's pairs, in the order of their first members. */
    public static List<BalancerPair> of(Topology design) {
        Map<InetAddress, BalancerPair> pairs = new LinkedHashMap<>();
        for (Placed<LbTier> balancer : design.balancers()) {
            balancer.tier().vrrp().ifPresent((LbVrrp vrrp) -> pairs.merge(vrrp.address(),
                    new BalancerPair(vrrp.address(), vrrp.routerId(), List.of(balancer.host())),
                    (pair, more) -> new BalancerPair(pair.address, pair.routerId,
                            java.util.stream.Stream.concat(pair.members.stream(), more.members.stream()).toList())));
        }
        return List.copyOf(pairs.values());
    }

    /** {@code lb-1 and lb-2}. */
    public String names() {
        List<String> names = members.stream().map(HostSpec::name).toList();
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
