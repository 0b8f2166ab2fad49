package org.foobarstack.topology;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A tier together with the host it runs on: what it takes to know where the tier listens.
 *
 * @param host the host
 * @param tier one of the host's tiers
 * @param <T> the kind of tier, so that {@code topology.balancers()} gives {@code Placed<LbTier>}s
 */
public record Placed<T extends TierSpec>(HostSpec host, T tier) {

    public Placed {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tier, "tier");
    }

    /** The host's address, which the tier binds to. */
    public InetAddress address() {
        return host.address();
    }

    /** The tier's main port (0 in a topology of ephemeral ports, until the launcher binds it). */
    public int port() {
        return tier.port();
    }

    /** Address and main port together. No name is looked up: the address is already numeric. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host.address(), tier.port());
    }
}
