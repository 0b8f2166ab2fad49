package org.foobarstack.lb.backend;

import org.foobarstack.lb.balance.Selector;
import org.foobarstack.lb.config.Algorithm;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * HAProxy's {@code backend}: the servers, the algorithm that picks one for each request, and the rule for
 * backups. It is shared by every connection of the balancer, on every event loop.
 *
 * <p>Choosing a server ({@link #choose}):
 * <ol>
 *   <li>the candidates are the non-backup servers that are usable (READY, UP, weight above 0) and not already
 *       tried for this request;</li>
 *   <li>if there are none, the first usable backup server in configuration order is the only candidate (HAProxy
 *       without {@code option allbackups});</li>
 *   <li>if there is still none, there is no server: the caller answers 503;</li>
 *   <li>else the algorithm picks among the candidates.</li>
 * </ol>
 * No lock is taken: the servers' states are read as they are now (volatile), and the selectors keep their state
 * in atomics. The event loops never wait for each other here, which on a busy machine matters more than the
 * nanoseconds: a loop that held a shared lock when the kernel paused it would stop every other loop behind it.
 *
 * <p>Servers may be added and removed while requests are being chosen (HAProxy's {@code add server} and
 * {@code del server}). The list is never changed in place: {@link #add} and {@link #remove} build a new
 * {@link Members} and publish it with one volatile write (copy-on-write), and each choice reads it once, so a
 * request works on one consistent set of servers from start to end, even if the set changes meanwhile. Adding
 * and removing are rare (an operator's command), so copying a few dozen references each time costs nothing.
 */
public final class Backend {

    private static final Logger log = LoggerFactory.getLogger(Backend.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * The servers at one moment, never changed once published: the list in configuration order (servers added
     * at run time last), how many are not backups, and the sentence of a choice for each server by its slot.
     */
    private record Members(List<Server> servers, int activeServers, String[] chosenSentences) {

        static Members of(List<Server> servers, Algorithm algorithm) {
            int active = (int) servers.stream().filter(s -> !s.backup()).count();
            String[] sentences = new String[BalancerConfig.MAX_SERVERS];
            for (Server server : servers) {
                sentences[server.index()] = "chose " + server.name() + " (" + algorithm.keyword() + ", " + active
                        + (active == 1 ? " candidate)" : " candidates)");
            }
            return new Members(List.copyOf(servers), active, sentences);
        }
    }

    /**
     * The outcome of one choice: the server, or none. The decision in words is made only when asked (for a trace,
     * or the page of a 503), not for every request.
     */
    public final class Choice {
        private final Members members;
        private final Server server;
        private final int candidates;
        private final boolean usingBackup;
        private final Collection<Server> excluded;

        Choice(Members members, Server server, int candidates, boolean usingBackup, Collection<Server> excluded) {
            this.members = members;
            this.server = server;
            this.candidates = candidates;
            this.usingBackup = usingBackup;
            this.excluded = excluded;
        }

        public Server server() {
            return server;
        }

        public boolean found() {
            return server != null;
        }

        /**
         * "chose web-2 (roundrobin, 1 candidate); web-1 DOWN since 12:01:03 (L4CON (Connection refused) seen on
         * traffic)", or "no server is available: ...". It speaks of the servers the choice was made among, even
         * if one was added or removed since.
         */
        public String explanation() {
            if (server != null && !usingBackup && excluded.isEmpty() && candidates == members.activeServers()) {
                // every server in play: the common case, with its sentence made once per server
                return members.chosenSentences()[server.index()];
            }
            String others = describeUnusable(members.servers(), Set.copyOf(excluded));
            if (server == null) {
                return "no server is available: " + (members.servers().isEmpty()
                        ? "the backend has no servers" : others);
            }
            StringBuilder why = new StringBuilder()
                    .append("chose ").append(server.name())
                    .append(" (").append(algorithm.keyword())
                    .append(usingBackup ? ", backup: no other server usable" : "")
                    .append(", ").append(candidates).append(candidates == 1 ? " candidate" : " candidates")
                    .append(')');
            if (!others.isEmpty()) {
                why.append("; ").append(others);
            }
            return why.toString();
        }
    }

    private final String name;
    private final Algorithm algorithm;
    private final HealthCheckConfig check;
    private final LongSupplier wallClockMillis;
    private final Selector selector;
    /** The servers now: replaced whole when one is added or removed (under this object's lock). */
    private volatile Members members;

    public Backend(String name, BalancerConfig config, LongSupplier wallClockMillis) {
        this.name = name;
        this.algorithm = config.algorithm();
        this.check = config.check();
        this.wallClockMillis = wallClockMillis;
        List<Server> list = new ArrayList<>();
        for (ServerConfig server : config.servers()) {
            Server added = new Server(server, config.check(), wallClockMillis);
            added.setIndex(list.size());
            list.add(added);
        }
        this.selector = Selector.of(config.algorithm());
        this.members = Members.of(list, algorithm);
    }

    /** The backend's name in logs and on the stats page ("servers"). */
    public String name() {
        return name;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The servers now, in configuration order with those added at run time last; a list that never changes. */
    public List<Server> servers() {
        return members.servers();
    }

    public Optional<Server> server(String serverName) {
        return members.servers().stream().filter(s -> s.name().equals(serverName)).findFirst();
    }

    /** The servers' names, in order: "web-1, web-2", for messages. */
    private static String names(List<Server> servers) {
        return String.join(", ", servers.stream().map(Server::name).toList());
    }

    /**
     * Adds a server while requests are being chosen (HAProxy's {@code add server servers/web-3 ...}). A checked
     * server starts DOWN and is chosen only once its checks bring it UP ({@link Server#addedAtRunTime}); the
     * caller starts those checks.
     *
     * @throws IllegalArgumentException when the name is taken
     * @throws IllegalStateException    when the backend already has {@value BalancerConfig#MAX_SERVERS} servers
     */
    public synchronized Server add(ServerConfig serverConfig) {
        List<Server> now = members.servers();
        if (server(serverConfig.name()).isPresent()) {
            throw new IllegalArgumentException("backend " + name + " already has a server named "
                    + serverConfig.name() + " (servers: " + names(now) + "); choose another name");
        }
        if (now.size() >= BalancerConfig.MAX_SERVERS) {
            throw new IllegalStateException("backend " + name + " already has " + now.size()
                    + " servers, the most it can hold here (round robin keeps each set of servers as a 64-bit"
                    + " mask); remove one first");
        }
        Server server = Server.addedAtRunTime(serverConfig, check, wallClockMillis);
        server.setIndex(lowestFreeSlot(now));
        List<Server> next = new ArrayList<>(now);
        next.add(server);
        members = Members.of(next, algorithm);
        return server;
    }

    /**
     * Takes a server out of the list: from the next choice on, no request can pick it. Requests that chose it
     * before are not touched; the caller makes sure there are none (HAProxy's {@code del server} refuses a server
     * that is not in maintenance or still has connections).
     *
     * @return false when it was not in the list
     */
    public synchronized boolean remove(Server server) {
        List<Server> now = members.servers();
        if (!now.contains(server)) {
            return false;
        }
        List<Server> next = new ArrayList<>(now);
        next.remove(server);
        members = Members.of(next, algorithm);
        return true;
    }

    /** Whether the server is in the list now: false once it has been removed. */
    public boolean contains(Server server) {
        return members.servers().contains(server);
    }

    /** The lowest slot no present server holds: a slot left by a removed server is used again. */
    private static int lowestFreeSlot(List<Server> servers) {
        long taken = 0;
        for (Server server : servers) {
            taken |= 1L << server.index();
        }
        return Long.numberOfTrailingZeros(~taken);
    }

    /**
     * Picks a server for a request from {@code clientAddress} for {@code path} (null in TCP mode), leaving out
     * the servers in {@code exclude} (those that already failed this request).
     */
    public Choice choose(InetAddress clientAddress, String path, Collection<Server> exclude) {
        Members now = members; // read once: the whole choice is made on this one set of servers
        List<Server> servers = now.servers();
        List<Server> candidates = new ArrayList<>(servers.size());
        for (Server server : servers) {
            if (!server.backup() && server.usable() && !exclude.contains(server)) {
                candidates.add(server);
            }
        }
        boolean usingBackup = false;
        if (candidates.isEmpty()) {
            for (Server server : servers) {
                if (server.backup() && server.usable() && !exclude.contains(server)) {
                    candidates.add(server);
                    usingBackup = true;
                    break;
                }
            }
        }
        if (candidates.isEmpty()) {
            return new Choice(now, null, 0, false, exclude);
        }
        Server chosen = selector.select(candidates, new Selector.RequestKey(clientAddress, path));
        chosen.countChosen();
        return new Choice(now, chosen, candidates.size(), usingBackup, exclude);
    }

    /**
     * Why the servers that were not candidates were left out: "web-1 DOWN since 12:01:03 (3 failed checks:
     * L4CON Connection refused); web-3 MAINT; web-2 already failed this request".
     */
    private static String describeUnusable(List<Server> servers, Set<Server> excluded) {
        List<String> reasons = new ArrayList<>();
        for (Server server : servers) {
            if (excluded.contains(server)) {
                reasons.add(server.name() + " already failed this request");
            } else if (!server.usable()) {
                reasons.add(describeState(server));
            }
        }
        return String.join("; ", reasons);
    }

    /** One server's state in a sentence, as the trace and the 503 page give it. */
    public static String describeState(Server server) {
        ServerStats stats = server.stats();
        if (stats.adminState() == Server.AdminState.MAINT) {
            return server.name() + " MAINT (set by an operator)";
        }
        if (stats.adminState() == Server.AdminState.DRAIN) {
            return server.name() + " DRAIN (takes no new requests)";
        }
        if (!stats.up()) {
            CheckResult cause = stats.lastFailure();
            // no failure yet: a server added at run time, DOWN until its first checks pass
            return server.name() + " DOWN since " + TIME.format(Instant.ofEpochMilli(stats.downSinceMillis()))
                    + (cause == null ? " (added, not yet through its health checks)" : " (" + cause.describe() + ")");
        }
        if (stats.weight() == 0) {
            return server.name() + " weight 0";
        }
        return server.name() + " " + stats.status();
    }

    /** Servers of each kind that can take traffic now, for the log line of a state change. */
    public int usableCount(boolean backup) {
        int n = 0;
        for (Server server : members.servers()) {
            if (server.backup() == backup && server.usable()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Logs a state change the way HAProxy does, so the line reads the same to someone who knows its logs:
     * {@code Server servers/web-1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check
     * duration: 0ms. 1 active and 0 backup servers left. 0 sessions active.}
     */
    public void logTransition(Server.Transition transition) {
        CheckResult cause = transition.cause();
        Server server = transition.server();
        String line = String.format("Server %s/%s is %s, reason: %s%s, info: \"%s\", check duration: %dms. "
                        + "%d active and %d backup servers %s. %d sessions active.",
                name, server.name(), transition.nowUp() ? "UP" : "DOWN", cause.status().description(),
                cause.observed() ? " (seen on traffic)" : "", cause.info(), cause.durationMillis(),
                usableCount(false), usableCount(true), transition.nowUp() ? "online" : "left",
                server.currentSessions());
        if (transition.nowUp()) {
            log.info(line);
        } else {
            log.warn(line);
        }
        if (!transition.nowUp() && usableCount(false) == 0 && usableCount(true) == 0) {
            log.error("backend {} has no server available!", name);
        }
    }
}
