package org.foobarstack.admin;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.foobarstack.toxics.LinkProxy;
import org.foobarstack.toxics.Toxic;

/**
 * A {@link StackControl} standing in for the launcher: the shipped "distributed" design, as the launcher reports
 * it, held in memory. A name server (ns1), a load balancer (lb-1) and two servers (server-1, server-2) that
 * each run web, app and db. The actions change the state the way the real stack would (a killed host's tiers
 * go down and the balancer marks its server DOWN; a drained server shows DRAIN), and every call is kept, in
 * order, for a test to take with a bounded wait.
 *
 * <p>{@code new FakeStack()} has two databases outside replication ("standalone"). {@link #replicated()} makes
 * server-1's the primary and server-2's a replica of it, as the shipped design now has them, with the replication
 * actions: promote, pause-replication, resume-replication, reattach.
 *
 * <p>A deploy or a scaling ({@link #deploy}, {@link #scale}) is checked as the launcher checks it, and started as
 * an {@link Operation} that does nothing by itself: the test moves it on ({@link #lastOperation()}, then
 * {@code step}, {@code done}) and changes what the topology reports with it ({@link #runVersion}), so that it
 * decides what the dashboard sees between two of its reads.
 *
 * <p>{@link #monitoringServer(InetSocketAddress)} names a monitoring server, as a design with a monitor tier has.
 *
 * <p>{@link #proxyLink} puts a real {@link LinkProxy} on a link, as {@code run --toxics} does: the toxics added
 * through the admin server then act on the bytes that cross it. Without one, {@code GET /api/links} is 404, as for
 * a stack whose tiers connect direct.
 */
final class FakeStack implements StackControl {

    /** The primary's head: the last change it logged, and its transaction. */
    static final long PRIMARY_SEQ = 41;
    static final long PRIMARY_TXN = 37;
    /** How far a paused replica falls behind, in this fake: 3 transactions, 2.4 s. */
    static final long PAUSED_LAG_TXN = 3;
    static final long PAUSED_LAG_MILLIS = 2_400;

    /** One call of {@link #act}, as "server-2 kill". */
    private final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
    /** Host name to "running", "killed"...; the file's order. */
    private final Map<String, String> states = new LinkedHashMap<>();
    /** Web server instance to the balancer's admin state, "READY" or "DRAIN". */
    private final Map<String, String> adminStates = new LinkedHashMap<>();
    /** Host to its database's role ("primary", "replica", "fenced"); empty without replication. */
    private final Map<String, String> dbRoles = new LinkedHashMap<>();
    /** The replicas whose replication is paused. */
    private final Set<String> paused = new HashSet<>();
    /** Host to the version of the application its app server runs. */
    private final Map<String, String> appVersions = new LinkedHashMap<>();
    /** The deploy or scaling asked for last; null before any. */
    private Operation operation;
    /** The monitoring server the stack names, as the secured design's mon-1; null for none (distributed has none). */
    private InetSocketAddress monitoringServer;
    private long operations;

    FakeStack() {
        for (String host : List.of("ns1", "lb-1", "server-1", "server-2")) {
            states.put(host, "running");
        }
        adminStates.put("web-1", "READY");
        adminStates.put("web-2", "READY");
        appVersions.put("server-1", "v1");
        appVersions.put("server-2", "v1");
    }

    /** The distributed design with its databases replicated: server-1's the primary, server-2's its replica. */
    static FakeStack replicated() {
        FakeStack stack = new FakeStack();
        stack.dbRoles.put("server-1", "primary");
        stack.dbRoles.put("server-2", "replica");
        return stack;
    }

    /** Link name ({@code app-1->db-1}) to its proxy; empty while the links run direct. */
    private final Map<String, LinkProxy> links = new LinkedHashMap<>();

    /** Shows {@code proxy} as the link from {@code from} to {@code to}; the test starts and closes it. */
    synchronized void proxyLink(String from, String to, LinkProxy proxy) {
        links.put(from + "->" + to, proxy);
    }

    @Override
    public synchronized List<LinkStatus> links() {
        if (links.isEmpty()) {
            return StackControl.super.links();
        }
        return links.keySet().stream().map(this::linkStatus).toList();
    }

    @Override
    public synchronized LinkStatus addToxic(String from, String to, Toxic toxic) {
        try {
            proxyOf(from, to).add(toxic);
        } catch (IllegalArgumentException e) {
            throw new ControlException(409, e.getMessage());
        }
        return linkStatus(from + "->" + to);
    }

    @Override
    public synchronized LinkStatus removeToxic(String from, String to, String name) {
        try {
            proxyOf(from, to).remove(name);
        } catch (IllegalArgumentException e) {
            throw new ControlException(404, e.getMessage());
        }
        return linkStatus(from + "->" + to);
    }

    private LinkProxy proxyOf(String from, String to) {
        LinkProxy proxy = links.get(from + "->" + to);
        if (proxy == null) {
            throw new ControlException(404, "no link " + from + "->" + to + "; its links: "
                    + String.join(", ", links.keySet()));
        }
        return proxy;
    }

    private LinkStatus linkStatus(String name) {
        LinkProxy proxy = links.get(name);
        int arrow = name.indexOf("->");
        return new LinkStatus(name.substring(0, arrow), name.substring(arrow + 2), hostPort(proxy.address()),
                hostPort(proxy.upstream()), proxy.toxics());
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public synchronized TopologyStatus topology() {
        List<HostStatus> hosts = new ArrayList<>();
        hosts.add(host("ns1", "127.0.0.2", "the zone's name server",
                tier("dns", "dns-1", "DNS server", "DNS", "ns1", List.of("127.0.0.2:5300/udp dns",
                        "127.0.0.2:5300/tcp dns"), Map.of())));
        hosts.add(host("lb-1", "127.0.0.10", "the load balancer that www.foobar.com points at",
                tier("lb", "lb-1", "load balancer", "HTTP/1.1 (layer 7)", "lb-1",
                        List.of("127.0.0.10:8080/tcp http", "127.0.0.10:8404/tcp stats"), Map.of("requests", 12L))));
        for (int n = 1; n <= 2; n++) {
            String name = "server-" + n;
            String address = "127.0.0.1" + n;
            hosts.add(host(name, address, n == 1 ? "the first server; its database holds the site's data"
                            : "the second server, the same as the first",
                    tier("web", "web-" + n, "web server", "HTTP/1.1", name,
                            List.of(address + ":8080/tcp http", address + ":8443/tcp https"),
                            Map.of("connections", 2L)),
                    app(n, name, address),
                    db(n, name, address)));
        }
        List<BalancerStatus.Server> servers = new ArrayList<>();
        for (int n = 1; n <= 2; n++) {
            String web = "web-" + n;
            boolean up = states.get("server-" + n).equals("running");
            String admin = adminStates.get(web);
            String status = admin.equals("DRAIN") ? (up ? "DRAIN" : "DRAIN (DOWN)") : (up ? "UP" : "DOWN");
            servers.add(new BalancerStatus.Server(web, "server-" + n, "127.0.0.1" + n + ":8080", status, up, admin,
                    up ? n - 1 : 0, 10L * n, up ? "L7OK 200 (HTTP status 200) in 1 ms"
                            : "L4CON Connection refused in 0 ms", up ? -1 : 1_795_310_603_000L));
        }
        BalancerStatus balancer = new BalancerStatus("lb-1", "lb-1", "roundrobin", "http://127.0.0.10:8404/stats",
                servers, vrrp);
        return new TopologyStatus("distributed", "The course's second design: a load balancer in front of two "
                + "servers, and the name server on a host of its own.", hosts,
                List.of(balancer), drawing);
    }

    /** lb-1's place in a balancer pair, or null (the default) for a balancer on its own. */
    private BalancerStatus.Vrrp vrrp;
    /** The design's text drawing; none by default. */
    private String drawing = "";

    synchronized void vrrp(BalancerStatus.Vrrp vrrp) {
        this.vrrp = vrrp;
    }

    synchronized void drawing(String drawing) {
        this.drawing = drawing;
    }

    @Override
    public synchronized String act(String host, HostAction action) {
        calls.add(host + " " + action.word());
        String state = states.get(host);
        if (state == null) {
            throw new ControlException(404, "no host " + host + " in topology distributed (hosts: "
                    + String.join(", ", states.keySet()) + ")");
        }
        String web = host.startsWith("server-") ? "web-" + host.substring("server-".length()) : null;
        switch (action) {
            case KILL -> {
                if (!state.equals("running")) {
                    throw new ControlException(409, host + " is " + state + ", not running");
                }
                states.put(host, "killed");
                return host + " killed: " + String.join(", ", instances(host)) + " stopped at once, their "
                        + "connections reset";
            }
            case START -> {
                if (state.equals("running")) {
                    throw new ControlException(409, host + " is already running");
                }
                states.put(host, "running");
                return host + " started";
            }
            case DRAIN, READY -> {
                if (web == null) {
                    throw new ControlException(409, "no load balancer balances " + host);
                }
                adminStates.put(web, action == HostAction.DRAIN ? "DRAIN" : "READY");
                return "lb-1: " + web + " set to " + adminStates.get(web);
            }
            case PROMOTE -> {
                runningReplica(host, "promote");
                String old = primary();
                String fencing = states.get(old).equals("running") ? old + " was still running: fenced (read-only)"
                        : old + " is down: it will start fenced";
                dbRoles.put(old, "fenced");
                dbRoles.put(host, "primary");
                paused.remove(host);
                return host + " is the primary (promoted at seq " + PRIMARY_SEQ + ", txn " + PRIMARY_TXN + "); "
                        + fencing + "; db.foobar.com now points at " + host;
            }
            case PAUSE_REPLICATION -> {
                runningReplica(host, "pause");
                paused.add(host);
                return host + "'s replica paused at seq " + PRIMARY_SEQ + ", txn " + PRIMARY_TXN
                        + ": it goes on measuring its lag; reads there miss new writes until resume-replication";
            }
            case RESUME_REPLICATION -> {
                runningReplica(host, "resume");
                paused.remove(host);
                return host + "'s replica resumed at seq " + PRIMARY_SEQ + ", txn " + PRIMARY_TXN + ", "
                        + PAUSED_LAG_TXN + " transaction(s) behind";
            }
            case REATTACH -> {
                String role = roleInCluster(host);
                if (role.equals("primary")) {
                    throw new ControlException(409, host + "'s database is the primary: there is nothing to "
                            + "re-attach it to");
                }
                dbRoles.put(host, "replica");
                paused.remove(host);
                return host + " re-attached in 812 ms: its database was moved aside, and it is now a replica of "
                        + primary() + " from a fresh copy";
            }
        }
        throw new IllegalStateException("unknown action " + action);
    }

    /** As the launcher: a known version and strategy, one operation at a time; kept as "deploy v2 rolling". */
    @Override
    public synchronized Operation deploy(String version, String strategy) {
        calls.add("deploy " + version + " " + strategy);
        if (!version.equals("v1") && !version.equals("v2")) {
            throw new ControlException(400, "no version " + version + ": the application has v1 and v2");
        }
        if (!List.of("all-at-once", "rolling", "blue-green").contains(strategy)) {
            throw new ControlException(400, "no strategy " + strategy + ": all-at-once, rolling or blue-green");
        }
        return begin("deploy", "deploy " + version + " to distributed, " + strategy);
    }

    /** As the launcher: the web servers, from 1 to 4; the call is kept as "scale web 3". */
    @Override
    public synchronized Operation scale(String role, int count) {
        calls.add("scale " + role + " " + count);
        if (!role.equals("web")) {
            throw new ControlException(400, "only the web servers behind the balancer scale, not " + role);
        }
        if (count < 1 || count > 4) {
            throw new ControlException(400, "from 1 to 4 web servers, not " + count);
        }
        return begin("scale", "scale web from 2 to " + count + " in distributed");
    }

    @Override
    public synchronized Optional<Operation.Snapshot> operation() {
        return Optional.ofNullable(operation).map(Operation::snapshot);
    }

    private Operation begin(String kind, String description) {
        if (operation != null && operation.running()) {
            throw new ControlException(409, "another operation is running: " + operation.snapshot().description());
        }
        operation = new Operation(++operations, kind, description);
        return operation;
    }

    @Override
    public synchronized Optional<InetSocketAddress> monitoringServer() {
        return Optional.ofNullable(monitoringServer);
    }

    /** From now on, the stack names {@code address} as its monitoring server; null takes it away. */
    synchronized void monitoringServer(InetSocketAddress address) {
        monitoringServer = address;
    }

    /** The operation started last, for the test to move on; null before any. */
    synchronized Operation lastOperation() {
        return operation;
    }

    /** From now on, {@code host}'s app server reports that it runs {@code version}, as after its restart. */
    synchronized void runVersion(String host, String version) {
        appVersions.put(host, version);
    }

    /** A host's database role in the cluster; a 409 when the stack has no replication or the host no database. */
    private String roleInCluster(String host) {
        if (dbRoles.isEmpty()) {
            throw new ControlException(409, "the topology distributed has no replicated databases");
        }
        String role = dbRoles.get(host);
        if (role == null) {
            throw new ControlException(409, host + " has no database in the cluster " + dbRoles.keySet());
        }
        return role;
    }

    /** Checks that a host's database runs and is a replica, as the launcher does before a replication action. */
    private void runningReplica(String host, String action) {
        String role = roleInCluster(host);
        if (!states.get(host).equals("running")) {
            throw new ControlException(409, host + "'s database is not running");
        }
        if (!role.equals("replica")) {
            throw new ControlException(409, "cannot " + action + " replication on " + host + ": its database is "
                    + role + ", not a replica");
        }
    }

    private String primary() {
        return dbRoles.entrySet().stream().filter(e -> e.getValue().equals("primary")).map(Map.Entry::getKey)
                .findFirst().orElseThrow();
    }

    /**
     * Server n's app server. With replication it references its database as the launcher reports it (the file's
     * {@code db: server-1}, the cluster's primary when the stack started), so that app-2's arrow crosses to db-1.
     */
    private TierStatus app(int n, String host, String address) {
        // the launcher names the version the app server runs and the capacity it emulates, as here
        TierStatus app = tier("app", "app-" + n, "app server " + appVersions.get(host) + ", capacity 50/s (emulated)",
                "FastCGI", host, List.of(address + ":9000/tcp fastcgi"), Map.of("connections", 1L));
        if (dbRoles.isEmpty()) {
            return app;
        }
        return new TierStatus(app.tier(), app.instance(), app.role(), app.protocol(), app.endpoints(), app.up(),
                app.counters(), List.of(new TierStatus.Reference("server-1", "db")));
    }

    /**
     * Server n's database as the launcher reports it: with replication, its role in the description, a replica's
     * reference to the host the topology file makes it follow, and (while it runs) its replication view and the
     * counters that go with it.
     */
    private TierStatus db(int n, String host, String address) {
        String role = dbRoles.get(host);
        boolean up = states.get(host).equals("running");
        List<String> endpoints = List.of(address + ":1527/tcp drda");
        if (role == null) {
            // outside replication the launcher still reports the database's log position, as "standalone"
            if (!up) {
                return new TierStatus("db", "db-" + n, "database", "DRDA (Derby)", endpoints, false, Map.of());
            }
            Map<String, Long> counters = new LinkedHashMap<>();
            counters.put("schemaVersion", 3L);
            counters.put("appliedSeq", PRIMARY_SEQ);
            return new TierStatus("db", "db-" + n, "database", "DRDA (Derby)", endpoints, true, counters, List.of(),
                    new ReplicationView("standalone", "-", null, PRIMARY_SEQ, PRIMARY_TXN, -1, -1, 0, 0, null));
        }
        // the file's replica-of: server-2 follows server-1; it stays so whatever promotions happen
        List<TierStatus.Reference> references = n == 2 ? List.of(new TierStatus.Reference("server-1", "db"))
                : List.of();
        if (!up) {
            return new TierStatus("db", "db-" + n, "database", "DRDA (Derby)", endpoints, false, Map.of(),
                    references);
        }
        ReplicationView view = view(host, role);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("schemaVersion", 3L);
        counters.put("appliedSeq", view.appliedSeq());
        if (role.equals("replica")) {
            counters.put("lagTransactions", view.lagTransactions());
            counters.put("lagMillis", view.lagMillis());
        }
        return new TierStatus("db", "db-" + n, "database (" + role + ")", "DRDA (Derby)", endpoints, true, counters,
                references, view);
    }

    /** A running database's replication view: a replica streams (or is paused, or cannot reach a dead primary). */
    private ReplicationView view(String host, String role) {
        if (!role.equals("replica")) {
            return new ReplicationView(role, "-", null, PRIMARY_SEQ, PRIMARY_TXN, -1, -1, 0, 0, null);
        }
        String source = primary();
        if (paused.contains(host)) {
            return new ReplicationView(role, "paused", source, PRIMARY_SEQ - 4, PRIMARY_TXN - PAUSED_LAG_TXN,
                    PRIMARY_SEQ, PRIMARY_TXN, PAUSED_LAG_TXN, PAUSED_LAG_MILLIS, null);
        }
        if (!states.get(source).equals("running")) {
            return new ReplicationView(role, "connecting", source, PRIMARY_SEQ, PRIMARY_TXN, PRIMARY_SEQ,
                    PRIMARY_TXN, 0, 0, "cannot reach " + source + "'s database: Connection refused");
        }
        return new ReplicationView(role, "streaming", source, PRIMARY_SEQ, PRIMARY_TXN, PRIMARY_SEQ, PRIMARY_TXN,
                0, 0, null);
    }

    /** The tier instances of a host, as the launcher names them. */
    private static List<String> instances(String host) {
        return switch (host) {
            case "ns1" -> List.of("dns-1");
            case "lb-1" -> List.of("lb-1");
            default -> {
                String n = host.substring("server-".length());
                yield List.of("web-" + n, "app-" + n, "db-" + n);
            }
        };
    }

    /** The next call made ("server-2 kill"), waiting at most {@code timeoutMillis}; null if none came. */
    String nextCall(long timeoutMillis) throws InterruptedException {
        return calls.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** The calls made so far and not yet taken. */
    List<String> callsSoFar() {
        return List.copyOf(calls);
    }

    private HostStatus host(String name, String address, String description, TierStatus... tiers) {
        boolean running = states.get(name).equals("running");
        return new HostStatus(name, address, description, states.get(name),
                running && List.of(tiers).stream().allMatch(TierStatus::up), List.of(tiers));
    }

    private TierStatus tier(String tier, String instance, String role, String protocol, String host,
                            List<String> endpoints, Map<String, Long> counters) {
        boolean up = states.get(host).equals("running");
        return new TierStatus(tier, instance, role, protocol, endpoints, up, up ? counters : Map.of());
    }
}
