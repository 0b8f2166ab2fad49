package org.foobarstack.lb.backend;

import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.stats.ResponseCounts;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One server of the backend as the balancer sees it while it runs: its state and its counters (the columns of
 * HAProxy's stats page).
 *
 * <p>A server has two states that combine:
 * <ul>
 *   <li>its <b>administrative</b> state, set by an operator: {@link AdminState#READY}, {@link AdminState#DRAIN}
 *       (no new requests, but those in progress finish and checks go on: how a server is taken out before
 *       maintenance without failing anyone), {@link AdminState#MAINT} (no traffic, no checks);</li>
 *   <li>its <b>operational</b> state, decided by health checks: UP or DOWN. An UP server goes DOWN after
 *       {@code fall} consecutive failed checks, a DOWN one comes UP after {@code rise} consecutive successes.
 *       Failures seen on real traffic (a refused connection, a 5xx) count as failed checks too, so a dead server
 *       is noticed within a few requests rather than only at the next check.</li>
 * </ul>
 * It takes new requests only when READY, UP and of weight above 0 ({@link #usable()}).
 *
 * <p>State changes happen on several threads (checks, requests, the operator), so they are synchronized on the
 * server; the state they write is volatile, so that the questions every request asks ({@link #usable()}, and a
 * success seen on traffic with nothing to reset) are answered without taking the lock: every event loop asks
 * them for every request, and a lock shared by the loops would make them wait for each other. Counters are
 * lock-free adders, read by the stats page.
 */
public final class Server {

    /** What an operator has said about the server. */
    public enum AdminState { READY, DRAIN, MAINT }

    /** A change of operational state, for the log line and the trace. */
    public record Transition(Server server, boolean nowUp, CheckResult cause, int failedChecks) {
    }

    private final ServerConfig config;
    private final HealthCheckConfig check;
    private final LongSupplier clock;

    // ---- state, guarded by this
    private volatile AdminState admin = AdminState.READY;
    private volatile boolean up = true;
    private volatile int consecutiveFailures;
    /** 5xx answers seen on traffic in a row; every {@code errorLimit} of them counts as one failed check. */
    private volatile int consecutiveErrors;
    private int consecutiveSuccesses;
    private long lastChangeMillis;
    private long downSinceMillis = -1;
    private long downtimeMillis;
    private CheckResult lastCheck;
    private CheckResult lastFailure;

    // ---- counters, HAProxy's names
    /** scur: requests (HTTP) or connections (TCP) in progress on this server. */
    private final AtomicInteger current = new AtomicInteger();
    /** smax: the most ever in progress at once. */
    private final AtomicInteger max = new AtomicInteger();
    /** stot: requests or connections sent to it. */
    private final LongAdder total = new LongAdder();
    /** lbtot: times the balancing algorithm chose it. */
    private final LongAdder chosen = new LongAdder();
    private final LongAdder failedChecks = new LongAdder();
    private final LongAdder downTransitions = new LongAdder();
    /** econ: connection attempts that failed. */
    private final LongAdder connectionErrors = new LongAdder();
    /** eresp: responses that were broken, late or missing. */
    private final LongAdder responseErrors = new LongAdder();
    /** wretr: retries to this server. */
    private final LongAdder retries = new LongAdder();
    /** wredis: requests taken away from this server to another one. */
    private final LongAdder redispatches = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    /** The server's slot in its backend, for the selectors that keep a number per server; see {@link #index()}. */
    private int index;
    /** hrsp_1xx .. hrsp_5xx, then hrsp_other. */
    private final ResponseCounts responses = new ResponseCounts();

    /**
     * A server of the configuration: assumed UP until its first check says otherwise, as HAProxy assumes of the
     * servers it starts with, so that a balancer takes traffic from its first second.
     */
    public Server(ServerConfig config, HealthCheckConfig check, LongSupplier wallClockMillis) {
        this(config, check, wallClockMillis, true);
    }

    /**
     * A server added while the balancer runs: a checked one starts DOWN and comes UP only after {@code rise}
     * passed checks in a row, so no request reaches a server that nobody has seen answer yet (it may still be
     * starting). An unchecked one has nothing to wait for and starts UP.
     */
    public static Server addedAtRunTime(ServerConfig config, HealthCheckConfig check, LongSupplier wallClockMillis) {
        return new Server(config, check, wallClockMillis, !config.check());
    }

    private Server(ServerConfig config, HealthCheckConfig check, LongSupplier wallClockMillis, boolean startsUp) {
        this.config = config;
        this.check = check;
        this.clock = wallClockMillis;
        this.lastChangeMillis = clock.getAsLong();
        this.lastCheck = CheckResult.initial(lastChangeMillis, config.check());
        this.up = startsUp;
        this.downSinceMillis = startsUp ? -1 : lastChangeMillis;
    }

    public ServerConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public InetSocketAddress address() {
        return config.address();
    }

    public int weight() {
        return config.weight();
    }

    public boolean backup() {
        return config.backup();
    }

    public boolean checked() {
        return config.check();
    }

    // ---------------------------------------------------------------- states

    /** READY, UP and of weight above 0: may be given new requests. */
    public boolean usable() {
        return admin == AdminState.READY && up && config.weight() > 0;
    }

    public boolean up() {
        return up;
    }

    public AdminState adminState() {
        return admin;
    }

    /** Sets the administrative state; returns the previous one. Requests in progress are never cut. */
    public synchronized AdminState setAdminState(AdminState state) {
        AdminState before = admin;
        if (before != state) {
            admin = state;
            lastChangeMillis = clock.getAsLong();
        }
        return before;
    }

    /**
     * HAProxy's status column: "UP", "DOWN", "MAINT", "DRAIN", or a server on its way between them: "UP 1/3"
     * (up, 1 of the 3 failed checks that take it down), "DOWN 1/2" (down, 1 of the 2 successes that bring it up).
     */
    public synchronized String status() {
        if (admin == AdminState.MAINT) {
            return "MAINT";
        }
        String operational;
        if (!config.check()) {
            operational = "no check";
        } else if (up) {
            operational = consecutiveFailures > 0 ? "UP " + consecutiveFailures + "/" + check.fall() : "UP";
        } else {
            operational = consecutiveSuccesses > 0 ? "DOWN " + consecutiveSuccesses + "/" + check.rise() : "DOWN";
        }
        if (admin == AdminState.DRAIN) {
            return up ? "DRAIN" : "DRAIN (" + operational + ")";
        }
        return operational;
    }

    /**
     * Counts one check's outcome. Returns the transition it caused (UP to DOWN after {@code fall} failures in a
     * row, DOWN to UP after {@code rise} successes in a row), or null.
     */
    public Transition recordCheck(CheckResult result) {
        if (result.observed() && result.status().success() && consecutiveErrors == 0
                && (consecutiveFailures == 0 || !up)) {
            // a good answer on traffic with no failures to forget (or a server that only checks bring back)
            return null;
        }
        return recordCheckLocked(result);
    }

    private synchronized Transition recordCheckLocked(CheckResult result) {
        if (result.observed()) {
            if (!config.check()) {
                return null;
            }
            if (result.status() == CheckStatus.L7STS) {
                // an answer, if a 5xx: counts as a failed check only every errorLimit in a row
                lastFailure = result;
                if (++consecutiveErrors < check.errorLimit()) {
                    return null;
                }
                consecutiveErrors = 0;
            } else if (result.status().success()) {
                consecutiveErrors = 0;
            }
        } else {
            lastCheck = result;
        }
        if (result.status().success()) {
            consecutiveFailures = 0;
            if (!up && !result.observed()) {
                consecutiveSuccesses++;
                if (consecutiveSuccesses >= check.rise()) {
                    return changeTo(true, result);
                }
            }
            return null;
        }
        failedChecks.increment();
        lastFailure = result;
        consecutiveSuccesses = 0;
        if (up) {
            consecutiveFailures++;
            if (consecutiveFailures >= check.fall()) {
                return changeTo(false, result);
            }
        }
        return null;
    }

    private Transition changeTo(boolean nowUp, CheckResult cause) {
        long now = clock.getAsLong();
        int failures = consecutiveFailures;
        up = nowUp;
        lastChangeMillis = now;
        consecutiveFailures = 0;
        consecutiveSuccesses = 0;
        if (nowUp) {
            downtimeMillis += now - downSinceMillis;
            downSinceMillis = -1;
        } else {
            downSinceMillis = now;
            downTransitions.increment();
        }
        return new Transition(this, nowUp, cause, failures);
    }

    /** The last active check, or the initial "not checked yet". */
    public synchronized CheckResult lastCheck() {
        return lastCheck;
    }

    /** The last failure, of a check or seen on traffic; null if none. */
    public synchronized CheckResult lastFailure() {
        return lastFailure;
    }

    /** Wall-clock time of the last state change (HAProxy's lastchg counts seconds since it). */
    public synchronized long lastChangeMillis() {
        return lastChangeMillis;
    }

    /** When it went down, or -1 while up. */
    public synchronized long downSinceMillis() {
        return downSinceMillis;
    }

    /** Total time spent down, the current stretch included. */
    public synchronized long downtimeMillis() {
        return downtimeMillis + (downSinceMillis >= 0 ? clock.getAsLong() - downSinceMillis : 0);
    }

    /**
     * Its slot in the backend, 0 to 63, unique among the servers present and kept for the server's whole life,
     * for the selectors that keep a number per server (round robin's set of usable servers is a bit mask of
     * slots). The servers of the configuration hold 0, 1, 2... in order; a server added later takes the lowest
     * free slot, which may be one a removed server left.
     */
    public int index() {
        return index;
    }

    void setIndex(int slot) {
        index = slot;
    }

    // ---------------------------------------------------------------- counters

    /** The algorithm chose this server for a request or connection. */
    public void countChosen() {
        chosen.increment();
    }

    /** A request (or connection) starts on this server. */
    public void sessionStarted() {
        total.increment();
        int now = current.incrementAndGet();
        max.accumulateAndGet(now, Math::max);
    }

    /** A request (or connection) on this server ended, however it ended. */
    public void sessionEnded() {
        current.decrementAndGet();
    }

    public void countConnectionError() {
        connectionErrors.increment();
    }

    public void countResponseError() {
        responseErrors.increment();
    }

    public void countRetry() {
        retries.increment();
    }

    public void countRedispatch() {
        redispatches.increment();
    }

    public void countBytes(long in, long out) {
        bytesIn.add(in);
        bytesOut.add(out);
    }

    /** A response passed through with this status. */
    public void countResponse(int status) {
        responses.count(status);
    }

    public int currentSessions() {
        return current.get();
    }

    /** A snapshot of every counter, for the stats page, the CSV and the dashboard. */
    public synchronized ServerStats stats() {
        long[] hrsp = responses.snapshot();
        return new ServerStats(config.name(), config.address(), status(), admin, up, config.weight(),
                config.backup(), config.check(), current.get(), max.get(), total.sum(), chosen.sum(),
                bytesIn.sum(), bytesOut.sum(), connectionErrors.sum(), responseErrors.sum(), retries.sum(),
                redispatches.sum(), failedChecks.sum(), downTransitions.sum(), lastChangeMillis,
                downtimeMillis + (downSinceMillis >= 0 ? clock.getAsLong() - downSinceMillis : 0), downSinceMillis,
                lastCheck, lastFailure, hrsp);
    }

    @Override
    public String toString() {
        return config.name() + " " + config.address().getAddress().getHostAddress() + ":" + config.address().getPort();
    }
}
