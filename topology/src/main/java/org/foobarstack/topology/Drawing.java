package org.foobarstack.topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A design drawn in text, from its topology alone: each host a box (its name, address, tiers and ports, its
 * firewall), hosts in rows in the order a request meets them (name server, balancers, web, app, databases,
 * monitoring), and under each row the calls its tiers make to the next ones. {@code foobar-stack draw} prints it;
 * the docs' pictures of the four designs are this output, so a changed topology changes its picture.
 *
 * <p>A host sits in the row of its first tier in that order: server-1 of {@code distributed}, which runs web, app
 * and db, is in the web row, and its calls to its own app and database are drawn inside its box.
 */
public final class Drawing {

    private static final List<Role> ROWS = List.of(Role.DNS, Role.LB, Role.WEB, Role.APP, Role.DB, Role.MONITOR);
    private static final int GAP = 3;

    private Drawing() {
    }

    /** The whole picture, ending with a newline. */
    public static String of(Topology topology) {
        StringBuilder b = new StringBuilder();
        b.append(topology.name()).append(": ").append(topology.hosts().size()).append(topology.hosts().size() == 1
                ? " host" : " hosts").append('\n');
        b.append("www.").append(topology.domain()).append(" -> ")
                .append(String.join(", ", topology.wwwAddresses().stream().map(a -> a.getHostAddress()).toList()))
                .append(wwwNote(topology)).append("\n\n");
        Map<Role, List<HostSpec>> rows = new LinkedHashMap<>();
        for (HostSpec host : topology.hosts()) {
            Role first = ROWS.stream().filter(host::runs).findFirst().orElse(Role.MONITOR);
            rows.computeIfAbsent(first, r -> new ArrayList<>()).add(host);
        }
        boolean firstRow = true;
        for (Role role : ROWS) {
            List<HostSpec> hosts = rows.get(role);
            if (hosts == null) {
                continue;
            }
            if (!firstRow) {
                b.append('\n');
            }
            firstRow = false;
            b.append(sideBySide(hosts.stream().map(h -> box(h, topology)).toList()));
            List<String> calls = calls(hosts, topology);
            for (String call : calls) {
                b.append("   | ").append(call).append('\n');
            }
        }
        return b.toString();
    }

    private static String wwwNote(Topology topology) {
        boolean pair = topology.balancers().stream().anyMatch(p -> p.tier().vrrp().isPresent());
        if (pair) {
            return "  (the balancer pair's virtual address: whichever is VRRP master holds it)";
        }
        if (topology.balancers().size() > 1) {
            return "  (every balancer: active-active, clients pick one)";
        }
        return topology.balancers().isEmpty() ? "  (the web server)" : "  (the load balancer)";
    }

    /** One host as a box: name and address, then a line per tier, then its firewall. */
    static List<String> box(HostSpec host, Topology topology) {
        List<String> inside = new ArrayList<>();
        inside.add(host.name() + "  " + host.address().getHostAddress());
        for (TierSpec tier : host.tiers()) {
            inside.add(" " + tier.role().key() + " " + ports(tier));
            if (tier instanceof LbTier lb && lb.vrrp().isPresent()) {
                LbVrrp v = lb.vrrp().get();
                inside.add("   vrrp " + v.address().getHostAddress() + " prio " + v.priority());
            }
            if (tier instanceof DbTier db) {
                inside.add("   " + (db.replicaOf() == null ? "primary" : "replica of " + db.replicaOf()));
            }
        }
        host.firewall().ifPresent(f -> inside.add(" firewall: " + f.rules().size()
                + (f.rules().size() == 1 ? " rule, " : " rules, ") + "else " + f.defaultPolicy().key()));
        int width = inside.stream().mapToInt(String::length).max().orElse(0);
        List<String> lines = new ArrayList<>();
        lines.add("+" + "-".repeat(width + 2) + "+");
        for (String line : inside) {
            lines.add("| " + line + " ".repeat(width - line.length()) + " |");
        }
        lines.add("+" + "-".repeat(width + 2) + "+");
        return lines;
    }

    /** ":8080 https :8443" and the like: every listener of the tier. */
    private static String ports(TierSpec tier) {
        List<String> parts = new ArrayList<>();
        for (TierSpec.Listener listener : tier.listeners()) {
            String port = ":" + listener.port();
            String label = listener.key().equals("port") ? port
                    : listener.key().replace("-port", "").replace(" port", "") + " " + port;
            if (listener.transport() == TierSpec.Transport.UDP) {
                continue; // a name server's UDP and TCP share the number: shown once
            }
            parts.add(label);
        }
        return String.join(" ", parts);
    }

    /** "lb-1 -> web on web-1, web-2": who in this row calls whom, grouped by caller and role. */
    private static List<String> calls(List<HostSpec> hosts, Topology topology) {
        List<String> lines = new ArrayList<>();
        for (HostSpec host : hosts) {
            Map<Role, Set<String>> byRole = new LinkedHashMap<>();
            for (TierSpec tier : host.tiers()) {
                if (tier instanceof DbTier db && db.replicaOf() != null) {
                    lines.add(host.name() + " -> " + db.replicaOf() + ": follows its change log (replication)");
                    continue;
                }
                for (TierSpec.Reference reference : tier.references()) {
                    if (reference.host().equals(host.name())) {
                        continue; // inside the box
                    }
                    byRole.computeIfAbsent(reference.role(), r -> new LinkedHashSet<>()).add(reference.host());
                }
            }
            byRole.forEach((role, callees) -> lines.add(host.name() + " -> " + role.key() + " on "
                    + String.join(", ", callees) + (role == Role.DB ? replicasOf(callees, topology) : "")));
        }
        if (hosts.stream().anyMatch(h -> h.runs(Role.MONITOR))) {
            lines.add("<- every other host's monitoring client pushes its numbers here");
        }
        return lines;
    }

    /** " (writes; reads on its replicas db-2)" when the databases called have replicas. */
    private static String replicasOf(Set<String> primaries, Topology topology) {
        List<String> replicas = topology.hostsWith(Role.DB).stream()
                .filter(h -> h.tier(DbTier.class).map(db -> primaries.contains(db.replicaOf())).orElse(false))
                .map(HostSpec::name).toList();
        return replicas.isEmpty() ? "" : " (writes; reads on its replica" + (replicas.size() == 1 ? " " : "s ")
                + String.join(", ", replicas) + ")";
    }

    /** Boxes next to each other, top-aligned. */
    private static String sideBySide(List<List<String>> boxes) {
        int height = boxes.stream().mapToInt(List::size).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (int row = 0; row < height; row++) {
            StringBuilder line = new StringBuilder();
            for (List<String> box : boxes) {
                int width = box.get(0).length();
                line.append(row < box.size() ? box.get(row) : " ".repeat(width)).append(" ".repeat(GAP));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }
}
