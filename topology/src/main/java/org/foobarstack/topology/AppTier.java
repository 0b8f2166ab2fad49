package org.foobarstack.topology;

import java.util.List;
import java.util.Objects;

/**
 * The application server: a FastCGI responder running the site's application, the way php-fpm
 * runs PHP behind nginx. It answers the web tier's requests and keeps its data in a database.
 *
 * @param port the FastCGI port; 9000 by default (php-fpm's)
 * @param dbHost the host whose db tier holds the application's data; in a topology file it defaults
 *     to the app server's own host when that host runs a db tier, else to the only db host there is
 */
public record AppTier(int port, String dbHost) implements TierSpec {

    public AppTier {
        Ports.requireValid(port, "app port");
        Objects.requireNonNull(dbHost, "dbHost");
    }

    @Override
    public Role role() {
        return Role.APP;
    }

    @Override
    public List<Listener> listeners() {
        return List.of(new Listener(Role.APP, "port", port, Transport.TCP));
    }

    @Override
    public List<Reference> references() {
        return List.of(new Reference(dbHost, Role.DB));
    }

    @Override
    public AppTier withEphemeralPorts() {
        return new AppTier(0, dbHost);
    }
}
