package org.foobarstack.launcher.hosts;

import java.net.InetSocketAddress;

/**
 * Where one tier connects to reach another. The stack's own answer is the other tier's address; a test may put
 * something in between (a proxy with toxics on the link) by answering with that thing's address instead.
 *
 * <p>It is asked each time a tier starts (and a balancer adds a server), for each tier it calls: the web tier for
 * its app tier, the app tier for its databases, the balancer for its web servers.
 */
@FunctionalInterface
public interface LinkRouter {

    /** Every link straight to the tier it names. */
    LinkRouter DIRECT = (from, to, address) -> address;

    /**
     * @param from    the calling tier
     * @param to      the tier called
     * @param address where {@code to} listens
     * @return where {@code from} should connect
     */
    InetSocketAddress route(TierRuntime from, TierRuntime to, InetSocketAddress address);
}
