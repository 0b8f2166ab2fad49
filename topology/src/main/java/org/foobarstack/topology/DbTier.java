package org.foobarstack.topology;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The database server: Apache Derby's Network Server, which app servers reach over Derby's
 * network protocol with the JDBC client driver.
 *
 * <p>A db tier is a primary by default. With {@code replica-of: server-1} it is a replica of server-1's: it starts
 * from a copy of that database, then applies every change server-1 commits, a moment later; the application may
 * read from it but not write. {@code failover} says what happens when the primary dies: nothing until an operator
 * runs {@code ctl promote} ({@code manual}, the default), or this replica promotes itself after the primary failed
 * {@code failover-after} health checks in a row, one a second ({@code auto}).
 *
 * @param port      the database port; 1527 by default (Derby's)
 * @param replicaOf the host whose database this one replicates; null for a primary
 * @param failover  what a replica does when its primary dies
 */
public record DbTier(int port, String replicaOf, Failover failover) implements TierSpec {

    /** Manual or automatic promotion of a replica. */
    public enum FailoverMode {
        MANUAL, AUTO;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param mode  manual (an operator promotes) or auto (the stack promotes)
     * @param after failed health checks in a row, one a second, before an automatic promotion
     */
    public record Failover(FailoverMode mode, int after) {
        public static final int DEFAULT_AFTER = 3;
        public static final Failover MANUAL = new Failover(FailoverMode.MANUAL, DEFAULT_AFTER);

        public Failover {
            Objects.requireNonNull(mode, "mode");
            if (after < 1) {
                throw new IllegalArgumentException("failover-after must be 1 or more, got " + after);
            }
        }
    }

    public DbTier {
        Ports.requireValid(port, "db port");
        Objects.requireNonNull(failover, "failover");
    }

    /** A primary on {@code port}. */
    public DbTier(int port) {
        this(port, null, Failover.MANUAL);
    }

    /** A primary on its default port, 1527. */
    public DbTier() {
        this(Role.DB.defaultPort());
    }

    public boolean isReplica() {
        return replicaOf != null;
    }

    @Override
    public Role role() {
        return Role.DB;
    }

    @Override
    public List<Listener> listeners() {
        return List.of(new Listener(Role.DB, "port", port, Transport.TCP));
    }

    @Override
    public List<Reference> references() {
        return replicaOf == null ? List.of() : List.of(new Reference(replicaOf, Role.DB));
    }

    @Override
    public DbTier withEphemeralPorts() {
        return new DbTier(0, replicaOf, failover);
    }
}
