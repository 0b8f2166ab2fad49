package org.foobarstack.launcher.hosts;

import org.foobarstack.toxics.LinkProxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Puts a {@link LinkProxy} on every link between the tiers of a stack: the stack asks it where each tier should
 * connect ({@link LinkRouter}), and it answers with a proxy of that link, made the first time and kept for the
 * stack's life, so that a host killed and started again finds the same proxy with the same toxics.
 *
 * <p>Each proxy listens on the called host's address (127.0.N.x) on a free port, so that a tier that tells its
 * databases apart by address (an app server following {@code db.foobar.com}) still can; its connections to the
 * called tier leave from the calling host's address, so that the called tier and its firewall see the same
 * caller as without it. Its seed is made from the link's name, so the draws are the same at every run.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>made before the stack starts, and handed to {@link StackContext#routeLinks};</li>
 *   <li>each tier that starts asks {@link #route} for each tier it calls: the link's proxy starts then;</li>
 *   <li>toxics are added and removed on {@link #find}'s proxies while traffic flows;</li>
 *   <li>{@link #close} stops every proxy, after the tiers have stopped.</li>
 * </ol>
 * Used by {@code foobar-stack run --toxics} and by the test kit.
 */
public final class LinkProxies implements LinkRouter, AutoCloseable {

    /**
     * One proxied link.
     *
     * @param from  the calling tier's instance ({@code app-1}), or {@code client} for a test's own connections
     * @param to    the called tier's instance ({@code db-1})
     * @param proxy the proxy on it, started
     */
    public record Link(String from, String to, LinkProxy proxy) {

        /** {@code app-1 -> db-1}. */
        public String name() {
            return key(from, to);
        }
    }

    private final Map<String, Link> links = new LinkedHashMap<>();
    private boolean closed;

    /** A link's name: {@code from -> to}. */
    public static String key(String from, String to) {
        return from + " -> " + to;
    }

    @Override
    public synchronized InetSocketAddress route(TierRuntime from, TierRuntime to, InetSocketAddress address) {
        String name = key(from.instance(), to.instance());
        Link link = links.get(name);
        if (link == null || !link.proxy().upstream().equals(address)) {
            if (link != null) {
                link.proxy().close(); // the called tier moved: a proxy to its new address
            }
            link = open(from.instance(), to.instance(), new InetSocketAddress(to.host().address(), 0), address,
                    from.host().address());
        }
        return link.proxy().address();
    }

    /**
     * The proxy of a link that is not between two tiers (a test's own connections to the front), made on first
     * use: listening on {@code upstream}'s address on a free port, connecting from any address.
     */
    public synchronized Link outside(String from, String to, InetSocketAddress upstream) {
        Link link = links.get(key(from, to));
        return link != null ? link : open(from, to, new InetSocketAddress(upstream.getAddress(), 0), upstream, null);
    }

    private Link open(String from, String to, InetSocketAddress listen, InetSocketAddress upstream,
                      InetAddress source) {
        if (closed) {
            throw new IllegalStateException("the stack is stopped");
        }
        String name = key(from, to);
        LinkProxy proxy = LinkProxy.builder().name(name).listen(listen).upstream(upstream).sourceAddress(source)
                .seed(name.hashCode()).build();
        proxy.start();
        Link link = new Link(from, to, proxy);
        links.put(name, link);
        return link;
    }

    /** The link from {@code from} to {@code to}, once a tier has used it. */
    public synchronized Optional<Link> find(String from, String to) {
        return Optional.ofNullable(links.get(key(from, to)));
    }

    /** Every link made so far, in the order they were first used. */
    public synchronized List<Link> all() {
        return List.copyOf(links.values());
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Link link : new ArrayList<>(links.values())) {
            link.proxy().close();
        }
    }
}
