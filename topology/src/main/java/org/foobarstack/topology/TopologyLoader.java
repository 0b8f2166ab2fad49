package org.foobarstack.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.foobarstack.topology.LocatedNode.Entry;
import org.foobarstack.topology.LocatedNode.Kind;
import org.foobarstack.topology.LocatedNode.Mapping;
import org.foobarstack.topology.LocatedNode.Scalar;
import org.foobarstack.topology.LocatedNode.Sequence;
import org.foobarstack.topology.TierSpec.Listener;

/**
 * Reads a topology file (the format is described in the module's README) and checks it.
 *
 * <p>Reading happens in two steps. {@link LocatedYamlReader} turns the YAML text into a tree of
 * {@link LocatedNode}s, each knowing its line and column. Then this class walks the tree: the top
 * level, each host, each tier, applying defaults and checking every rule. A problem does not stop
 * the walk: it is noted with its place, and the walk goes on with the next key, so that one run
 * reports everything wrong with a file, sorted by line, as a {@link TopologyException}.
 *
 * <p>Tiers refer to each other by host name ({@code app: server-1}), and a host may refer to a host
 * further down the file. So before reading any host in detail, the loader takes a first look at
 * which roles each host runs (the keys under its {@code tiers:}), and checks every reference against that.
 *
 * <p>One loader reads one file: the public methods each make a new one, so nothing is shared
 * between two loads.
 */
public final class TopologyLoader {

    private static final List<String> TOPOLOGY_KEYS = List.of("name", "description", "domain", "www", "hosts");
    private static final List<String> HOST_KEYS = List.of("address", "description", "tiers", "firewall");
    private static final List<String> FIREWALL_KEYS = List.of("default", "rules");
    private static final List<String> FIREWALL_RULE_KEYS = List.of("accept", "drop", "reject", "from", "comment");
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/(\\d{1,2}))?");
    private static final Pattern MATCH = Pattern.compile("(tcp|udp)(?:/(\\d{1,5}))?|any");
    private static final List<String> LB_KEYS = List.of("port", "stats-port", "mode", "balance", "check", "retries",
            "redispatch", "retry-on", "timeout", "servers", "https", "vrrp");
    private static final List<String> VRRP_KEYS = List.of("address", "router-id", "priority", "advert-interval",
            "preempt", "port");
    private static final List<String> HTTPS_KEYS = List.of("port", "redirect", "hsts-max-age", "to-servers");
    private static final List<String> CAPACITY_KEYS = List.of("workers", "service-time", "queue");
    private static final List<String> CHECK_KEYS = List.of("type", "path", "inter", "timeout", "rise", "fall");
    private static final List<String> TIMEOUT_KEYS = List.of("connect", "server", "client");
    private static final List<String> SERVER_KEYS = List.of("host", "weight", "backup", "check");

    /** A positive whole number and a unit: {@code 500ms}, {@code 2s}, {@code 1m}. Nine digits keep it far from overflow. */
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,8})(ms|s|m)");
    /** A whole number as a person writes it: no sign but minus, no leading zero (YAML 1.1 reads {@code 010} as octal). */
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]*)");
    /** Two or more DNS labels (RFC 1035 §2.3.1, lower case only), 253 characters at most. */
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+");
    private static final String NAME_RULE = "must be a lower-case letter, then up to 30 lower-case letters, digits or '-'";

    private final String source;
    private final List<Problem> problems = new ArrayList<>();
    /** The first look: each host's name and the roles under its {@code tiers:}, in file order. */
    private final Map<String, Set<Role>> rolesByHost = new LinkedHashMap<>();
    /** Each replica's host, and where its {@code replica-of:} value is, for the rules that span hosts. */
    private final Map<String, LocatedNode> replicas = new java.util.LinkedHashMap<>();
    /** Addresses already given, each with its host and line, for "already the address of". */
    private final Map<String, AddressGiven> addresses = new HashMap<>();
    /** The {@code dns:} key of the first name server, and its host. */
    private Scalar nameServerKey;
    /** The virtual address of each balancer pair, by router id, where it was first given. */
    private final Map<Integer, VirtualAddress> virtualAddresses = new java.util.HashMap<>();

    private record VirtualAddress(String address, String host, int line) {
    }

    /** Every virtual address given, with the line it was first given on: no host may have one as its own. */
    private final Map<String, Integer> virtualAddressLines = new java.util.HashMap<>();
    /** Where the monitor tier was first named, so that a second one can point at it. */
    private Scalar monitorKeyAt;
    private String monitorHost;
    private String nameServerHost;

    private record AddressGiven(String host, int line) {
    }

    private TopologyLoader(String source) {
        this.source = source;
    }

    /** Reads a topology file; errors name the file as given ({@code topologies/mine.yaml:3:5: ...}). */
    public static Topology load(Path file) throws IOException {
        return load(file.toString(), Files.readString(file));
    }

    /**
     * Reads a topology from text.
     *
     * @param sourceName what error messages call the text, usually a file name
     * @throws TopologyException listing every problem found, in file order
     */
    public static Topology load(String sourceName, String yaml) {
        return new TopologyLoader(sourceName).read(yaml);
    }

    /**
     * Reads a topology file from the class path ({@code org/foobarstack/topology/shipped/simple.yaml});
     * errors name the file without its directory.
     */
    public static Topology loadResource(String resourceName) {
        try (InputStream in = TopologyLoader.class.getClassLoader().getResourceAsStream(resourceName)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resourceName + " on the class path");
            }
            String fileName = resourceName.substring(resourceName.lastIndexOf('/') + 1);
            return load(fileName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resourceName, e);
        }
    }

    private Topology read(String yaml) {
        LocatedNode root = LocatedYamlReader.read(source, yaml, problems);
        Optional<Topology> topology = readTopology(root);
        if (!problems.isEmpty()) {
            throw new TopologyException(problems);
        }
        return topology.orElseThrow();
    }

    // ---------------------------------------------------------------- the top level

    private Optional<Topology> readTopology(LocatedNode root) {
        if (!(root instanceof Mapping top)) {
            report(root, "expected a map with name: and hosts: at the top of the file, got " + root.describe());
            return Optional.empty();
        }
        Fields fields = new Fields(top, "", root, TOPOLOGY_KEYS);
        Optional<String> name = fields.required("name").flatMap(node -> text(node, "name"));
        name.filter(text -> !HostSpec.NAME.matcher(text).matches())
                .ifPresent(text -> report(fields.at("name"), "topology name \"" + text + "\" " + NAME_RULE));
        String description = fields.text("description", "").strip();
        String domain = fields.text("domain", Topology.DEFAULT_DOMAIN);
        if (!DOMAIN.matcher(domain).matches()) {
            report(fields.at("domain"), "domain \"" + domain + "\" is not a domain name: two or more labels of"
                    + " lower-case letters, digits and '-', separated by dots, as in foobar.com");
        }
        WwwRecord www = fields.choice("www", "www record", WwwRecord.values(), WwwRecord::key, WwwRecord.A);
        List<HostSpec> hosts = fields.required("hosts").map(this::readHosts).orElse(List.of());
        checkReplication();
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Topology(name.orElseThrow(), description, domain, www, hosts));
    }

    // ---------------------------------------------------------------- hosts

    private List<HostSpec> readHosts(LocatedNode node) {
        Optional<Mapping> hosts = map(node, "hosts (host name: host)");
        if (hosts.isEmpty()) {
            return List.of();
        }
        if (hosts.get().entries().isEmpty()) {
            report(node, "a topology has at least one host");
        }
        takeFirstLook(hosts.get());
        List<HostSpec> read = new ArrayList<>();
        for (Entry entry : hosts.get().entries()) {
            readHost(entry).ifPresent(read::add);
        }
        return read;
    }

    /** Which roles each host runs, from the keys under its {@code tiers:} alone, so that references can be checked. */
    private void takeFirstLook(Mapping hosts) {
        for (Entry host : hosts.entries()) {
            Set<Role> roles = EnumSet.noneOf(Role.class);
            if (host.value() instanceof Mapping fields
                    && fields.entry("tiers").map(Entry::value).orElse(null) instanceof Mapping tiers) {
                tiers.entries().forEach(tier -> Role.fromKey(tier.key().text()).ifPresent(roles::add));
            }
            rolesByHost.put(host.key().text(), roles);
        }
    }

    private Optional<HostSpec> readHost(Entry entry) {
        int before = problems.size();
        Scalar nameKey = entry.key();
        String name = nameKey.text();
        if (!HostSpec.NAME.matcher(name).matches()) {
            report(nameKey, "host name \"" + name + "\" " + NAME_RULE + " (it becomes a DNS label, as in server-1.foobar.com)");
        }
        Optional<Mapping> host = map(entry.value(), "host " + name);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        Fields fields = new Fields(host.get(), " in host " + name, nameKey, HOST_KEYS);
        Optional<InetAddress> address = fields.required("address").flatMap(node -> address(node, name));
        String description = fields.text("description", "").strip();
        List<TierSpec> tiers = fields.required("tiers").map(node -> readTiers(node, name)).orElse(List.of());
        Optional<FirewallSpec> firewall = readFirewall(fields, name);
        return ifNoNewProblems(before, () -> new HostSpec(name, address.orElseThrow(), description, tiers, firewall));
    }

    /**
     * An IPv4 address in dotted-quad form, parsed here rather than by {@link InetAddress#getByName}, which
     * would look a name up in DNS: an address in a topology file is always a literal.
     */
    private Optional<InetAddress> address(LocatedNode node, String host) {
        Optional<String> text = text(node, "address");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> bytes = dottedQuad(text.get());
        if (bytes.isEmpty()) {
            report(node, "\"" + text.get() + "\" is not an IPv4 address: write four numbers 0..255 without leading"
                    + " zeros, as in 127.0.0.11 (names are never looked up)");
            return Optional.empty();
        }
        if (bytes.get()[0] != 127) {
            report(node, text.get() + " is not on the loopback network 127.0.0.0/8, where every host of a topology lives");
            return Optional.empty();
        }
        Integer vipLine = virtualAddressLines.get(text.get());
        if (vipLine != null) {
            report(node, text.get() + " is the virtual address of a balancer pair (line " + vipLine + ")");
            return Optional.empty();
        }
        AddressGiven first = addresses.putIfAbsent(text.get(), new AddressGiven(host, node.line()));
        if (first != null) {
            report(node, text.get() + " is already the address of " + first.host() + " (line " + first.line() + ")");
            return Optional.empty();
        }
        return Optional.of(Topology.numericAddress(bytes.get()));
    }

    private static Optional<byte[]> dottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(parts[i]) > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        return Optional.of(bytes);
    }

    // ---------------------------------------------------------------- firewalls

    /** {@code firewall: { default: drop, rules: [ { accept: tcp/8080, from: lb-1 }, ... ] }}. */
    private Optional<FirewallSpec> readFirewall(Fields host, String hostName) {
        if (host.value("firewall").isEmpty()) {
            return Optional.empty();
        }
        Optional<Fields> read = host.child("firewall", " in the firewall of " + hostName, FIREWALL_KEYS);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        Fields firewall = read.get();
        int before = problems.size();
        firewall.required("default");
        FirewallSpec.Policy policy = firewall.choice("default", "policy", FirewallSpec.Policy.values(),
                FirewallSpec.Policy::key, FirewallSpec.Policy.ACCEPT);
        List<FirewallSpec.RuleSpec> rules = new ArrayList<>();
        Optional<LocatedNode> list = firewall.value("rules");
        if (list.isPresent()) {
            if (list.get() instanceof Sequence sequence) {
                int number = 0;
                for (LocatedNode item : sequence.items()) {
                    number++;
                    readRule(item, number, hostName).ifPresent(rules::add);
                }
            } else {
                report(list.get(), "expected a list of rules, as in [ { accept: tcp/8080, from: lb-1 } ], got "
                        + list.get().describe());
            }
        }
        return ifNoNewProblems(before, () -> new FirewallSpec(policy, rules));
    }

    private Optional<FirewallSpec.RuleSpec> readRule(LocatedNode item, int number, String hostName) {
        Optional<Mapping> map = map(item, "a firewall rule");
        if (map.isEmpty()) {
            return Optional.empty();
        }
        int before = problems.size();
        Fields rule = new Fields(map.get(), " in rule " + number + " of the firewall of " + hostName, item,
                FIREWALL_RULE_KEYS);
        List<FirewallSpec.Policy> actions = new ArrayList<>();
        for (FirewallSpec.Policy p : FirewallSpec.Policy.values()) {
            rule.value(p.key()).ifPresent(v -> actions.add(p));
        }
        if (actions.size() != 1) {
            report(item, "rule " + number + " of the firewall of " + hostName + " says what it does with exactly one"
                    + " of accept:, drop: or reject:, as in { accept: tcp/8080, from: lb-1 }");
            return Optional.empty();
        }
        FirewallSpec.Policy action = actions.get(0);
        LocatedNode matchNode = rule.value(action.key()).orElseThrow();
        String match = text(matchNode, action.key()).orElse("");
        java.util.regex.Matcher m = MATCH.matcher(match);
        String protocol = null;
        int port = 0;
        if (!m.matches()) {
            report(matchNode, "\"" + match + "\" is not what a rule matches: tcp/PORT, udp/PORT, tcp, udp or any");
        } else if (m.group(1) != null) {
            protocol = m.group(1);
            if (m.group(2) != null) {
                port = Integer.parseInt(m.group(2));
                if (port < 1 || port > 65535) {
                    report(matchNode, "port " + port + " is out of range 1..65535");
                }
            }
        }
        List<String> from = new ArrayList<>();
        Optional<LocatedNode> fromNode = rule.value("from");
        if (fromNode.isPresent()) {
            List<LocatedNode> sources = fromNode.get() instanceof Sequence seq ? seq.items() : List.of(fromNode.get());
            for (LocatedNode source : sources) {
                text(source, "from").ifPresent(text -> {
                    if (checkSource(source, text)) {
                        from.add(text);
                    }
                });
            }
        }
        String comment = rule.text("comment", "");
        String p = protocol;
        int port2 = port;
        return ifNoNewProblems(before, () -> new FirewallSpec.RuleSpec(action, p, port2, from.contains("any")
                ? List.of() : from, comment));
    }

    /** A source is a host of this topology, a role (every host running it), an IPv4 address or block, or any. */
    private boolean checkSource(LocatedNode node, String text) {
        if (text.equals("any") || rolesByHost.containsKey(text) || Role.fromKey(text).isPresent()) {
            return true;
        }
        java.util.regex.Matcher m = CIDR.matcher(text);
        if (m.matches() && dottedQuad(m.group(1)).isPresent()
                && (m.group(2) == null || Integer.parseInt(m.group(2)) <= 32)) {
            return true;
        }
        report(node, "\"" + text + "\" in from: is neither a host of this topology (" + String.join(", ",
                rolesByHost.keySet()) + "), a role (" + roleKeys() + "), an IPv4 address or block (127.0.0.0/24), "
                + "nor any");
        return false;
    }

    // ---------------------------------------------------------------- tiers

    /** A tier as read, with the fields it was read from, for the port clash check. */
    private record ReadTier(TierSpec tier, Fields fields) {
    }

    private List<TierSpec> readTiers(LocatedNode node, String host) {
        Optional<Mapping> tiers = map(node, "tiers");
        if (tiers.isEmpty()) {
            return List.of();
        }
        if (tiers.get().entries().isEmpty()) {
            report(node, "a host runs at least one tier (roles: " + roleKeys() + ")");
        }
        List<ReadTier> read = new ArrayList<>();
        for (Entry entry : tiers.get().entries()) {
            Optional<Role> role = Role.fromKey(entry.key().text());
            if (role.isEmpty()) {
                report(entry.key(), "unknown role \"" + entry.key().text() + "\" (roles: " + roleKeys() + ")");
                continue;
            }
            if (role.get() == Role.DNS) {
                checkOneNameServer(entry.key(), host);
            }
            if (role.get() == Role.MONITOR) {
                checkOneMonitoringServer(entry.key(), host);
            }
            Optional<Mapping> settings = map(entry.value(), "the " + role.get().key() + " tier");
            if (settings.isEmpty()) {
                continue;
            }
            String where = " in the " + role.get().key() + " tier of " + host;
            Fields fields = new Fields(settings.get(), where, entry.key(), keysOf(role.get()));
            readTier(role.get(), fields, host).ifPresent(tier -> read.add(new ReadTier(tier, fields)));
        }
        checkPortClashes(read);
        return read.stream().map(ReadTier::tier).toList();
    }

    private static List<String> keysOf(Role role) {
        return switch (role) {
            case DNS -> List.of("port");
            case DB -> List.of("port", "replica-of", "failover", "failover-after");
            case WEB -> List.of("port", "https-port", "app");
            case APP -> List.of("port", "db", "version", "capacity");
            case LB -> LB_KEYS;
            case MONITOR -> List.of("port", "high-request-rate", "replication-lag");
        };
    }

    private Optional<TierSpec> readTier(Role role, Fields fields, String host) {
        int before = problems.size();
        int port = fields.port("port", role.defaultPort(), false);
        return switch (role) {
            case DNS -> ifNoNewProblems(before, () -> new DnsTier(port));
            case DB -> readDatabase(fields, port, host, before);
            case WEB -> {
                int httpsPort = fields.port("https-port", WebTier.DEFAULT_HTTPS_PORT, true);
                String appHost = appHostOf(fields, host);
                yield ifNoNewProblems(before, () -> new WebTier(port, httpsPort, appHost));
            }
            case APP -> {
                String dbHost = dbHostOf(fields, host);
                String version = fields.text("version", AppTier.DEFAULT_VERSION);
                if (!AppTier.VERSIONS.contains(version)) {
                    report(fields.at("version"), "unknown app version \"" + version + "\" (the versions that ship: "
                            + String.join(", ", AppTier.VERSIONS) + ")");
                }
                Optional<AppTier.Capacity> capacity = fields.child("capacity", " in the capacity of the app tier of "
                        + host, CAPACITY_KEYS).flatMap(this::readCapacity);
                yield ifNoNewProblems(before, () -> new AppTier(port, dbHost, version, capacity));
            }
            case LB -> readBalancer(fields, port, host, before);
            case MONITOR -> readMonitor(fields, port, before);
        };
    }

    /** A monitor tier: its port and its alert thresholds. */
    private Optional<TierSpec> readMonitor(Fields monitor, int port, int before) {
        int rate = monitor.atLeastOne("high-request-rate", (int) MonitorTier.DEFAULT_HIGH_REQUEST_RATE);
        Duration lag = monitor.duration("replication-lag", MonitorTier.DEFAULT_REPLICATION_LAG);
        return ifNoNewProblems(before, () -> new MonitorTier(port, rate, lag));
    }

    /** A db tier: a primary, or with {@code replica-of:} a replica, and how it fails over. */
    private Optional<TierSpec> readDatabase(Fields db, int port, String host, int before) {
        Optional<LocatedNode> of = db.value("replica-of");
        String replicaOf = of.map(node -> reference(node, "replica-of", Role.DB)).orElse(null);
        if (replicaOf != null && replicaOf.equals(host)) {
            report(of.get(), "a database cannot be a replica of itself");
        }
        DbTier.FailoverMode mode = db.choice("failover", "failover mode", DbTier.FailoverMode.values(),
                DbTier.FailoverMode::key, DbTier.FailoverMode.MANUAL);
        int after = db.atLeastOne("failover-after", DbTier.Failover.DEFAULT_AFTER);
        if (replicaOf == null) {
            for (String key : List.of("failover", "failover-after")) {
                db.value(key).ifPresent(node -> report(node, key + " is for a replica (with replica-of:): it says "
                        + "when a replica takes over from its primary"));
            }
        } else if (!replicaOf.equals(host) && rolesByHost.getOrDefault(replicaOf, Set.of()).contains(Role.DB)) {
            replicas.put(host, of.get()); // a sound reference: checked against the others once all are read
        }
        return ifNoNewProblems(before, () -> new DbTier(port, replicaOf, new DbTier.Failover(mode, after)));
    }

    /**
     * Rules that span hosts: a replica follows a primary, never another replica (no chains); one primary has
     * replicas at most (the zone names it {@code db.<domain>}); and the app finds it through DNS, so there must be
     * a name server.
     */
    private void checkReplication() {
        String primaryWithReplicas = null;
        for (Map.Entry<String, LocatedNode> replica : replicas.entrySet()) {
            String primary = text(replica.getValue(), "replica-of").orElse("");
            if (replicas.containsKey(primary)) {
                report(replica.getValue(), primary + " is itself a replica (of "
                        + text(replicas.get(primary), "replica-of").orElse("?") + "): a replica follows a primary");
            }
            if (primaryWithReplicas == null) {
                primaryWithReplicas = primary;
            } else if (!primaryWithReplicas.equals(primary)) {
                report(replica.getValue(), "only one primary may have replicas here, and " + primaryWithReplicas
                        + " has: the zone names it db.<domain>");
            }
        }
        if (!replicas.isEmpty() && hostsRunning(Role.DNS).isEmpty()) {
            report(replicas.values().iterator().next(), "a replica needs a dns tier in the topology: the app servers "
                    + "find the primary and the replicas through DNS names (db.<domain>, replicas.db.<domain>)");
        }
    }

    /** Every host's client pushes to one monitoring server: a second would see half the hosts each. */
    private void checkOneMonitoringServer(Scalar monitorKey, String host) {
        if (monitorKey(monitorKey, host)) {
            report(monitorKey, "a second monitor tier: every host pushes to one monitoring server, here on "
                    + monitorHost + " (line " + monitorKeyAt.line() + ")");
        }
    }

    private boolean monitorKey(Scalar key, String host) {
        if (monitorKeyAt == null) {
            monitorKeyAt = key;
            monitorHost = host;
            return false;
        }
        return true;
    }

    private void checkOneNameServer(Scalar dnsKey, String host) {
        if (nameServerKey == null) {
            nameServerKey = dnsKey;
            nameServerHost = host;
        } else {
            report(dnsKey, "a second dns tier: the zone has one name server here, on " + nameServerHost
                    + " (line " + nameServerKey.line() + ")");
        }
    }

    /**
     * Two listeners of one host clash when they have the same port number and transport: the
     * second could not bind. Port 0 never clashes, since each such listener gets a free port of its own.
     */
    private void checkPortClashes(List<ReadTier> tiers) {
        record Taken(Listener listener, LocatedNode at) {
        }
        Map<String, Taken> taken = new HashMap<>();
        for (ReadTier read : tiers) {
            for (Listener listener : read.tier().listeners()) {
                if (listener.port() == 0) {
                    continue;
                }
                String slot = listener.port() + "/" + listener.transport().key();
                LocatedNode at = read.fields().at(listener.key());
                Taken first = taken.putIfAbsent(slot, new Taken(listener, at));
                if (first != null) {
                    report(at, "port " + slot + " of " + listener.label() + " is already taken by "
                            + first.listener().label() + " (line " + first.at().line() + ")");
                }
            }
        }
    }

    /** {@code app:} as written, else this host when it runs an app tier; there is no other default. */
    private String appHostOf(Fields web, String host) {
        Optional<LocatedNode> named = web.value("app");
        if (named.isPresent()) {
            return reference(named.get(), "app", Role.APP);
        }
        if (rolesByHost.get(host).contains(Role.APP)) {
            return host;
        }
        List<String> apps = hostsRunning(Role.APP);
        report(web.owner(), "web server on " + host + " has no app server to reach: " + (apps.isEmpty()
                ? "no host runs an app tier"
                : "its host runs none, so name one with app: (hosts that run one: " + String.join(", ", apps) + ")"));
        return host;
    }

    /** {@code db:} as written, else this host when it runs a db tier, else the only db host there is. */
    private String dbHostOf(Fields app, String host) {
        Optional<LocatedNode> named = app.value("db");
        if (named.isPresent()) {
            return reference(named.get(), "db", Role.DB);
        }
        if (rolesByHost.get(host).contains(Role.DB)) {
            return host;
        }
        List<String> databases = hostsRunning(Role.DB);
        if (databases.size() == 1) {
            return databases.get(0);
        }
        report(app.owner(), "app server on " + host + " has no database to reach: " + (databases.isEmpty()
                ? "no host runs a db tier"
                : "its host runs none and " + databases.size() + " hosts do, so name one with db: ("
                        + String.join(", ", databases) + ")"));
        return host;
    }

    /** A host name that must name a host running a tier of {@code role}. */
    private String reference(LocatedNode node, String key, Role role) {
        Optional<String> name = text(node, key);
        if (name.isEmpty()) {
            return "";
        }
        Set<Role> roles = rolesByHost.get(name.get());
        if (roles == null) {
            report(node, "unknown host \"" + name.get() + "\" (hosts: " + String.join(", ", rolesByHost.keySet()) + ")");
        } else if (!roles.contains(role)) {
            List<String> running = hostsRunning(role);
            report(node, name.get() + " runs no " + role.key() + " tier (" + (running.isEmpty()
                    ? "no host does"
                    : "hosts that do: " + String.join(", ", running)) + ")");
        }
        return name.get();
    }

    private List<String> hostsRunning(Role role) {
        return rolesByHost.entrySet().stream().filter(host -> host.getValue().contains(role)).map(Map.Entry::getKey).toList();
    }

    // ---------------------------------------------------------------- the load balancer

    private Optional<TierSpec> readBalancer(Fields lb, int port, String host, int before) {
        int statsPort = lb.port("stats-port", LbTier.DEFAULT_STATS_PORT, true);
        LbMode mode = lb.choice("mode", "mode", LbMode.values(), LbMode::key, LbMode.HTTP);
        Balance balance = lb.choice("balance", "balance", Balance.values(), Balance::key, Balance.ROUNDROBIN);
        if (balance == Balance.URI && mode != LbMode.HTTP) {
            report(lb.at("balance"), "balance uri needs mode http: a tcp balancer never reads the URI");
        }
        HealthCheckSpec check = lb.child("check", " in the check of the lb tier of " + host, CHECK_KEYS)
                .map(this::readCheck).orElse(HealthCheckSpec.DEFAULT);
        int retries = lb.integer("retries", LbTier.DEFAULT_RETRIES);
        if (retries < 0) {
            report(lb.at("retries"), "retries must be 0 or more, got " + retries);
        }
        boolean redispatch = lb.flag("redispatch", true);
        List<RetryOn> retryOn = readRetryOn(lb);
        LbTimeouts timeouts = lb.child("timeout", " in the timeout of the lb tier of " + host, TIMEOUT_KEYS)
                .map(this::readTimeouts).orElse(LbTimeouts.DEFAULT);
        List<LbServer> servers = readServers(lb, host);
        LbTls tls = LbTls.OFF;
        if (lb.value("https").isPresent()) {
            Optional<Fields> https = lb.child("https", " in the https of the lb tier of " + host, HTTPS_KEYS);
            if (https.isPresent()) {
                tls = readTls(https.get());
                if (mode != LbMode.HTTP) {
                    report(lb.at("https"), "https at the balancer needs mode http: a tcp balancer passes TLS through");
                }
            }
        }
        LbTls finalTls = tls;
        Optional<LbVrrp> vrrp = lb.child("vrrp", " in the vrrp of the lb tier of " + host, VRRP_KEYS)
                .flatMap(fields -> readVrrp(fields, host));
        return ifNoNewProblems(before, () -> new LbTier(port, statsPort, mode, balance, check, retries, redispatch,
                retryOn, timeouts, servers, finalTls, vrrp));
    }

    /**
     * {@code vrrp: { address: 127.0.0.100, router-id: 51, priority: 150 }}: the balancer's place in a pair. The
     * members of one pair share a router id and a virtual address, which is no host's own address.
     */
    private Optional<LbVrrp> readVrrp(Fields vrrp, String host) {
        int before = problems.size();
        Optional<LocatedNode> addressNode = vrrp.required("address");
        Optional<String> text = addressNode.flatMap(node -> text(node, "address"));
        Optional<byte[]> bytes = text.flatMap(TopologyLoader::dottedQuad);
        if (text.isPresent() && (bytes.isEmpty() || bytes.get()[0] != 127)) {
            report(addressNode.get(), "\"" + text.get() + "\" is not an address on the loopback network 127.0.0.0/8, "
                    + "as in 127.0.0.100");
        } else if (text.isPresent() && addresses.containsKey(text.get())) {
            AddressGiven owner = addresses.get(text.get());
            report(addressNode.get(), text.get() + " is the address of " + owner.host() + " (line " + owner.line()
                    + "): a virtual address belongs to no host, only to whichever balancer is master");
        }
        text.ifPresent(vip -> virtualAddressLines.putIfAbsent(vip, addressNode.get().line()));
        int routerId = vrrp.integer("router-id", 0);
        if (routerId < 1 || routerId > 255) {
            report(vrrp.at("router-id"), "router-id must be 1..255 (keepalived's virtual_router_id), the same on "
                    + "both balancers of the pair" + (vrrp.value("router-id").isEmpty() ? ": it is missing" : ""));
        }
        int priority = vrrp.integer("priority", LbVrrp.DEFAULT_PRIORITY);
        if (priority < 1 || priority > 254) {
            report(vrrp.at("priority"), "priority must be 1..254, got " + priority + " (higher is master)");
        }
        Duration interval = vrrp.duration("advert-interval", LbVrrp.DEFAULT_ADVERT_INTERVAL);
        boolean preempt = vrrp.flag("preempt", true);
        int port = vrrp.port("port", LbVrrp.DEFAULT_PORT, false);
        if (text.isPresent() && routerId >= 1 && routerId <= 255) {
            VirtualAddress first = virtualAddresses.putIfAbsent(routerId,
                    new VirtualAddress(text.get(), host, addressNode.get().line()));
            if (first != null && !first.address().equals(text.get())) {
                report(addressNode.get(), "router-id " + routerId + " already has the virtual address "
                        + first.address() + " (" + first.host() + ", line " + first.line()
                        + "): the members of a pair share one");
            }
        }
        return ifNoNewProblems(before, () -> new LbVrrp(Topology.numericAddress(bytes.orElseThrow()), routerId,
                priority, interval, preempt, port));
    }

    /**
     * {@code retry-on: [conn-failure, empty-response]}: a list of conditions, each once, in the order
     * written. An empty list is refused rather than read as "never retry": {@code retries: 0} already
     * says that, and one way to say a thing is easier to read than two.
     */
    private List<RetryOn> readRetryOn(Fields lb) {
        Optional<LocatedNode> node = lb.value("retry-on");
        if (node.isEmpty()) {
            return LbTier.DEFAULT_RETRY_ON;
        }
        if (!(node.get() instanceof Sequence list)) {
            report(node.get(), "expected a list for retry-on, as in [conn-failure, empty-response], got "
                    + node.get().describe());
            return LbTier.DEFAULT_RETRY_ON;
        }
        if (list.items().isEmpty()) {
            report(list, "retry-on needs at least one condition; to never retry set retries: 0");
            return LbTier.DEFAULT_RETRY_ON;
        }
        List<RetryOn> conditions = new ArrayList<>();
        Map<RetryOn, Integer> seen = new EnumMap<>(RetryOn.class);
        for (LocatedNode item : list.items()) {
            Optional<RetryOn> condition = word(item, "retry-on", "retry-on condition", RetryOn.values(), RetryOn::key);
            if (condition.isEmpty()) {
                continue;
            }
            Integer firstLine = seen.putIfAbsent(condition.get(), item.line());
            if (firstLine != null) {
                report(item, "duplicate retry-on condition \"" + condition.get().key() + "\" (first at line "
                        + firstLine + ")");
                continue;
            }
            conditions.add(condition.get());
        }
        return conditions.isEmpty() ? LbTier.DEFAULT_RETRY_ON : conditions;
    }

    /** {@code capacity: { workers: 2, service-time: 40ms, queue: 8 }}: all three keys are required. */
    private Optional<AppTier.Capacity> readCapacity(Fields capacity) {
        int before = problems.size();
        capacity.required("workers");
        capacity.required("service-time");
        int workers = capacity.atLeastOne("workers", 1);
        Duration serviceTime = capacity.duration("service-time", Duration.ofMillis(1));
        if (capacity.value("service-time").isPresent() && serviceTime.isZero()) {
            report(capacity.at("service-time"), "service-time must be more than 0");
        }
        int queue = capacity.integer("queue", 0);
        if (queue < 0) {
            report(capacity.at("queue"), "queue must be 0 or more, got " + queue);
        }
        return ifNoNewProblems(before, () -> new AppTier.Capacity(workers, serviceTime, queue));
    }

    /** {@code https: { port: 8443, redirect: true, hsts-max-age: 31536000, to-servers: tls }}. */
    private LbTls readTls(Fields https) {
        int port = https.port("port", LbTls.DEFAULT_PORT, false);
        boolean redirect = https.flag("redirect", true);
        int hsts = https.integer("hsts-max-age", (int) LbTls.DEFAULT_HSTS_MAX_AGE);
        if (hsts < 0) {
            report(https.at("hsts-max-age"), "hsts-max-age is seconds, 0 or more (0 sends no header), got " + hsts);
            hsts = 0;
        }
        String toServers = https.text("to-servers", "plain");
        if (!toServers.equals("plain") && !toServers.equals("tls")) {
            report(https.at("to-servers"), "to-servers is plain (HTTP behind the balancer) or tls (encrypted again, "
                    + "the servers' certificates verified), not \"" + toServers + "\"");
        }
        return new LbTls(port, redirect, hsts, toServers.equals("tls"));
    }

    private HealthCheckSpec readCheck(Fields check) {
        HealthCheckSpec defaults = HealthCheckSpec.DEFAULT;
        CheckType type = check.choice("type", "check type", CheckType.values(), CheckType::key, defaults.type());
        String path = check.text("path", defaults.path());
        if (check.value("path").isPresent()) {
            if (type == CheckType.TCP) {
                report(check.at("path"), "path is for http checks; a tcp check only connects");
            } else if (!path.startsWith("/")) {
                report(check.at("path"), "check path must start with /, got \"" + path + "\"");
            }
        }
        Duration inter = check.duration("inter", defaults.inter());
        Duration timeout = check.duration("timeout", defaults.timeout());
        int rise = check.atLeastOne("rise", defaults.rise());
        int fall = check.atLeastOne("fall", defaults.fall());
        return new HealthCheckSpec(type, path.startsWith("/") ? path : defaults.path(), inter, timeout, rise, fall);
    }

    private LbTimeouts readTimeouts(Fields timeout) {
        LbTimeouts defaults = LbTimeouts.DEFAULT;
        return new LbTimeouts(timeout.duration("connect", defaults.connect()),
                timeout.duration("server", defaults.server()),
                timeout.duration("client", defaults.client()));
    }

    private List<LbServer> readServers(Fields lb, String host) {
        String none = "load balancer on " + host + " has no servers: list at least one under servers:";
        Optional<LocatedNode> node = lb.value("servers");
        if (node.isEmpty() || node.get() instanceof Scalar scalar && scalar.kind() == Kind.NULL) {
            report(node.orElse(lb.owner()), none);
            return List.of();
        }
        if (!(node.get() instanceof Sequence list)) {
            report(node.get(), "expected a list for servers, got " + node.get().describe());
            return List.of();
        }
        if (list.items().isEmpty()) {
            report(list, none);
        }
        List<LbServer> servers = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (LocatedNode item : list.items()) {
            Optional<Mapping> server = map(item, "a server, as in { host: server-1 }");
            if (server.isEmpty()) {
                continue;
            }
            Fields fields = new Fields(server.get(), " in a server of the lb tier of " + host, item, SERVER_KEYS);
            Optional<LocatedNode> hostNode = fields.required("host");
            String serverHost = hostNode.map(name -> reference(name, "host", Role.WEB)).orElse("");
            if (!serverHost.isEmpty()) {
                Integer firstLine = seen.putIfAbsent(serverHost, hostNode.get().line());
                if (firstLine != null) {
                    report(hostNode.get(), serverHost + " is already a server of this load balancer (line " + firstLine + ")");
                }
            }
            int weight = fields.integer("weight", LbServer.DEFAULT_WEIGHT);
            if (weight < 0 || weight > LbServer.MAX_WEIGHT) {
                report(fields.at("weight"), "weight " + weight + " is out of range 0.." + LbServer.MAX_WEIGHT);
                weight = LbServer.DEFAULT_WEIGHT;
            }
            boolean backup = fields.flag("backup", false);
            boolean check = fields.flag("check", true);
            servers.add(new LbServer(serverHost, weight, backup, check));
        }
        return servers;
    }

    // ---------------------------------------------------------------- values

    /**
     * The keys of one YAML map being read. It reports unknown keys as soon as it is made, and a
     * required key that is missing at {@code owner}: the key the map belongs to, which is where a
     * reader looks for it. A value that is wrong is reported at the value, and the default is
     * used in its place, so that reading can go on. {@code where} is how messages name the map:
     * {@code " in host server-1"}, or {@code ""} at the top.
     */
    private final class Fields {

        private final Mapping map;
        private final String where;
        private final LocatedNode owner;

        Fields(Mapping map, String where, LocatedNode owner, List<String> knownKeys) {
            this.map = map;
            this.where = where;
            this.owner = owner;
            for (Entry entry : map.entries()) {
                if (!knownKeys.contains(entry.key().text())) {
                    report(entry.key(), "unknown key \"" + entry.key().text() + "\"" + where
                            + " (known keys: " + String.join(", ", knownKeys) + ")");
                }
            }
        }

        LocatedNode owner() {
            return owner;
        }

        Optional<LocatedNode> value(String key) {
            return map.entry(key).map(Entry::value);
        }

        /** Where a key's value is, or where its owner is when the key is absent and the default applies. */
        LocatedNode at(String key) {
            return value(key).orElse(owner);
        }

        Optional<LocatedNode> required(String key) {
            Optional<LocatedNode> value = value(key);
            if (value.isEmpty()) {
                report(owner, "missing required key \"" + key + "\"" + where);
            }
            return value;
        }

        /** The map under {@code key}, read with its own keys; empty when the key is absent (all defaults) or wrong. */
        Optional<Fields> child(String key, String childWhere, List<String> knownKeys) {
            Optional<Entry> entry = map.entry(key);
            return entry.flatMap(found -> map(found.value(), key)
                    .map(child -> new Fields(child, childWhere, found.key(), knownKeys)));
        }

        String text(String key, String defaultValue) {
            return value(key).flatMap(node -> TopologyLoader.this.text(node, key)).orElse(defaultValue);
        }

        int integer(String key, int defaultValue) {
            Optional<LocatedNode> node = value(key);
            if (node.isEmpty()) {
                return defaultValue;
            }
            Optional<Long> number = wholeNumber(node.get());
            if (number.isEmpty()) {
                report(node.get(), "expected " + aNumber(node.get()) + " for " + key + ", got " + node.get().describe());
                return defaultValue;
            }
            return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number.get()));
        }

        int atLeastOne(String key, int defaultValue) {
            int value = integer(key, defaultValue);
            if (value < 1) {
                report(at(key), key + " must be 1 or more, got " + value);
                return defaultValue;
            }
            return value;
        }

        /**
         * A port, 0..65535; with {@code canBeOff}, also {@code off} or -1 for a listener that is not
         * opened ({@link TierSpec#OFF}).
         */
        int port(String key, int defaultValue, boolean canBeOff) {
            Optional<LocatedNode> node = value(key);
            if (node.isEmpty()) {
                return defaultValue;
            }
            if (canBeOff && node.get() instanceof Scalar scalar && scalar.text().equals("off")) {
                return TierSpec.OFF;
            }
            Optional<Long> number = wholeNumber(node.get());
            if (number.isEmpty()) {
                report(node.get(), "expected " + aNumber(node.get()) + (canBeOff ? " or off" : "") + " for " + key
                        + ", got " + node.get().describe());
                return defaultValue;
            }
            long port = number.get();
            if (canBeOff && port == TierSpec.OFF) {
                return TierSpec.OFF;
            }
            if (port < 0 || port > 65535) {
                report(node.get(), key + " " + port + " is out of range 0..65535" + (canBeOff ? " (or off)" : ""));
                return defaultValue;
            }
            return (int) port;
        }

        /** {@code true} or {@code false}, and only those: YAML 1.1's {@code yes}, {@code on} and the like are refused. */
        boolean flag(String key, boolean defaultValue) {
            Optional<LocatedNode> node = value(key);
            if (node.isEmpty()) {
                return defaultValue;
            }
            if (node.get() instanceof Scalar scalar && scalar.kind() == Kind.BOOLEAN
                    && (scalar.text().equals("true") || scalar.text().equals("false"))) {
                return scalar.text().equals("true");
            }
            report(node.get(), "expected true or false for " + key + ", got " + node.get().describe());
            return defaultValue;
        }

        Duration duration(String key, Duration defaultValue) {
            Optional<LocatedNode> node = value(key);
            if (node.isEmpty()) {
                return defaultValue;
            }
            Matcher matcher = node.get() instanceof Scalar scalar ? DURATION.matcher(scalar.text()) : null;
            if (matcher == null || !matcher.matches()) {
                report(node.get(), "malformed duration " + node.get().describe() + " for " + key
                        + ": a positive whole number and a unit (ms, s or m), as in 500ms, 2s or 1m");
                return defaultValue;
            }
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMinutes(amount);
            };
        }

        /** One of a few words, each meaning a constant of {@code E}. */
        <E extends Enum<E>> E choice(String key, String label, E[] values, Function<E, String> keyOf, E defaultValue) {
            return value(key).flatMap(node -> word(node, key, label, values, keyOf)).orElse(defaultValue);
        }
    }

    /**
     * The constant of {@code E} that a node names; an unknown word, or a node that is not a word, is
     * reported with the known words. {@code key} is the key the node belongs to, {@code label} what a
     * word of it is called ({@code check type}).
     */
    private <E extends Enum<E>> Optional<E> word(LocatedNode node, String key, String label, E[] values,
                                                 Function<E, String> keyOf) {
        String known = Arrays.stream(values).map(keyOf).reduce((a, b) -> a + ", " + b).orElse("");
        if (node instanceof Scalar scalar && scalar.kind() != Kind.NULL) {
            for (E value : values) {
                if (keyOf.apply(value).equals(scalar.text())) {
                    return Optional.of(value);
                }
            }
            report(scalar, "unknown " + label + " \"" + scalar.text() + "\" (known: " + known + ")");
        } else {
            report(node, "expected one of " + known + " for " + key + ", got " + node.describe());
        }
        return Optional.empty();
    }

    /** A map, or what stands for an empty one (a key with no value); anything else is reported. */
    private Optional<Mapping> map(LocatedNode node, String what) {
        if (node instanceof Mapping mapping) {
            return Optional.of(mapping);
        }
        if (node instanceof Scalar scalar && scalar.kind() == Kind.NULL) {
            return Optional.of(Mapping.emptyAt(node));
        }
        report(node, "expected a map for " + what + ", got " + node.describe());
        return Optional.empty();
    }

    /** Any scalar as text ({@code description: 42} is the text "42"); a map, a list or nothing is reported. */
    private Optional<String> text(LocatedNode node, String key) {
        if (node instanceof Scalar scalar && scalar.kind() != Kind.NULL) {
            return Optional.of(scalar.text());
        }
        report(node, "expected text for " + key + ", got " + node.describe());
        return Optional.empty();
    }

    /**
     * A whole number written as a YAML number: {@code 8080}, not {@code "8080"} (quoted, hence text), not
     * {@code 80.5}, not {@code 0x1F90}. A number too large for a {@code long} is out of every range
     * checked here, so the largest {@code long} stands for it.
     */
    private static Optional<Long> wholeNumber(LocatedNode node) {
        if (node instanceof Scalar scalar && scalar.kind() == Kind.NUMBER && DECIMAL.matcher(scalar.text()).matches()) {
            BigInteger value = new BigInteger(scalar.text());
            return Optional.of(value.bitLength() < Long.SIZE ? value.longValue()
                    : value.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE);
        }
        return Optional.empty();
    }

    /** "a number", or "a whole number" when what was found is a number, but not a whole one. */
    private static String aNumber(LocatedNode found) {
        return found instanceof Scalar scalar && scalar.kind() == Kind.NUMBER ? "a whole number" : "a number";
    }

    private static String roleKeys() {
        return Arrays.stream(Role.values()).map(Role::key).reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Builds a part of the topology only if reading it raised no problem: its records refuse bad values. */
    private <T> Optional<T> ifNoNewProblems(int problemsBefore, Supplier<? extends T> build) {
        return problems.size() == problemsBefore ? Optional.of(build.get()) : Optional.empty();
    }

    private void report(LocatedNode at, String message) {
        problems.add(new Problem(source, at.line(), at.column(), message));
    }
}
