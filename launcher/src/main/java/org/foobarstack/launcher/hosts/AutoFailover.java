package org.foobarstack.launcher.hosts;

import org.foobarstack.storage.HealthCheck;
import org.foobarstack.storage.replication.DatabaseRole;
import org.foobarstack.topology.DbTier;
import org.foobarstack.topology.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code failover: auto} on a replica: the stack checks the primary once a second, with a real round trip through
 * Derby's client driver (log in, one query), and promotes the replica after {@code failover-after} failed checks in
 * a row. It is what orchestrator does for MySQL, or Patroni for PostgreSQL, reduced to its core.
 *
 * <p><b>The risk: a split brain.</b> A check that fails does not prove the primary is dead: it may only be
 * unreachable from here, or too busy to answer in time, and go on taking writes from app servers that still reach
 * it. Promoting the replica then makes two primaries, each taking writes the other never sees. This stack limits
 * the damage the way real tools do: the old primary is fenced if it can be reached at the moment of the promotion,
 * it comes back fenced if it was down, and DNS sends the app servers to the new primary. Real deployments add a
 * quorum (several observers must agree) and fence the old primary's network or power before promoting; one
 * observer, as here, is why the mode is off by default.
 */
public final class AutoFailover implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AutoFailover.class);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

    private final StackContext stack;
    private final ReplicationControl control;
    private final DbTierRuntime replica;
    private final int after;
    private final ScheduledExecutorService timer;
    private int failures;

    private AutoFailover(StackContext stack, ReplicationControl control, DbTierRuntime replica, int after) {
        this.stack = stack;
        this.control = control;
        this.replica = replica;
        this.after = after;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "failover watch " + replica.host().name());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching for the replica with {@code failover: auto}, if the topology has one. */
    public static java.util.Optional<AutoFailover> start(StackContext stack, ReplicationControl control) {
        for (TierRuntime tier : stack.tiers(Role.DB)) {
            DbTier spec = (DbTier) tier.spec;
            if (spec.isReplica() && spec.failover().mode() == DbTier.FailoverMode.AUTO) {
                AutoFailover watch = new AutoFailover(stack, control, (DbTierRuntime) tier, spec.failover().after());
                watch.timer.scheduleWithFixedDelay(watch::check, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(),
                        TimeUnit.MILLISECONDS);
                log.info("failover auto: {} will be promoted after {} failed checks of the primary, one a second",
                        tier.host().name(), spec.failover().after());
                return java.util.Optional.of(watch);
            }
        }
        return java.util.Optional.empty();
    }

    private void check() {
        try {
            DbCluster cluster = replica.cluster().orElseThrow();
            String primary = cluster.primary();
            if (primary.equals(replica.host().name()) || !replica.running()
                    || replica.server().role() != DatabaseRole.REPLICA) {
                failures = 0;
                return; // promoted already, or not a replica that could take over now
            }
            DbTierRuntime primaryDb = (DbTierRuntime) stack.tier(primary, Role.DB);
            boolean healthy = new HealthCheck(primaryDb.jdbcUrl(), primaryDb.appUser(), primaryDb.appPassword(),
                    CHECK_TIMEOUT).healthy();
            if (healthy) {
                failures = 0;
                return;
            }
            failures++;
            log.warn("failover auto: the primary {} failed check {} of {}", primary, failures, after);
            if (failures >= after) {
                failures = 0;
                log.warn("failover auto: promoting {}: {}", replica.host().name(),
                        control.promote(replica.host().name()));
            }
        } catch (RuntimeException e) {
            log.warn("failover auto: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
