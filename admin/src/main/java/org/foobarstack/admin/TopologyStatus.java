package org.foobarstack.admin;

import java.util.List;

/**
 * The running topology as {@code GET /api/topology} reports it: its hosts with their tiers, and the balancers'
 * view of their servers. Probes are real and made when asked, so a killed host shows as down at once.
 *
 * @param name        the topology's name ("distributed")
 * @param description what it is, from its file
 * @param hosts       every host, in the file's order
 * @param balancers   every load balancer
 * @param drawing     the design as a text picture, the one {@code foobar-stack draw} prints; "" when unknown
 */
public record TopologyStatus(String name, String description, List<HostStatus> hosts,
                             List<BalancerStatus> balancers, String drawing) {

    public TopologyStatus {
        hosts = List.copyOf(hosts);
        balancers = List.copyOf(balancers);
        drawing = drawing == null ? "" : drawing;
    }

    /** A topology without its drawing. */
    public TopologyStatus(String name, String description, List<HostStatus> hosts, List<BalancerStatus> balancers) {
        this(name, description, hosts, balancers, "");
    }

    /** Every tier of every host, in order: the flat list the dashboard's tier boxes and /health use. */
    public List<TierStatus> tiers() {
        return hosts.stream().flatMap(host -> host.tiers().stream()).toList();
    }

    /** A topology of one unnamed host holding {@code tiers}: for admin servers given only a tier list. */
    public static TopologyStatus ofTiers(List<TierStatus> tiers) {
        boolean up = tiers.stream().allMatch(TierStatus::up);
        return new TopologyStatus("", "", List.of(new HostStatus("", "", "", "running", up, tiers)), List.of());
    }
}
