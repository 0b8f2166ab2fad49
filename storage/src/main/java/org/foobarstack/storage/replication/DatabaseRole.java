package org.foobarstack.storage.replication;

import java.util.Locale;

/**
 * What a database is in its cluster. Kept inside the database itself ({@code REPL.NODE}), so that a server
 * restarted after a failover still knows what it was: the role survives the process, as it must.
 *
 * <pre>
 *   STANDALONE ──(a replica is attached)──▶ PRIMARY ──(its replica is promoted)──▶ FENCED
 *                                              ▲                                      │
 *   REPLICA ───────────(promote)───────────────┘        (re-attached from a fresh copy)
 *      ▲────────────────────────────────────────────────────────────────────────────┘
 * </pre>
 */
public enum DatabaseRole {

    /** One database, no replicas: writes are not logged (the {@code simple} design). */
    STANDALONE("accepts writes; no replicas, so nothing is logged", true),
    /** Accepts writes and logs each one, in the same transaction, for its replicas to read. */
    PRIMARY("accepts writes and logs every committed change for its replicas", true),
    /** Applies the primary's log in order; the application may only read. */
    REPLICA("applies the primary's log; the application may only read", false),
    /**
     * A former primary that came back after its replica was promoted. Its log may hold writes the new primary
     * never received, so it must not take writes again, nor follow the new primary as it is: only a fresh copy
     * of the new primary can make it a replica.
     */
    FENCED("a former primary: read-only until re-attached from a fresh copy of the new primary", false);

    private final String meaning;
    private final boolean acceptsWrites;

    DatabaseRole(String meaning, boolean acceptsWrites) {
        this.meaning = meaning;
        this.acceptsWrites = acceptsWrites;
    }

    /** One sentence for status pages. */
    public String meaning() {
        return meaning;
    }

    /** Whether the application's account may INSERT, UPDATE and DELETE. */
    public boolean acceptsWrites() {
        return acceptsWrites;
    }

    /** "primary", as status pages and the topology write it. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
