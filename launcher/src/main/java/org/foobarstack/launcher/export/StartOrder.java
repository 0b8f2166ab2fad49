package org.foobarstack.launcher.export;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.foobarstack.topology.DbTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;

/**
 * Which hosts each host starts after, when every host is a container of its own: Compose's {@code depends_on}.
 *
 * <p>{@code foobar-stack run} starts a design tier by tier; containers start host by host, so the order is drawn
 * between hosts, from what their tiers need, in the order the stack starts its tiers:
 * <ol>
 *   <li>every host after the name server's, which the hosts ask where the others are;</li>
 *   <li>a replica's host after its primary's, which it copies from;</li>
 *   <li>an app server's host after its database's, a web server's after its app server's, a balancer's after
 *       its web servers': each after what it passes requests to, so that the first requests find it there;</li>
 *   <li>the monitoring server's host after every other: the stack starts it last, so that it never counts a host
 *       as silent that is only still starting.</li>
 * </ol>
 * A host runs several tiers, so two hosts can need each other (a web server on host a that calls the app server on
 * host b, whose database is on host a). A host that would end up waiting for itself never starts, and Compose refuses such a
 * file; so each need is kept only if it closes no loop, and the needs of the tiers that start first are taken
 * first. Needs within one host are the host's own business.
 *
 * @param after each host's name, in the design's order, with the hosts it starts after, in the design's order
 */
public record StartOrder(Map<String, List<String>> after) {

    public StartOrder {
        after = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(after));
    }

    /** The start order of {@code design}'s hosts. */
    public static StartOrder of(Topology design) {
        Map<String, Set<String>> needs = new LinkedHashMap<>();
        design.hosts().forEach(host -> needs.put(host.name(), new HashSet<>()));
        // 1. the name server first
        design.nameServer().ifPresent(ns -> design.hosts().forEach(host -> need(needs, host.name(), ns.host().name())));
        // 2. and 3. what each tier calls, the tiers that start first first
        for (Role role : List.of(Role.DB, Role.APP, Role.WEB, Role.LB)) {
            for (HostSpec host : design.hostsWith(role)) {
                TierSpec tier = host.tier(role).orElseThrow();
                if (tier instanceof DbTier db && !db.isReplica()) {
                    continue; // a primary needs no other database
                }
                tier.references().forEach(reference -> need(needs, host.name(), reference.host()));
            }
        }
        // 4. the monitoring server last
        for (HostSpec monitor : design.hostsWith(Role.MONITOR)) {
            design.hosts().forEach(host -> need(needs, monitor.name(), host.name()));
        }
        Map<String, List<String>> after = new LinkedHashMap<>();
        needs.forEach((host, hosts) -> after.put(host, design.hosts().stream().map(HostSpec::name)
                .filter(hosts::contains).toList()));
        return new StartOrder(after);
    }

    /** The hosts {@code host} starts after, in the design's order; none for a host of another design. */
    public List<String> after(String host) {
        return after.getOrDefault(host, List.of());
    }

    /** {@code host} starts after {@code needed}, unless it is itself, or {@code needed} already waits for it. */
    private static void need(Map<String, Set<String>> needs, String host, String needed) {
        if (!host.equals(needed) && !waitsFor(needs, needed, host)) {
            needs.get(host).add(needed);
        }
    }

    /** Whether {@code from} starts after {@code to}, directly or through other hosts. */
    private static boolean waitsFor(Map<String, Set<String>> needs, String from, String to) {
        Deque<String> open = new ArrayDeque<>(List.of(from));
        Set<String> seen = new HashSet<>();
        while (!open.isEmpty()) {
            String next = open.pop();
            if (next.equals(to)) {
                return true;
            }
            if (seen.add(next)) {
                open.addAll(needs.get(next));
            }
        }
        return false;
    }

    /** Every host in an order Compose could start them in: each after all it needs. */
    public List<String> sequence() {
        List<String> done = new ArrayList<>();
        while (done.size() < after.size()) {
            after.forEach((host, needed) -> {
                if (!done.contains(host) && done.containsAll(needed)) {
                    done.add(host);
                }
            });
        }
        return List.copyOf(done);
    }
}
