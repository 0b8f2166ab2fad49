package org.foobarstack.testkit;

import org.foobarstack.launcher.hosts.LinkRouter;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.toxics.LinkProxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a {@link LinkProxy} on every link between the tiers of a test stack: the stack asks it where each tier
 * should connect ({@link LinkRouter}), and it answers with a proxy of that link, made the first time and kept
 * for the stack's life, so that a host killed and started again finds the same proxy with the same toxics.
 *
 * <p>Each proxy listens on the called host's address (127.0.N.x) on a free port, so that a tier that tells its
 * databases apart by address (an app server following {@code db.foobar.com}) still can; its connections to the
 * called tier leave from the calling host's address, so that the called tier and its firewall see the same
 * caller as without it. Its seed is made from the link's name, so a test's draws are the same at every run.
 */
final class LinkProxies implements LinkRouter, AutoCloseable {

    private final Map<String, TestLink> links = new LinkedHashMap<>();
    private boolean closed;

    static String key(String from, String to) {
        return from + " -> " + to;
    }

    @Override
    public synchronized InetSocketAddress route(TierRuntime from, TierRuntime to, InetSocketAddress address) {
        String name = key(from.instance(), to.instance());
        TestLink link = links.get(name);
        if (link == null || !link.upstream().equals(address)) {
            if (link != null) {
                link.proxy().close(); // the called tier moved: a proxy to its new address
            }
            link = open(from.instance(), to.instance(), new InetSocketAddress(to.host().address(), 0), address,
                    from.host().address());
        }
        return link.address();
    }

    /** The proxy of the test's own connections to the front, made on first use. */
    synchronized TestLink client(String front, InetSocketAddress address) {
        TestLink link = links.get(key("client", front));
        return link != null ? link : open("client", front, new InetSocketAddress(address.getAddress(), 0), address,
                null);
    }

    private TestLink open(String from, String to, InetSocketAddress listen, InetSocketAddress upstream,
                          InetAddress source) {
        if (closed) {
            throw new IllegalStateException("the stack is stopped");
        }
        String name = key(from, to);
        LinkProxy proxy = LinkProxy.builder().name(name).listen(listen).upstream(upstream).sourceAddress(source)
                .seed(name.hashCode()).build();
        proxy.start();
        TestLink link = new TestLink(from, to, proxy);
        links.put(name, link);
        return link;
    }

    synchronized TestLink find(String from, String to) {
        return links.get(key(from, to));
    }

    synchronized List<TestLink> all() {
        return List.copyOf(links.values());
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (TestLink link : new ArrayList<>(links.values())) {
            link.proxy().close();
        }
    }
}
