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

    public InstanceNames(Topology topology) {
        Map<Role, Integer> counts = new EnumMap<>(Role.class);
        for (HostSpec host : topology.hosts()) {
            for (TierSpec tier : host.tiers()) {
                int n = counts.merge(tier.role(), 1, Integer::sum);
                names.computeIfAbsent(host.name(), h -> new EnumMap<>(Role.class)).put(tier.role(),
                        tier.role().key() + "-" + n);
            }
        }
    }

    /** "web-2" for the web tier of server-2 in {@code distributed}. */
    public String of(String host, Role role) {
        Map<Role, String> byRole = names.get(host);
        String name = byRole == null ? null : byRole.get(role);
        if (name == null) {
            throw new IllegalArgumentException(host + " runs no " + role.key() + " tier");
        }
        return name;
    }
}
