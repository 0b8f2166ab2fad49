package org.foobarstack.lb.backend;

import org.foobarstack.lb.balance.Selector;
import org.foobarstack.lb.config.Algorithm;
import org.foobarstack.lb.config.BalancerConfig;
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
 */
public final class Backend {

    private static final Logger log = LoggerFactory.getLogger(Backend.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * The outcome of one choice: the server, or none. The decision in words is made only when asked (for a trace,
     * or the page of a 503), not for every request.
     */
    public final class Choice {
        private final Server server;
        private final int candidates;
        private final boolean usingBackup;
        private final Collection<Server> excluded;

        Choice(Server server, int candidates, boolean usingBackup, Collection<Server> excluded) {
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
         * traffic)", or "no server is available: ...".
         */
        public String explanation() {
            if (server != null && !usingBackup && excluded.isEmpty() && candidates == activeServers) {
                // every server in play: the common case, with its sentence made once per server
                return server.chosenSentence();
            }
            String others = describeUnusable(Set.copyOf(excluded));
            if (server == null) {
                return "no server is available: " + others;
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
    private final List<Server> servers;
    private final Selector selector;
    /** Non-backup servers: when all are candidates, nothing needs explaining beyond the choice. */
    private final int activeServers;

    public Backend(String name, BalancerConfig config, LongSupplier wallClockMillis) {
        this.name = name;
        this.algorithm = config.algorithm();
        List<Server> list = new ArrayList<>();
        for (ServerConfig server : config.servers()) {
            list.add(new Server(server, config.check(), wallClockMillis));
        }
        this.servers = List.copyOf(list);
        for (int i = 0; i < servers.size(); i++) {
            servers.get(i).setIndex(i);
        }
        this.selector = Selector.of(config.algorithm());
        this.activeServers = (int) servers.stream().filter(s -> !s.backup()).count();
        for (Server server : servers) {
            server.setChosenSentence("chose " + server.name() + " (" + algorithm.keyword() + ", " + activeServers
                    + (activeServers == 1 ? " candidate)" : " candidates)"));
        }
    }

    /** The backend's name in logs and on the stats page ("servers"). */
    public String name() {
        return name;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public List<Server> servers() {
        return servers;
    }

    public Optional<Server> server(String serverName) {
        return servers.stream().filter(s -> s.name().equals(serverName)).findFirst();
    }

    /**
     * Picks a server for a request from {@code clientAddress} for {@code path} (null in TCP mode), leaving out
     * the servers in {@code exclude} (those that already failed this request).
     */
    public Choice choose(InetAddress clientAddress, String path, Collection<Server> exclude) {
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
            return new Choice(null, 0, false, exclude);
        }
        Server chosen = selector.select(candidates, new Selector.RequestKey(clientAddress, path));
        chosen.countChosen();
        return new Choice(chosen, candidates.size(), usingBackup, exclude);
    }

    /**
     * Why the servers that were not candidates were left out: "web-1 DOWN since 12:01:03 (3 failed checks:
     * L4CON Connection refused); web-3 MAINT; web-2 already failed this request".
     */
    private String describeUnusable(Set<Server> excluded) {
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
            return server.name() + " DOWN since " + TIME.format(Instant.ofEpochMilli(stats.downSinceMillis()))
                    + (cause == null ? "" : " (" + cause.describe() + ")");
        }
        if (stats.weight() == 0) {
            return server.name() + " weight 0";
        }
        return server.name() + " " + stats.status();
    }

    /** Servers of each kind that can take traffic now, for the log line of a state change. */
    public int usableCount(boolean backup) {
        int n = 0;
        for (Server server : servers) {
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
