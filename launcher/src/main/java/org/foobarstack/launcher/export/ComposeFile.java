package org.foobarstack.launcher.export;

import static org.foobarstack.launcher.export.YamlText.scalar;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.Topology;

/**
 * A design as a Compose file: one container per host, each running {@code foobar-stack host NAME}, on a network
 * of their own where each has its host's address.
 *
 * <p>What the file holds, in its order:
 * <ol>
 *   <li>A comment that says what differs from the design on one machine: the addresses, what is published, the
 *       start order, why there are no health checks, and a balancer pair's virtual address.</li>
 *   <li>One service per host, named as the host, in the design's order: the image; the host command with
 *       {@code --network}, so that the host moves the design to the containers' network as this file does; its
 *       address there ({@code ipv4_address}); the topology file mounted from {@code configs}; {@code depends_on}
 *       from {@link StartOrder}; the ports clients use published on this machine; and, for a host with a
 *       database, the one volume of the databases on the data directory, so that the data outlives the
 *       container. One volume for all of them, each in its own directory ({@code DESIGN/HOST}), because a new
 *       replica is copied by Derby's online backup, which the primary's server writes to a path that the
 *       replica's host then reads (see docs/several-machines.md).</li>
 *   <li>The network, {@code foobar}: a bridge on the /24 with its gateway on an address no host uses.</li>
 *   <li>The volumes, and the topology file itself, inline ({@code configs.topology.content}), so that the one
 *       file is all Compose needs. Compose replaces {@code $NAME} in every value, this one too, so each {@code $}
 *       of the topology file is written {@code $$}, which Compose turns back into {@code $}.</li>
 * </ol>
 *
 * <p>Clients on this machine reach the name server's port (UDP and TCP) and the ports of the hosts
 * {@code www.<domain>} points at (the balancers, or else the web servers) on 127.0.0.1, as with
 * {@code foobar-stack run}. Two hosts cannot both publish one port there (the two balancers of a pair both listen
 * on 8080), so a host whose port is already taken on 127.0.0.1 is published on its design address instead
 * (127.0.0.20:8080), which on Linux is this machine's too.
 */
public final class ComposeFile {

    /** Where the containers find the topology file, as the host command is told with {@code --topology}. */
    public static final String TOPOLOGY_PATH = "/etc/foobar-stack/topology.yaml";
    /** Where the host command keeps its data, as it is told with {@code --data-dir}. */
    public static final String DATA_DIR = "/var/lib/foobar-stack";
    /** The name of the containers' network. */
    public static final String NETWORK = "foobar";
    /** The machine's address the client ports are published on first. */
    static final String LOCALHOST = "127.0.0.1";

    private final DesignSource source;
    private final String image;
    private final ContainerNetwork network;
    private final Topology placed;
    private final StringBuilder out = new StringBuilder();

    private ComposeFile(DesignSource source, String image, ContainerNetwork network) {
        this.source = source;
        this.image = image;
        this.network = network;
        this.placed = network.place(source.design());
    }

    /**
     * The Compose file of {@code source}'s design.
     *
     * @param image   the image every container runs ({@code foobar-stack:latest})
     * @param network the /24 the hosts move to
     * @throws IllegalArgumentException if a host cannot move there ({@link ContainerNetwork#place})
     */
    public static String render(DesignSource source, String image, ContainerNetwork network) {
        return new ComposeFile(source, image, network).render();
    }

    /**
     * One port of a host's published on this machine: {@code 127.0.0.1:8080:8080/tcp}.
     *
     * @param on        the machine's address it is published on
     * @param port      the port, the same on the machine as in the container
     * @param transport tcp or udp
     */
    record Published(String on, int port, TierSpec.Transport transport) {
        String spec() {
            return on + ":" + port + ":" + port + "/" + transport.key();
        }
    }

    private String render() {
        Topology design = source.design();
        StartOrder order = StartOrder.of(design);
        List<List<Published>> published = publish(design);

        header(design, order, published);
        line(0, "name: " + scalar("foobar-stack-" + design.name()));
        line(0, "");
        line(0, "services:");
        for (int i = 0; i < design.hosts().size(); i++) {
            HostSpec host = design.hosts().get(i);
            service(host, placed.hosts().get(i), order.after(host.name()), published.get(i));
        }
        line(0, "networks:");
        line(1, NETWORK + ":");
        line(2, "ipam:");
        line(3, "config:");
        line(4, "- subnet: " + scalar(network.cidr()));
        line(4, "  # Docker's own end of the bridge; .1 unless told, and a host may have it");
        line(4, "  gateway: " + scalar(network.gateway(placed).getHostAddress()));
        List<HostSpec> stateful = design.hostsWith(Role.DB);
        if (!stateful.isEmpty()) {
            line(0, "");
            line(0, "# the databases' data, kept when their containers are removed (docker compose down -v removes it);");
            line(0, "# one volume for all, each host in its own directory: a new replica reads the copy its primary writes");
            line(0, "volumes:");
            line(1, scalar(DATABASES_VOLUME) + ":");
        }
        line(0, "");
        line(0, "# " + source.design().name() + "'s topology file as it was written; each $ is written $$ for Compose");
        line(0, "configs:");
        line(1, "topology:");
        line(2, "content:" + YamlText.block(source.yaml().replace("$", "$$"), 2 * 2));
        return out.toString();
    }

    /** The comment on top: what this file is, and what differs from the design on one machine. */
    private void header(Topology design, StartOrder order, List<List<Published>> published) {
        line(0, "# The " + design.name() + " design in containers, one per host, each running `foobar-stack host NAME`.");
        line(0, "# Start it with `docker compose -f FILE up` (Compose 2.23.1 or later, for the inline topology file).");
        line(0, "#");
        HostSpec first = design.hosts().get(0);
        line(0, "# - Addresses: each host keeps its last octet on " + network.cidr() + " (" + first.name() + ": "
                + first.address().getHostAddress() + " -> " + moved(first.address()) + "),");
        line(0, "#   and is told --network " + network.network().getHostAddress()
                + ", so that it binds there, and finds the other hosts there.");
        line(0, "# - Published on this machine:");
        boolean elsewhere = false;
        for (int i = 0; i < design.hosts().size(); i++) {
            if (!published.get(i).isEmpty()) {
                line(0, "#     " + design.hosts().get(i).name() + "  " + published.get(i).stream()
                        .map(p -> p.on() + ":" + p.port() + "/" + p.transport().key())
                        .collect(Collectors.joining(", ")));
                elsewhere |= published.get(i).stream().anyMatch(p -> !p.on().equals(LOCALHOST));
            }
        }
        if (elsewhere) {
            line(0, "#   A port taken on " + LOCALHOST + " is published on the host's design address: on Linux all"
                    + " of 127/8");
            line(0, "#   is this machine's; elsewhere, add that address to the loopback interface first.");
        }
        line(0, "# - Start order (depends_on): " + String.join(", ", order.sequence()) + ".");
        line(0, "#   No health checks: the image holds a JRE and the stack, no curl or shell to probe a port with,");
        line(0, "#   and foobar-stack has no probe command; so Compose orders the starts, but does not wait for a");
        line(0, "#   host to answer before it starts the next.");
        for (BalancerPair pair : BalancerPair.of(design)) {
            line(0, "# - The balancer pair " + pair.names() + " shares the virtual address "
                    + pair.address().getHostAddress() + " (here " + moved(pair.address()) + "),");
            line(0, "#   where www." + design.domain() + " points. No container can take it: Docker gives each"
                    + " container its own");
            line(0, "#   addresses and no others, so nothing answers there. The pair still elects a master over UDP;");
            line(0, "#   clients reach each balancer at its own address (published above), and when the master");
            line(0, "#   stops, no address moves: run the design on one machine to see that (foobar-stack run");
            line(0, "#   --topology " + design.name() + ").");
        }
        line(0, "");
    }

    private void service(HostSpec host, HostSpec moved, List<String> after, List<Published> published) {
        String name = host.name();
        line(1, "# " + host.address().getHostAddress() + " in the design" + (host.description().isBlank() ? ""
                : ": " + firstLine(host.description())));
        line(1, scalar(name) + ":");
        line(2, "image: " + scalar(image));
        line(2, "hostname: " + scalar(name));
        line(2, "command: " + flow(List.of("host", name, "--topology", TOPOLOGY_PATH, "--data-dir", DATA_DIR,
                "--network", network.network().getHostAddress())));
        line(2, "networks:");
        line(3, NETWORK + ":");
        line(4, "ipv4_address: " + scalar(moved.address().getHostAddress()));
        line(2, "configs:");
        line(3, "- source: topology");
        line(3, "  target: " + scalar(TOPOLOGY_PATH));
        if (!after.isEmpty()) {
            line(2, "depends_on: " + flow(after));
        }
        if (!published.isEmpty()) {
            line(2, "ports:");
            published.forEach(p -> line(3, "- " + YamlText.quoted(p.spec())));
        }
        if (host.runs(Role.DB)) {
            line(2, "volumes:");
            line(3, "- " + scalar(DATABASES_VOLUME + ":" + DATA_DIR));
        }
        line(0, "");
    }

    /**
     * The ports each host publishes, in the design's order of hosts: the name server's, and those of the hosts
     * www points at; on 127.0.0.1 for the first host that publishes a port, on its own design address for any
     * other.
     */
    static List<List<Published>> publish(Topology design) {
        Set<String> taken = new HashSet<>();
        List<List<Published>> all = new ArrayList<>();
        for (HostSpec host : design.hosts()) {
            List<Published> mine = new ArrayList<>();
            for (HostPort port : clientPorts(design, host)) {
                String on = taken.add(port.port() + "/" + port.transport().key()) ? LOCALHOST
                        : host.address().getHostAddress();
                mine.add(new Published(on, port.port(), port.transport()));
            }
            all.add(List.copyOf(mine));
        }
        return List.copyOf(all);
    }

    /**
     * The ports of {@code host} that clients use: its name server's, and, if www points at it, its balancer's
     * HTTP and HTTPS ports (not the statistics page, which is the operator's), or else its web server's.
     */
    private static List<HostPort> clientPorts(Topology design, HostSpec host) {
        boolean www = design.wwwAddresses().stream().anyMatch(ContainerNetwork.usedBy(host)::contains);
        Role site = host.runs(Role.LB) ? Role.LB : Role.WEB;
        return HostPort.of(host).stream()
                .filter(port -> port.role() == Role.DNS || www && port.role() == site
                        && (port.name().equals(site.key()) || port.name().equals(site.key() + "-https")))
                .toList();
    }

    /** The volume every host with a database mounts on its data directory. */
    static final String DATABASES_VOLUME = "databases";

    /** A design address as it is on the containers' network: its last octet on the /24. */
    private String moved(InetAddress address) {
        String net = network.network().getHostAddress();
        return net.substring(0, net.lastIndexOf('.') + 1) + (address.getAddress()[3] & 0xff);
    }

    private static String flow(List<String> items) {
        return items.stream().map(YamlText::scalar).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").strip();
    }

    /** One line, {@code level} times two spaces in. */
    private void line(int level, String text) {
        out.append(text.isEmpty() ? "" : "  ".repeat(level) + text).append('\n');
    }
}
