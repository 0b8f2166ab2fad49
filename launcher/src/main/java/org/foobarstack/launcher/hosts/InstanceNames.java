package org.foobarstack.launcher.hosts;

import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The name of each tier instance: its role and a number, counted in the order the topology lists its hosts
 * (dns-1; lb-1; web-1 on server-1, web-2 on server-2; app-1, app-2; db-1, db-2). Traces, metrics, logs and the
 * balancer's server list use these names; hosts keep theirs ("server-1"), since one host runs several tiers.
 */
public final class InstanceNames {

    private final Map<String, Map<Role, String>> names = new HashMap<>();
    /** How many instances of each role were ever named: a host added later takes the next number. */
    private final Map<Role, Integer> counts = new EnumMap<>(Role.class);

    public InstanceNames(Topology topology) {
        for (HostSpec host : topology.hosts()) {
            register(host);
        }
    }

    /**
     * Names the tiers of a host added while the stack runs ({@code scale}): the next number of each role, never one
     * used before, so that web-3 of a removed host is never confused with a later one in traces and metrics.
     */
    public synchronized void register(HostSpec host) {
        for (TierSpec tier : host.tiers()) {
            int n = counts.merge(tier.role(), 1, Integer::sum);
            names.computeIfAbsent(host.name(), h -> new EnumMap<>(Role.class)).put(tier.role(),
                    tier.role().key() + "-" + n);
        }
    }

    /** "web-2" for the web tier of server-2 in {@code distributed}. */
    public synchronized String of(String host, Role role) {
        Map<Role, String> byRole = names.get(host);
        String name = byRole == null ? null : byRole.get(role);
        if (name == null) {
            throw new IllegalArgumentException(host + " runs no " + role.key() + " tier");
        }
        return name;
    }
}
