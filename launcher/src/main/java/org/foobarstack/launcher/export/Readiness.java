package org.foobarstack.launcher.export;

import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.TierSpec;
import org.foobarstack.topology.WebTier;

/**
 * How an engine tells that a host's container is ready for traffic.
 *
 * <p>A web server says so itself: {@code GET /health} answers 200 once it serves (and is what a balancer asks it
 * too). Every other tier is taken as ready when its port accepts a connection: the name server's TCP port, the
 * balancer's front port, the app server's FastCGI port, the database's, the monitoring server's. A host is probed
 * on its web tier if it runs one, else on its first tier: one probe per container, as engines take.
 *
 * @param path the HTTP path to ask, or null for a connection alone
 * @param port the TCP port to probe
 */
public record Readiness(String path, int port) {

    /** The health page every web tier serves. */
    public static final String HEALTH = "/health";

    /** The probe of {@code host}. */
    public static Readiness of(HostSpec host) {
        return host.tier(WebTier.class).map(web -> new Readiness(HEALTH, web.port()))
                .orElseGet(() -> new Readiness(null, firstTcpPort(host.tiers().get(0))));
    }

    /** Whether it is an HTTP request rather than a connection alone. */
    public boolean http() {
        return path != null;
    }

    /** The tier's first TCP listener: a name server listens on UDP first, and on TCP on the same port. */
    private static int firstTcpPort(TierSpec tier) {
        return tier.listeners().stream().filter(l -> l.transport() == TierSpec.Transport.TCP)
                .mapToInt(TierSpec.Listener::port).findFirst().orElse(tier.port());
    }
}
