package org.foobarstack.topology;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The application server: a FastCGI responder running the site's application, the way php-fpm
 * runs PHP behind nginx. It answers the web tier's requests and keeps its data in a database.
 *
 * @param port the FastCGI port; 9000 by default (php-fpm's)
 * @param dbHost the host whose db tier holds the application's data; in a topology file it defaults
 *     to the app server's own host when that host runs a db tier, else to the only db host there is
 * @param version the version of the application it runs at start ({@link #VERSIONS}); {@code v1} by default.
 *     A deploy changes it while the stack runs.
 * @param capacity how many requests a second the host can serve, emulated (every host of this machine shares
 *     its cores, so adding hosts adds no real capacity); empty: no limit but the machine's
 */
public record AppTier(int port, String dbHost, String version, Optional<Capacity> capacity) implements TierSpec {

    /** The versions of the application that ship in the jar. */
    public static final List<String> VERSIONS = List.of("v1", "v2");
    public static final String DEFAULT_VERSION = "v1";

    /**
     * An emulated capacity: {@code workers} requests are served at once, each holding its worker for at least
     * {@code serviceTime}, and up to {@code queue} more wait; beyond that a request is refused (503). At most
     * {@code workers / serviceTime} requests a second.
     */
    public record Capacity(int workers, Duration serviceTime, int queue) {
        public Capacity {
            if (workers < 1) {
                throw new IllegalArgumentException("capacity workers must be at least 1, got " + workers);
            }
            Objects.requireNonNull(serviceTime, "serviceTime");
            if (serviceTime.isZero() || serviceTime.isNegative()) {
                throw new IllegalArgumentException("capacity service-time must be positive, got " + serviceTime);
            }
            if (queue < 0) {
                throw new IllegalArgumentException("capacity queue must be 0 or more, got " + queue);
            }
        }

        /** Requests a second at most: workers / service time. */
        public double maxPerSecond() {
            return workers * 1_000_000_000.0 / serviceTime.toNanos();
        }
    }

    public AppTier {
        Ports.requireValid(port, "app port");
        Objects.requireNonNull(dbHost, "dbHost");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(capacity, "capacity");
        if (!VERSIONS.contains(version)) {
            throw new IllegalArgumentException("unknown app version " + version + " (versions: " + VERSIONS + ")");
        }
    }

    /** Version 1, no emulated capacity. */
    public AppTier(int port, String dbHost) {
        this(port, dbHost, DEFAULT_VERSION, Optional.empty());
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
        return new AppTier(0, dbHost, version, capacity);
    }

    public AppTier withVersion(String newVersion) {
        return new AppTier(port, dbHost, newVersion, capacity);
    }
}
