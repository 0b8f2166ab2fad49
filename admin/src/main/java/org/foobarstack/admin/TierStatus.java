package org.foobarstack.admin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One tier instance as the dashboard draws it and {@code /health} reports it.
 *
 * <pre>
 *   new TierStatus("web", "web-1", "web server", "HTTP/1.1",
 *           List.of("127.0.0.1:8080/tcp http", "127.0.0.1:8443/tcp https"), true, Map.of("connections", 3L))
 * </pre>
 *
 * @param tier      which tier: "dns", "web", "app" or "db" (the dashboard places boxes by this name)
 * @param instance  the instance's name ("web-1"); several instances of one tier are drawn one above the other
 * @param role      what it does, for people ("web server")
 * @param protocol  what it speaks ("DNS", "HTTP/1.1", "FastCGI", "DRDA")
 * @param endpoints where it listens, "address:port/transport name" ("127.0.0.1:5300/udp dns")
 * @param up        whether a real probe just reached it (the supplier of the topology does the probing)
 * @param counters  optional numbers to show under the box ("requests", "connections"), in the order given
 * @param references the tiers of other hosts (or its own) this one sends requests to: a web server its app server,
 *                  an app server its database, a balancer its web servers
 * @param replication a database's role and replication state; null for the other tiers
 */
public record TierStatus(String tier, String instance, String role, String protocol, List<String> endpoints,
                         boolean up, Map<String, Long> counters, List<Reference> references,
                         ReplicationView replication) {

    /** "This tier calls the {@code role} tier of {@code host}". */
    public record Reference(String host, String role) {
    }

    /** A status of a tier that takes no part in replication. */
    public TierStatus(String tier, String instance, String role, String protocol, List<String> endpoints,
                      boolean up, Map<String, Long> counters, List<Reference> references) {
        this(tier, instance, role, protocol, endpoints, up, counters, references, null);
    }

    /** A status without references. */
    public TierStatus(String tier, String instance, String role, String protocol, List<String> endpoints,
                      boolean up, Map<String, Long> counters) {
        this(tier, instance, role, protocol, endpoints, up, counters, List.of());
    }

    public TierStatus {
        references = references == null ? List.of() : List.copyOf(references);
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(instance, "instance");
        role = role == null ? "" : role;
        protocol = protocol == null ? "" : protocol;
        endpoints = List.copyOf(endpoints);
        counters = counters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** A status without counters. */
    public TierStatus(String tier, String instance, String role, String protocol, List<String> endpoints,
                      boolean up) {
        this(tier, instance, role, protocol, endpoints, up, Map.of());
    }
}
