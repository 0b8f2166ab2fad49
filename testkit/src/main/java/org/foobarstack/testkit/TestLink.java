package org.foobarstack.testkit;

import org.foobarstack.launcher.hosts.LinkProxies;
import org.foobarstack.toxics.LinkProxy;
import org.foobarstack.toxics.Toxic;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * One link of a test stack, {@code web-1 -> app-1}, with the proxy on it: toxics added here act on every
 * connection the calling tier has open on the link, and on every one it opens later, until removed.
 *
 * <pre>
 *   stack.link("app-1", "db-1").add(Toxic.latency(Duration.ofMillis(200)));
 *   ...
 *   stack.link("app-1", "db-1").remove("latency_downstream");
 * </pre>
 *
 * Upstream is the caller's stream (the web server's request to the app server), downstream the answer.
 */
public final class TestLink {

    private final String from;
    private final String to;
    private final LinkProxy proxy;

    /** A view of one of the stack's proxied links; two views of a link share its proxy and its toxics. */
    TestLink(LinkProxies.Link link) {
        this.from = link.from();
        this.to = link.to();
        this.proxy = link.proxy();
    }

    /** The calling tier's instance ({@code web-1}), or {@code client} for the test's own connections. */
    public String from() {
        return from;
    }

    /** The called tier's instance ({@code app-1}). */
    public String to() {
        return to;
    }

    /** Adds a toxic (its name must be new on this link); returns this link, for more. */
    public TestLink add(Toxic toxic) {
        proxy.add(toxic);
        return this;
    }

    /** Removes the toxic of that name ({@code latency_downstream} unless it was named). */
    public TestLink remove(String toxicName) {
        proxy.remove(toxicName);
        return this;
    }

    /** Removes every toxic: the link is clean again. */
    public TestLink removeAll() {
        proxy.removeAll();
        return this;
    }

    /** The toxics on the link now, in the order they act. */
    public List<Toxic> toxics() {
        return proxy.toxics();
    }

    /** Where the calling tier connects: the proxy's address, 127.0.N.x of the called host and a port of its own. */
    public InetSocketAddress address() {
        return proxy.address();
    }

    /** Where the called tier listens. */
    public InetSocketAddress upstream() {
        return proxy.upstream();
    }

    /**
     * {@code http://address/path}: for the {@code client} link, the URL that takes the test's own request through
     * the link's toxics ({@link TestStack#url} goes straight to the front).
     */
    public URI url(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("the path must begin with /: " + path);
        }
        return URI.create("http://" + address().getAddress().getHostAddress() + ":" + address().getPort() + path);
    }

    /** The proxy itself. */
    public LinkProxy proxy() {
        return proxy;
    }

    @Override
    public String toString() {
        return from + " -> " + to + " (" + hostPort(address()) + " -> " + hostPort(upstream()) + ")";
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
