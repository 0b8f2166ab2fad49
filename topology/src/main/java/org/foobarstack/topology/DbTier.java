package org.foobarstack.topology;

import java.util.List;

/**
 * The database server: Apache Derby's Network Server, which app servers reach over Derby's
 * network protocol with the JDBC client driver.
 *
 * @param port the database port; 1527 by default (Derby's)
 */
public record DbTier(int port) implements TierSpec {

    public DbTier {
        Ports.requireValid(port, "db port");
    }

    /** A database on its default port, 1527. */
    public DbTier() {
        this(Role.DB.defaultPort());
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
        return List.of();
    }

    @Override
    public DbTier withEphemeralPorts() {
        return new DbTier(0);
    }
}
