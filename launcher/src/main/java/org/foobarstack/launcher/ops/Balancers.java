package org.foobarstack.launcher.ops;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.foobarstack.admin.Operation;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.launcher.hosts.StackContext;
import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.backend.ServerStats;
import org.foobarstack.topology.Role;

/**
 * What deploys and scaling ask of every load balancer of the stack at once, as an operator would with HAProxy's
 * runtime API: {@code set server ... state drain}, wait for {@code scur} to reach 0, wait for the check to go UP.
 *
 * <p>Waiting is polling the balancer's own counters every {@link #POLL}: the same numbers its stats page shows.
 */
final class Balancers {

    static final Duration POLL = Duration.ofMillis(50);
    /** How long a server may take to finish its requests, or to pass its health check, before the step fails. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final StackContext stack;

    Balancers(StackContext stack) {
        this.stack = stack;
    }

    List<LbTierRuntime> all() {
        return stack.tiers(Role.LB).stream().map(LbTierRuntime.class::cast).toList();
    }

    /** The balancers that send requests to {@code host}'s web server. */
    List<LbTierRuntime> of(String host) {
        return all().stream().filter(lb -> lb.balances(host)).toList();
    }

    String names(String host) {
        return String.join(", ", of(host).stream().map(LbTierRuntime::instance).toList());
    }

    void set(String host, Server.AdminState state) {
        for (LbTierRuntime lb : of(host)) {
            lb.setState(host, state);
        }
    }

    /** Waits until no balancer has a request in progress on {@code host}'s server; says how long it took. */
    long awaitIdle(String host, Operation op) {
        long began = System.nanoTime();
        waitFor(() -> of(host).stream().allMatch(lb -> lb.serverStats(host).map(ServerStats::current).orElse(0) == 0),
                host + " still has requests in progress after " + PATIENCE.toSeconds() + " s");
        return (System.nanoTime() - began) / 1_000_000;
    }

    /**
     * Waits until every balancer of {@code host} sees its server UP after a check that passed at or after
     * {@code sinceMillis} (a check of the server as it runs now, not of the one before the restart).
     */
    long awaitUp(String host, long sinceMillis) {
        long began = System.nanoTime();
        waitFor(() -> of(host).stream().allMatch(lb -> {
            Optional<ServerStats> s = lb.serverStats(host);
            return s.isPresent() && s.get().up() && (!s.get().checked() || (s.get().lastCheck().atMillis() >= sinceMillis
                    && s.get().lastCheck().status().success()));
        }), host + " did not pass its health check within " + PATIENCE.toSeconds() + " s");
        return (System.nanoTime() - began) / 1_000_000;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure);
            }
            try {
                Thread.sleep(POLL.toMillis()); // polling the balancer's counters, as its stats page would be read
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
