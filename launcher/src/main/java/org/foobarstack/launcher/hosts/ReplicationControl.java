package org.foobarstack.launcher.hosts;

import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.replication.DatabaseRole;
import org.foobarstack.storage.replication.LogPosition;
import org.foobarstack.storage.replication.ReplicationStatus;
import org.foobarstack.topology.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does to the replicated databases of a running stack, as {@code ctl} and the dashboard ask:
 * promote a replica, pause and resume a replica, re-attach a fenced former primary. Each action checks that it
 * makes sense first and says why not in a 409, and says what it did in one sentence.
 *
 * <p>A promotion, step by step:
 * <ol>
 *   <li>the old primary, if it still runs, is fenced: its app user loses INSERT, UPDATE and DELETE, so that no
 *       app server can go on writing to a database nobody follows any more (a "split brain");</li>
 *   <li>the replica stops applying and becomes the primary ({@link StorageServer#promote()});</li>
 *   <li>the cluster remembers it (in {@code db-primary}), and the zone is written again: {@code db.<domain>} is now
 *       a CNAME of the new primary's host. The app servers ask DNS again after a failed write, or within 5 s.</li>
 * </ol>
 * With asynchronous replication, what the old primary committed and the replica had not applied yet is lost to the
 * new primary; the answer says how much, when the old primary can still be asked.
 */
public final class ReplicationControl {

    private static final Logger log = LoggerFactory.getLogger(ReplicationControl.class);

    private final StackContext stack;

    public ReplicationControl(StackContext stack) {
        this.stack = stack;
    }

    public String promote(String host) {
        DbCluster cluster = clusterOf(host);
        DbTierRuntime db = database(host);
        StorageServer replica = running(db, host);
        if (replica.role() != DatabaseRole.REPLICA) {
            throw new ControlException(409, host + "'s database is " + replica.role().key()
                    + ", not a replica: only a replica can be promoted");
        }
        String oldPrimary = cluster.primary();
        DbTierRuntime old = database(oldPrimary);
        Long oldHead = null;
        String fencing;
        if (old.running()) {
            StorageServer previous = old.server();
            oldHead = previous.logHead().seq();
            previous.fence();
            fencing = oldPrimary + " was still running: fenced (read-only)";
        } else {
            fencing = oldPrimary + " is down: it will start fenced";
        }
        LogPosition at = replica.promote();
        cluster.promoted(host);
        republishZone();
        String lost = oldHead == null ? "unknown (" + oldPrimary + " cannot be asked)"
                : Math.max(0, oldHead - at.seq()) + " change(s)";
        log.warn("{} promoted at {}; {}; not replicated from {}: {}", host, at, fencing, oldPrimary, lost);
        return host + " is the primary (promoted at " + at + "); " + fencing + "; db." + stack.topology().domain()
                + " now points at " + host + "; changes of " + oldPrimary + " that never reached " + host + ": " + lost;
    }

    public String pause(String host) {
        StorageServer replica = replicaOf(host, "pause");
        replica.pauseReplication();
        return host + "'s replica paused at " + replica.replicationStatus().applied()
                + ": it goes on measuring its lag; reads there miss new writes until resume-replication";
    }

    public String resume(String host) {
        StorageServer replica = replicaOf(host, "resume");
        replica.resumeReplication();
        ReplicationStatus status = replica.replicationStatus();
        return host + "'s replica resumed at " + status.applied() + ", " + status.lagTransactions()
                + " transaction(s) behind";
    }

    public String reattach(String host) {
        DbCluster cluster = clusterOf(host);
        DbTierRuntime db = database(host);
        if (host.equals(cluster.primary())) {
            throw new ControlException(409, host + "'s database is the primary: there is nothing to re-attach it to");
        }
        if (!database(cluster.primary()).running()) {
            throw new ControlException(409, "the primary " + cluster.primary() + " is not running: a fresh copy "
                    + "is made from it");
        }
        long began = System.nanoTime();
        try {
            db.reattach();
        } catch (RuntimeException e) {
            throw new ControlException(500, host + " could not be re-attached: " + e.getMessage());
        }
        republishZone();
        return host + " re-attached in " + (System.nanoTime() - began) / 1_000_000 + " ms: its database was moved "
                + "aside, and it is now a replica of " + cluster.primary() + " from a fresh copy";
    }

    private void republishZone() {
        stack.nameServer().ifPresent(DnsTierRuntime::republishZone);
    }

    private DbCluster clusterOf(String host) {
        DbCluster cluster = stack.dbCluster().orElseThrow(() -> new ControlException(409, "the topology "
                + stack.topology().name() + " has no replicated databases"));
        if (!cluster.contains(host)) {
            throw new ControlException(409, host + " has no database in the cluster " + cluster.members());
        }
        return cluster;
    }

    private DbTierRuntime database(String host) {
        try {
            return (DbTierRuntime) stack.tier(host, Role.DB);
        } catch (IllegalArgumentException e) {
            throw new ControlException(409, host + " runs no database");
        }
    }

    private static StorageServer running(DbTierRuntime db, String host) {
        if (!db.running()) {
            throw new ControlException(409, host + "'s database is not running");
        }
        return db.server();
    }

    private StorageServer replicaOf(String host, String action) {
        clusterOf(host);
        StorageServer server = running(database(host), host);
        if (server.role() != DatabaseRole.REPLICA) {
            throw new ControlException(409, "cannot " + action + " replication on " + host + ": its database is "
                    + server.role().key() + ", not a replica");
        }
        return server;
    }
}
