package org.foobarstack.launcher.hosts;

import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.WwwRecord;

import java.net.InetAddress;
import java.util.List;

/**
 * The zone file of a topology's domain, written from the topology at every start: where {@code www} points (the
 * balancer, or the web servers), the name server's glue, and one A record per host, so that a learner can
 * {@code dig server-2.foobar.com} as well as {@code www}.
 *
 * <pre>
 *   $ORIGIN foobar.com.
 *   $TTL 3600
 *   @         IN SOA ns1.foobar.com. hostmaster.foobar.com. ( ... )
 *             IN NS  ns1.foobar.com.
 *             IN A   127.0.0.10          ; the apex, like www
 *   ns1       IN A   127.0.0.2           ; glue: the name server's own address
 *   www       IN A   127.0.0.10          ; the load balancer lb-1
 *   lb-1      IN A   127.0.0.10
 *   server-1  IN A   127.0.0.11
 *   db          5 IN CNAME server-1   ; the primary database, where the app servers write
 *   replicas.db 5 IN A     127.0.0.12 ; the replicas, where they read
 * </pre>
 *
 * The two database names exist when the topology has replicas ({@link DbCluster}); their TTL is 5 seconds, so that
 * after a promotion, which rewrites this file, the app servers follow within seconds. A CNAME for the primary shows
 * the idea best: "the primary" is not a machine but a role, an alias moved from one host to another.
 *
 * With no balancer and several web servers, {@code www} gets one A record each: DNS round robin, the oldest way
 * of spreading clients over servers (and one that keeps sending clients to a dead server until its record is
 * removed and the TTL has run out). With {@code www: cname}, {@code www} is an alias of the apex, which carries
 * the A records.
 */
public final class TopologyZone {

    private TopologyZone() {
    }

    public static String text(Topology topology) {
        return text(topology, java.util.Optional.empty(), 0);
    }

    /**
     * @param cluster    the replicated databases, whose current primary and replicas get names
     * @param generation how many times the zone was rewritten while running: added to the serial, which must grow
     *                   with every change (RFC 1034 §4.3.5), as a secondary name server would check
     */
    public static String text(Topology topology, java.util.Optional<DbCluster> cluster, int generation) {
        String domain = topology.domain();
        List<InetAddress> www = topology.wwwAddresses();
        String front = topology.balancers().isEmpty()
                ? (www.size() == 1 ? "the web server" : "the web servers (DNS round robin)")
                : "the load balancer " + topology.balancers().get(0).host().name();
        InetAddress nameServer = topology.nameServer().map(p -> p.address())
                .orElse(www.isEmpty() ? loopback() : www.get(0));
        StringBuilder z = new StringBuilder();
        z.append(";; ").append(domain).append(", written by foobar-stack from the topology \"")
                .append(topology.name()).append("\" at every start:\n")
                .append(";; change the topology file, not this one.\n")
                .append("$ORIGIN ").append(domain).append(".\n")
                .append("$TTL 3600\n")
                .append("@         IN SOA  ns1.").append(domain).append(". hostmaster.").append(domain).append(". (\n")
                .append("                  ").append(2024010101L + generation).append(" ; serial\n")
                .append("                  7200       ; refresh\n")
                .append("                  900        ; retry\n")
                .append("                  1209600    ; expire\n")
                .append("                  300 )      ; minimum: how long resolvers may cache \"no such name\" (RFC 2308)\n")
                .append("          IN NS   ns1.").append(domain).append(".\n");
        for (InetAddress address : www) {
            z.append("          IN A    ").append(address.getHostAddress()).append("   ; the apex, like www\n");
        }
        z.append(String.format("%-9s IN A    %s   ; glue: the name server's own address%n", "ns1",
                nameServer.getHostAddress()));
        if (topology.www() == WwwRecord.CNAME) {
            z.append("www       IN CNAME ").append(domain).append(".   ; an alias: the apex's records answer\n");
        } else {
            for (InetAddress address : www) {
                z.append(String.format("%-9s IN A    %s   ; %s%n", "www", address.getHostAddress(), front));
            }
        }
        for (HostSpec host : topology.hosts()) {
            if (host.name().equals("ns1") || host.name().equals("www")) {
                continue;
            }
            z.append(String.format("%-9s IN A    %s   ; host %s: %s%n", host.name(), host.address().getHostAddress(),
                    host.name(), String.join(", ", host.tiers().stream().map(t -> t.role().key()).toList())));
        }
        cluster.ifPresent(c -> {
            z.append(";; the databases: db is the primary (where the app servers write), replicas.db the replicas\n")
                    .append(";; (where they read). A TTL of 5 s: after a promotion the app servers follow within 5 s.\n");
            z.append(String.format("%-11s 5 IN CNAME %s   ; the primary database%n", "db", c.primary()));
            for (String replica : c.replicas()) {
                topology.host(replica).ifPresent(h -> z.append(String.format("%-11s 5 IN A     %s   ; a replica, on %s%n",
                        "replicas.db", h.address().getHostAddress(), replica)));
            }
        });
        return z.toString();
    }

    /** Whether a topology has a name server to publish this zone. */
    public static boolean served(Topology topology) {
        return !topology.tiers(Role.DNS).isEmpty();
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
