package org.foobarstack.launcher.netns;

import java.util.List;
import java.util.Objects;

/**
 * Something that {@code up --netns} makes in the kernel and {@code down} removes: the bridge, a network namespace or
 * the outer end of a veth pair. Each is known by its name alone, so that it can be found again after a crash without
 * a state file: {@code ip netns list} and {@code ip link} list them.
 *
 * @param kind what it is, which says how it is removed
 * @param name its name in the kernel ({@code fbs0}, {@code fbs-server-1})
 */
public record NetObject(Kind kind, String name) {

    /** What {@code up} makes. */
    public enum Kind {
        /** A Linux bridge in the root namespace: the switch every host's cable is plugged into. */
        BRIDGE,
        /** A network namespace: a network stack of its own (interfaces, addresses, routes, sockets, nftables). */
        NAMESPACE,
        /** A veth pair, named by its end in the root namespace: a cable whose other end is a host's eth0. */
        VETH
    }

    public NetObject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }

    /**
     * The command that removes it. Deleting one end of a veth pair deletes the other (ip-link(8)), and deleting a
     * namespace that no process uses any more frees its interfaces and its nftables tables with it (ip-netns(8)).
     */
    public Step removal() {
        return switch (kind) {
            case BRIDGE, VETH -> Step.of(List.of("ip", "link", "del", name));
            case NAMESPACE -> Step.of(List.of("ip", "netns", "del", name));
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case BRIDGE -> "bridge " + name;
            case NAMESPACE -> "namespace " + name;
            case VETH -> "veth " + name;
        };
    }
}
