package org.foobarstack.app.guestbook;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The read/write split: which database a statement goes to.
 *
 * <ul>
 *   <li><b>Writes</b>, and reads that must see a write just made, go to the <b>primary</b>: the one database that
 *       takes writes. Which one that is comes from the {@link DatabaseLocator} (DNS in a stack with replicas), so a
 *       failover moves the writes without a restart.</li>
 *   <li><b>Other reads</b> go to a <b>replica</b>, the one on this app's own host first (no network hop), else the
 *       others in turn; with no replica, or none that answers, to the primary.</li>
 * </ul>
 * A replica applies the primary's writes a little later (asynchronous replication), so a read there can miss a
 * write that was already acknowledged. The guestbook hides that from the writer: see {@link MessageStore}'s
 * read-your-writes position.
 *
 * <p>One connection pool per database, made when the app starts and kept for its life; the locator only says
 * which pool to use. A replica that could not be reached is left out of reads for {@link #QUARANTINE}: DNS still
 * lists a replica that crashed (nothing told it), and without this every read would first wait for the dead one.
 */
public final class DatabaseCluster implements AutoCloseable {

    private final Map<String, Database> pools;
    private final DatabaseLocator locator;
    private final String localHost;
    private final AtomicInteger turn = new AtomicInteger();
    /** How long a replica that failed is skipped: then it is tried again. */
    static final java.time.Duration QUARANTINE = java.time.Duration.ofSeconds(5);
    private final Map<Database, Long> skippedUntil = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param pools     one per database, by URL
     * @param localHost this app's host address: a replica there is read first
     */
    public DatabaseCluster(Map<String, Database> pools, DatabaseLocator locator, String localHost) {
        this.pools = new LinkedHashMap<>(pools);
        this.locator = locator;
        this.localHost = localHost;
    }

    /** One database, no replicas. */
    public static DatabaseCluster single(Database database) {
        return new DatabaseCluster(Map.of(database.jdbcUrl(), database), DatabaseLocator.single(database.jdbcUrl()),
                database.host());
    }

    /** The primary's pool, as the locator names it now. */
    public Database primary() throws SQLException {
        String url = locator.primaryUrl();
        Database db = pools.get(url);
        if (db == null) {
            throw new SQLException("the primary " + url + " is not one of this app's databases", "08001");
        }
        return db;
    }

    /** The replicas to read from, in the order to try them: this host's first, then the others in turn. */
    public List<Database> replicas() {
        List<Database> local = new ArrayList<>();
        List<Database> others = new ArrayList<>();
        long now = System.nanoTime();
        for (String url : locator.replicaUrls()) {
            Database db = pools.get(url);
            Long until = db == null ? null : skippedUntil.get(db);
            if (until != null && now - until < 0) {
                continue;
            }
            if (db != null) {
                (db.host().equals(localHost) ? local : others).add(db);
            }
        }
        if (others.size() > 1) {
            java.util.Collections.rotate(others, Math.floorMod(turn.getAndIncrement(), others.size()));
        }
        local.addAll(others);
        return local;
    }

    /** Whether there is more than one database, so that a write's position matters to later reads. */
    public boolean replicated() {
        return pools.size() > 1;
    }

    /** "primary" or "replica", as the locator says now; for headers and the whoami passport. */
    public String roleOf(Database db) {
        try {
            if (primary() == db) {
                return "primary";
            }
        } catch (SQLException e) {
            // no primary known now: then it is not this one
        }
        return locator.replicaUrls().contains(db.jdbcUrl()) ? "replica" : "out of the cluster";
    }

    /** A replica could not be reached: reads leave it out for {@link #QUARANTINE}. */
    public void replicaFailed(Database replica) {
        skippedUntil.put(replica, System.nanoTime() + QUARANTINE.toNanos());
    }

    /**
     * A statement on the primary failed as if it were not the primary any more (gone, or refusing writes): ask
     * the locator afresh next time.
     */
    public void primaryFailed() {
        locator.forget();
    }

    public Collection<Database> all() {
        return pools.values();
    }

    @Override
    public void close() {
        for (Database db : pools.values()) {
            db.close();
        }
    }
}
