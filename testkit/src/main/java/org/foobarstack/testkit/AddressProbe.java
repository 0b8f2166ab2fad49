package org.foobarstack.testkit;

import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.LbTier;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a design could listen where its file says, now: every listener of every host (and a balancer pair's
 * virtual address) is bound for a moment and let go. The first address that cannot be bound is the answer.
 *
 * <p>This is a check, not a reservation: another program may take the address between the probe and the stack's
 * start. {@link TestStack#start} therefore moves on to the next octet when a start fails on a taken address.
 */
final class AddressProbe {

    private AddressProbe() {
    }

    /** The first listener of {@code design} whose address is taken, as {@code 127.0.150.1:8080/tcp}; empty if none. */
    static Optional<String> firstTaken(Topology design) {
        for (HostSpec host : design.hosts()) {
            for (TierSpec tier : host.tiers()) {
                for (InetAddress address : addressesOf(host, tier)) {
                    for (TierSpec.Listener listener : tier.listeners()) {
                        if (listener.port() != 0 && !free(address, listener)) {
                            return Optional.of(address.getHostAddress() + ":" + listener.port() + "/"
                                    + listener.transport().key());
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The host's own address, and for a member of a balancer pair the pair's virtual address too. */
    private static List<InetAddress> addressesOf(HostSpec host, TierSpec tier) {
        List<InetAddress> addresses = new ArrayList<>(List.of(host.address()));
        if (tier instanceof LbTier lb) {
            lb.vrrp().ifPresent(vrrp -> addresses.add(vrrp.address()));
        }
        return addresses;
    }

    private static boolean free(InetAddress address, TierSpec.Listener listener) {
        InetSocketAddress socket = new InetSocketAddress(address, listener.port());
        try {
            if (listener.transport() == TierSpec.Transport.UDP) {
                try (DatagramSocket udp = new DatagramSocket(socket)) {
                    return udp.isBound();
                }
            }
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(socket);
                return true;
            }
        } catch (IOException taken) {
            return false;
        }
    }
}
