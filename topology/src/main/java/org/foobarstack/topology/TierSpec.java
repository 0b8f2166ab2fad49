package org.foobarstack.topology;

import java.util.List;
import java.util.Locale;

/**
 * One tier a host runs: its role, the port it listens on, and what else it needs to reach.
 *
 * <p>The interface is sealed: the six records below are all the tiers there are, one per
 * {@link Role}, so code that handles every kind of tier can be checked for completeness.
 * A tier names the other tiers it talks to by <em>host name</em> ({@link #references()}), never by
 * address and port: the launcher looks those up when it starts the stack, which is what lets
 * {@link Topology#withEphemeralPorts()} and {@link Topology#relocated(int)} change ports and
 * addresses without touching a single reference.
 */
public sealed interface TierSpec permits DnsTier, LbTier, WebTier, AppTier, DbTier, MonitorTier {

    /** A port value meaning "this listener is not opened" (a web tier without HTTPS, a balancer without stats). */
    int OFF = -1;

    /** Which tier this is. */
    Role role();

    /** The tier's main port; 0 means any free port, chosen when the tier binds. */
    int port();

    /** Every socket the tier listens on, its main port first; ports that are {@link #OFF} are left out. */
    List<Listener> listeners();

    /** The tiers on other hosts (or this one) that this tier connects to. */
    List<Reference> references();

    /** The same tier with every port 0 (any free port), and ports that are off still off. */
    TierSpec withEphemeralPorts();

    /** The two transports a listener can use. A DNS server listens on both, on the same port number. */
    enum Transport {
        TCP, UDP;

        /** Lower case, as in {@code 8080/tcp}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One listening socket of a tier.
     *
     * @param role the tier that listens
     * @param key the topology file key that sets this port: {@code port}, {@code https-port} or {@code stats-port}
     * @param port the port number; 0 means any free port and so never clashes with another listener
     * @param transport TCP or UDP: two listeners clash only when both the number and the transport are the same
     */
    record Listener(Role role, String key, int port, Transport transport) {

        /** How an error message names this listener: {@code web} for the main port, {@code web https-port} for another. */
        public String label() {
            return key.equals("port") ? role.key() : role.key() + " " + key;
        }
    }

    /**
     * A tier this one connects to: the {@code role} tier on host {@code host}.
     *
     * <p>A web tier references the app tier it forwards {@code /api/*} to, an app tier the
     * database it queries, a load balancer each web tier it balances over.
     */
    record Reference(String host, Role role) {
    }
}
