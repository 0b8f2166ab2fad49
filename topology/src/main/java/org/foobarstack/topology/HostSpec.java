package org.foobarstack.topology;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One machine of a topology: a name, an address of its own, and the tiers it runs.
 *
 * <p>All hosts live on one real machine, each on its own loopback address (127.0.0.11,
 * 127.0.0.12, ...), so every tier can keep its usual port: two web servers both listen on 8080,
 * each on its host's address, as they would on two machines.
 *
 * @param name the host's name; it becomes a DNS label ({@code server-1.foobar.com}), hence
 *     {@link #NAME}: a lower-case letter, then up to 30 lower-case letters, digits or hyphens
 * @param address an IPv4 address; every tier of the host binds to it
 * @param description what the host is for, in a sentence (may be empty)
 * @param tiers the tiers it runs, at least one, at most one per role, in the order of the file
 * @param firewall the host's packet filter, if the file gives it one; without one every connection is accepted
 */
public record HostSpec(String name, InetAddress address, String description, List<TierSpec> tiers,
                       Optional<FirewallSpec> firewall) {

    /** The names of hosts and topologies: they become DNS labels, so lower case, and short. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");

    public HostSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        description = description == null ? "" : description;
        tiers = List.copyOf(tiers);
        Objects.requireNonNull(firewall, "firewall");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("host name must match " + NAME + ", got " + name);
        }
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("host " + name + " needs an IPv4 address, got " + address);
        }
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("host " + name + " runs no tier; a host runs at least one");
        }
        Set<Role> seen = EnumSet.noneOf(Role.class);
        for (TierSpec tier : tiers) {
            if (!seen.add(tier.role())) {
                throw new IllegalArgumentException("host " + name + " runs two " + tier.role().key() + " tiers");
            }
        }
    }

    /** The tier of this role, if the host runs one. */
    public Optional<TierSpec> tier(Role role) {
        return tiers.stream().filter(tier -> tier.role() == role).findFirst();
    }

    /** The tier of this type, if the host runs one: {@code host.tier(WebTier.class)}. */
    public <T extends TierSpec> Optional<T> tier(Class<T> type) {
        return tiers.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Whether the host runs a tier of this role. */
    public boolean runs(Role role) {
        return tier(role).isPresent();
    }

    /** The same host with other tiers, or at another address: the transformations of {@link Topology} use these. */
    /** A host without a firewall. */
    public HostSpec(String name, InetAddress address, String description, List<TierSpec> tiers) {
        this(name, address, description, tiers, Optional.empty());
    }

    public HostSpec withTiers(List<TierSpec> newTiers) {
        return new HostSpec(name, address, description, newTiers, firewall);
    }

    HostSpec withAddress(InetAddress newAddress) {
        return new HostSpec(name, newAddress, description, tiers, firewall);
    }
}
