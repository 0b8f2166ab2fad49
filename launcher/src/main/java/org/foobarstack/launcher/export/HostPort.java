package org.foobarstack.launcher.export;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;

/**
 * One port a host's container listens on, named as a container's and a Service's ports are named: {@code web},
 * {@code web-https}, {@code lb-stats}, {@code dns-udp} and {@code dns-tcp}, and {@code vrrp}.
 *
 * <p>The ports are the tiers' listeners, in the host's order of tiers, plus, for a balancer of a pair, the UDP port
 * its VRRP advertisements arrive on: the other member sends them to this host's address, which in a container
 * is the container's, so that port must be reachable there too. A port of 0 (any free port, as tests run a
 * design) cannot be exported: the other hosts would not know where to connect.
 *
 * @param name      unique on its host, at most 15 characters, lower case (what Kubernetes allows a port's name)
 * @param role      the tier that listens
 * @param port      the port number
 * @param transport TCP or UDP
 */
public record HostPort(String name, Role role, int port, TierSpec.Transport transport) {

    /**
     * Every port {@code host} listens on.
     *
     * @throws IllegalArgumentException for a port of 0
     */
    public static List<HostPort> of(HostSpec host) {
        List<HostPort> ports = new ArrayList<>();
        for (TierSpec tier : host.tiers()) {
            for (TierSpec.Listener listener : tier.listeners()) {
                if (listener.port() == 0) {
                    throw new IllegalArgumentException(host.name() + "'s " + listener.label() + " is 0 (any free"
                            + " port), which the other hosts could not find; give it a port");
                }
                // a name server listens on one number twice, over UDP and TCP
                boolean twice = tier.listeners().stream()
                        .filter(other -> other.key().equals(listener.key())).count() > 1;
                ports.add(new HostPort(name(listener) + (twice ? "-" + listener.transport().key() : ""),
                        listener.role(), listener.port(), listener.transport()));
            }
        }
        host.tier(LbTier.class).flatMap(LbTier::vrrp).ifPresent(vrrp ->
                ports.add(new HostPort("vrrp", Role.LB, vrrp.port(), TierSpec.Transport.UDP)));
        return List.copyOf(ports);
    }

    /** {@code web} for a tier's main port, {@code web-https} for its {@code https-port}, {@code lb-stats}. */
    private static String name(TierSpec.Listener listener) {
        String key = listener.key();
        return key.equals("port") ? listener.role().key()
                : listener.role().key() + "-" + key.replaceFirst("[- ]port$", "");
    }

}
