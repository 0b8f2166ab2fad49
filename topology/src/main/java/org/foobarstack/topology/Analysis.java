package org.foobarstack.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What is wrong with a design, in the course's terms: each finding names its kind, the element it concerns, why it
 * is a weakness, and the command that shows it live. {@code foobar-stack analyze} prints it; the four designs of the
 * course each remove some findings, and the ones left are the questions a learner must answer ("where are the
 * single points of failure?", "why is terminating TLS at the balancer an issue?").
 *
 * <p>The rules, in the order findings are listed:
 * <ol>
 *   <li>spof: every role run by one host only; for the databases, one primary that takes every write, even with
 *       replicas (a promotion is needed before writes work again);</li>
 *   <li>security: a host without a firewall; a database that more than its app servers can reach; the site served
 *       in plain HTTP at its entry point; TLS that ends at the balancer, plain HTTP behind it;</li>
 *   <li>monitoring: nothing collects the hosts' metrics and logs (no host runs a monitor tier);</li>
 *   <li>scaling: the passive balancer of an active-passive pair, which serves nothing while the master lives; a
 *       host running the web, app and database tiers together, so that no tier can be given more machines
 *       without the others.</li>
 * </ol>
 */
public final class Analysis {

    /** What kind of weakness a finding is. */
    public enum Kind {
        SPOF, SECURITY, MONITORING, SCALING;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One weakness.
     *
     * @param kind        spof, security, monitoring or scaling
     * @param subject     the element it concerns: "the load balancer (lb-1)", "server-1"
     * @param explanation why it is a weakness, in a paragraph
     * @param demonstrate a command that shows it on the running design
     */
    public record Finding(Kind kind, String subject, String explanation, String demonstrate) {
        public Finding {
            Objects.requireNonNull(kind, "kind");
        }
    }

    private Analysis() {
    }

    /** Every finding for {@code topology}, in the order of the rules above. */
    public static List<Finding> of(Topology topology) {
        List<Finding> findings = new ArrayList<>();
        singlePoints(topology, findings);
        security(topology, findings);
        if (topology.hostsWith(Role.MONITOR).isEmpty()) {
            findings.add(new Finding(Kind.MONITORING, "the whole design",
                    "Nothing collects the hosts' metrics and logs in one place: a server that slows down, a disk "
                            + "that fills or an error rate that climbs is seen when users complain. Each tier "
                            + "exposes metrics, but no monitoring client ships them and no alert watches them "
                            + "(a host with a monitor tier would give every other host a client).",
                    "curl -s http://127.0.0.1:9090/metrics | head   # the numbers exist; nobody is watching them"));
        }
        passiveBalancers(topology, findings);
        for (HostSpec host : topology.hosts()) {
            if (host.runs(Role.WEB) && host.runs(Role.APP) && host.runs(Role.DB)) {
                findings.add(new Finding(Kind.SCALING, host.name(),
                        host.name() + " runs the web server, the application server and the database together: "
                                + "they compete for its CPU, memory and disk, and none can be given more machines "
                                + "without the others. Adding a server copies all three, including a database.",
                        "foobar-stack ctl status   # the tiers " + host.name() + " runs"));
            }
        }
        return List.copyOf(findings);
    }

    /**
     * An active-passive pair: the backup serves nothing while the master lives. It buys availability, not
     * capacity, and the pair can carry no more than one balancer can.
     */
    private static void passiveBalancers(Topology topology, List<Finding> findings) {
        for (Placed<LbTier> backup : topology.balancers()) {
            Optional<LbVrrp> mine = backup.tier().vrrp();
            if (mine.isEmpty()) {
                continue;
            }
            Optional<Placed<LbTier>> master = topology.balancers().stream()
                    .filter(other -> other != backup && other.tier().vrrp()
                            .map(v -> v.routerId() == mine.get().routerId() && v.priority() > mine.get().priority())
                            .orElse(false))
                    .findFirst();
            master.ifPresent(m -> findings.add(new Finding(Kind.SCALING, "the passive balancer ("
                    + backup.host().name() + ")",
                    backup.host().name() + " serves nothing while " + m.host().name() + " holds the virtual address "
                            + mine.get().address().getHostAddress() + ": an active-passive pair buys availability, "
                            + "not capacity, and carries no more requests than one balancer can. Active-active (no "
                            + "vrrp:, www answering both addresses) uses both, but a client that cached the address "
                            + "of a dead balancer keeps trying it until the record's TTL runs out.",
                    "curl -s http://" + backup.host().address().getHostAddress() + ":"
                            + backup.tier().statsPort() + "/   # its frontend's request count stays at 0")));
        }
    }

    private static void singlePoints(Topology topology, List<Finding> findings) {
        for (Role role : List.of(Role.DNS, Role.LB, Role.WEB, Role.APP, Role.DB)) {
            List<HostSpec> hosts = topology.hostsWith(role);
            if (hosts.size() == 1) {
                HostSpec only = hosts.get(0);
                findings.add(new Finding(Kind.SPOF, "the " + name(role) + " (" + only.name() + ")",
                        "Only " + only.name() + " runs the " + name(role) + ": when it fails, "
                                + consequence(role) + ", until it is back.",
                        "foobar-stack ctl kill " + only.name() + "   # then: " + probe(role, topology)));
            }
        }
        List<HostSpec> databases = topology.hostsWith(Role.DB);
        if (databases.size() > 1) {
            List<String> primaries = databases.stream()
                    .filter(h -> h.tier(DbTier.class).map(db -> db.replicaOf() == null).orElse(false))
                    .map(HostSpec::name).toList();
            for (String primary : primaries) {
                findings.add(new Finding(Kind.SPOF, "the write primary (" + primary + ")",
                        "Every write goes to the one primary on " + primary + "; its replicas only read. When it "
                                + "fails, reads go on from a replica but every write is refused until a replica is "
                                + "promoted, and writes it acknowledged that no replica had applied yet are lost "
                                + "(replication is asynchronous).",
                        "foobar-stack demo spof --only database"));
            }
        }
    }

    private static String name(Role role) {
        return switch (role) {
            case DNS -> "name server";
            case LB -> "load balancer";
            case WEB -> "web server";
            case APP -> "application server";
            case DB -> "database";
            case MONITOR -> "monitoring server";
        };
    }

    private static String consequence(Role role) {
        return switch (role) {
            case DNS -> "nobody can find the site by its name (and the app servers cannot find their databases)";
            case LB -> "every request fails, however many servers stand behind it";
            case WEB -> "the site does not answer at all";
            case APP -> "every page that needs the application fails (502)";
            case DB -> "every read and write fails";
            case MONITOR -> "nobody sees the other hosts' numbers or alerts, while the site itself goes on";
        };
    }

    private static String probe(Role role, Topology topology) {
        return role == Role.DNS ? "dig @" + topology.nameServer().map(p -> p.host().address().getHostAddress())
                .orElse("127.0.0.1") + " -p 5300 www." + topology.domain() + " times out"
                : "curl " + entryUrl(topology) + " fails";
    }

    /**
     * The site's front door as a curl argument that never asks the machine's resolver for a name of the zone:
     * {@code --resolve} pins www to the address the zone gives it.
     */
    static String entryUrl(Topology topology) {
        String address = topology.wwwAddresses().isEmpty() ? "127.0.0.1"
                : topology.wwwAddresses().get(0).getHostAddress();
        int port = topology.balancers().isEmpty()
                ? topology.tiers(WebTier.class).stream().findFirst().map(p -> p.tier().port()).orElse(8080)
                : topology.balancers().get(0).tier().port();
        String www = "www." + topology.domain() + ":" + port;
        return "--resolve " + www + ":" + address + " http://" + www + "/";
    }

    private static void security(Topology topology, List<Finding> findings) {
        for (HostSpec host : topology.hosts()) {
            if (host.firewall().isEmpty()) {
                findings.add(new Finding(Kind.SECURITY, host.name(),
                        host.name() + " has no firewall: every port of every tier it runs answers anyone who can "
                                + "reach its address, including the ones meant for one other host only.",
                        "nc -vz " + host.address().getHostAddress() + " " + host.tiers().get(0).port()
                                + "   # from anywhere"));
            }
        }
        for (HostSpec host : topology.hostsWith(Role.DB)) {
            int port = host.tier(DbTier.class).orElseThrow().port();
            if (!databaseClosedToOthers(host, port)) {
                findings.add(new Finding(Kind.SECURITY, "the database on " + host.name(),
                        "The database on " + host.name() + " accepts connections from any address, not only from "
                                + "its app servers (and its replicas): a stolen password, or a bug in the database's "
                                + "network code, is enough to read or destroy the data.",
                        "nc -vz " + host.address().getHostAddress() + " " + port
                                + "   # the database's port answers any address, not only the app servers'"));
            }
        }
        String entry = topology.balancers().isEmpty() ? "the web server" : "the load balancer";
        Optional<LbTls> tls = topology.balancers().stream().map(p -> p.tier().tls()).filter(LbTls::enabled)
                .findFirst();
        if (tls.isEmpty() || !tls.get().redirect()) {
            findings.add(new Finding(Kind.SECURITY, "the site's entry point (" + entry + ")",
                    "www." + topology.domain() + " answers in plain HTTP at " + entry + ": anyone on the path can "
                            + "read and change pages, form posts and cookies. HTTPS (TLS) at the entry point "
                            + "encrypts them.",
                    "curl -v " + entryUrl(topology) + "   # readable by every hop on the way"));
        }
        if (tls.isPresent() && !tls.get().toServers()) {
            String lb = topology.balancers().get(0).host().name();
            findings.add(new Finding(Kind.SECURITY, "TLS ends at the load balancer (" + lb + ")",
                    "The balancer decrypts every request and sends it on in plain HTTP to the web servers: inside "
                            + "the network, passwords and cookies travel readable, and anyone who gets onto it (or "
                            + "onto a server) can read or change them. Encrypting again to the servers "
                            + "(to-servers: tls) closes that gap, for a second handshake per server connection.",
                    "curl --cacert data/" + topology.name() + "/" + lb + "/lb/tls/ca.pem --resolve www."
                            + topology.domain() + ":" + tls.get().port() + ":" + topology.wwwAddresses().get(0)
                            .getHostAddress() + " https://www." + topology.domain() + ":"
                            + tls.get().port() + "/api/whoami   # then open it on the dashboard: the balancer's hop "
                            + "says encrypted from the client, plaintext to the web server"));
        }
    }

    /** Whether only the app servers (and replicas) may open the database's port, by the host's firewall. */
    private static boolean databaseClosedToOthers(HostSpec host, int port) {
        Optional<FirewallSpec> firewall = host.firewall();
        if (firewall.isEmpty()) {
            return false;
        }
        for (FirewallSpec.RuleSpec rule : firewall.get().rules()) {
            boolean coversPort = (rule.protocol() == null || rule.protocol().equals("tcp"))
                    && (rule.port() == 0 || rule.port() == port);
            if (!coversPort) {
                continue;
            }
            if (rule.action() == FirewallSpec.Policy.ACCEPT) {
                // the first rule that matches the port decides: open to anyone, or to named sources only
                return !rule.from().isEmpty() && rule.from().stream().noneMatch(s -> s.contains("/"));
            }
            return true; // dropped or rejected before any accept
        }
        return firewall.get().defaultPolicy() != FirewallSpec.Policy.ACCEPT;
    }
}
