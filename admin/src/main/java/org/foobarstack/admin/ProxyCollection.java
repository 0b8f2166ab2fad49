package org.foobarstack.admin;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.foobarstack.admin.StackControl.ControlException;
import org.foobarstack.toxics.LinkProxy;
import org.foobarstack.toxics.Toxic;

/**
 * The proxies of Toxiproxy's API, by name, with Toxiproxy's rules: a name is unique, a proxy is enabled (listening)
 * or not, and each has its toxics. Two kinds live side by side:
 *
 * <ul>
 *   <li>the stack's links ({@code app-1_to_db-1}): their proxies are the stack's, asked for on every call, so a
 *       toxic added here is the one {@code GET /api/links} and {@code ctl toxic list} show, and the other way
 *       round. They can be disabled and enabled (the link is cut: the proxy stops listening and closes its
 *       connections, as Toxiproxy does) but not deleted, moved or pointed elsewhere, because the tiers were
 *       configured with their addresses;</li>
 *   <li>the proxies made through the API ({@code POST /proxies}, {@code POST /populate}) for any TCP service,
 *       which this collection makes, changes and closes.</li>
 * </ul>
 *
 * Addresses are {@code host:port} as in Toxiproxy. A proxy listens on a loopback address only, since the API
 * that controls it has no token; an empty host is 127.0.0.1, port 0 a free port. Every refusal is a
 * {@link ControlException} with Toxiproxy's status and, where Toxiproxy has one, its message
 * ({@code proxy not found}, {@code proxy already exists}, {@code toxic not found}, {@code toxic already exists},
 * {@code missing required field: name}).
 */
public final class ProxyCollection implements AutoCloseable {

    /**
     * One proxy as the API shows it.
     *
     * @param name      its name, unique
     * @param listen    where it listens, {@code address:port} (the bound port once it has listened)
     * @param upstream  where it forwards, as it was given
     * @param enabled   whether it listens now
     * @param toxics    its toxics, in the order they act
     * @param stackLink whether it is one of the stack's links
     */
    public record View(String name, String listen, String upstream, boolean enabled, List<Toxic> toxics,
                       boolean stackLink) {
        public View {
            toxics = List.copyOf(toxics);
        }
    }

    /**
     * What {@code POST /proxies} and {@code POST /populate} ask for: enabled by default, as in Toxiproxy.
     *
     * @param listen   {@code host:port}, or null or empty for 127.0.0.1 and a free port
     * @param upstream {@code host:port}
     */
    public record Spec(String name, String listen, String upstream, boolean enabled) {
    }

    /** A proxy made through the API, with its upstream as the client wrote it. */
    private record Made(LinkProxy proxy, String upstream) {
    }

    private final Supplier<Map<String, LinkProxy>> stackLinks;
    /** Guarded by {@code this}, as is every change of a proxy's state. */
    private final Map<String, Made> made = new LinkedHashMap<>();
    private boolean closed;

    /**
     * @param stackLinks the stack's links by their name in this API ({@link LinkStatus#proxyName}), in the order
     *                   they were first used; asked on every call, since links appear as the tiers start
     */
    public ProxyCollection(Supplier<Map<String, LinkProxy>> stackLinks) {
        this.stackLinks = Objects.requireNonNull(stackLinks, "stackLinks");
    }

    /** Every proxy: the stack's links first, then those made here, each in the order it came. */
    public synchronized List<View> all() {
        List<View> views = new ArrayList<>();
        stackLinks.get().forEach((name, proxy) -> views.add(view(name, proxy, hostPort(proxy.upstream()), true)));
        made.forEach((name, m) -> views.add(view(name, m.proxy(), m.upstream(), false)));
        return views;
    }

    /** @throws ControlException 404 {@code proxy not found} */
    public synchronized View get(String name) {
        LinkProxy link = stackLinks.get().get(name);
        if (link != null) {
            return view(name, link, hostPort(link.upstream()), true);
        }
        Made m = made.get(name);
        if (m == null) {
            throw proxyNotFound();
        }
        return view(name, m.proxy(), m.upstream(), false);
    }

    /**
     * Makes a proxy, listening at once if enabled.
     *
     * @throws ControlException 400 for a missing name or upstream or a bad address, 409 {@code proxy already
     *                          exists}, 500 when its address cannot be bound (Toxiproxy's status for it)
     */
    public synchronized View create(Spec spec) {
        Addresses addresses = check(spec);
        if (exists(spec.name())) {
            throw new ControlException(409, "proxy already exists");
        }
        return add(spec, addresses);
    }

    /**
     * Toxiproxy's {@code POST /populate}: every proxy of the list checked first, then each made, or replaced when
     * its addresses changed, or kept as it is (with its toxics) when they did not.
     *
     * @throws ControlException 400 for a list with a bad entry or a name twice, 409 for a stack link with other
     *                          addresses than it has
     */
    public synchronized List<View> populate(List<Spec> specs) {
        Set<String> names = new HashSet<>();
        List<Addresses> checked = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec spec = specs.get(i);
            if (spec.name() == null || spec.name().isEmpty()) {
                throw new ControlException(400, "missing required field: name at proxy " + (i + 1));
            }
            if (spec.upstream() == null || spec.upstream().isEmpty()) {
                throw new ControlException(400, "missing required field: upstream at proxy " + (i + 1));
            }
            if (!names.add(spec.name())) {
                throw new ControlException(400, "bad request body: the proxy name " + spec.name() + " comes twice");
            }
            Addresses addresses = check(spec);
            LinkProxy link = stackLinks.get().get(spec.name());
            if (link != null && !sameAddresses(link, addresses)) {
                throw stackLinkStays(spec.name(), link, "its listen and upstream cannot change");
            }
            checked.add(addresses);
        }
        List<View> views = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec spec = specs.get(i);
            Made existing = made.get(spec.name());
            if (stackLinks.get().containsKey(spec.name())
                    || existing != null && sameAddresses(existing.proxy(), checked.get(i))) {
                views.add(get(spec.name()));
                continue;
            }
            if (existing != null) {
                made.remove(spec.name());
                existing.proxy().close();
            }
            views.add(add(spec, checked.get(i)));
        }
        return views;
    }

    /**
     * Toxiproxy's proxy update: a new listen or upstream address (the proxy is made again there, with its toxics),
     * and enabled or not. Null leaves a field as it is.
     *
     * @throws ControlException 404, 400 for a bad address, 409 for a stack link's address, 500 when the address
     *                          cannot be bound
     */
    public synchronized View update(String name, String listen, String upstream, Boolean enabled) {
        View now = get(name);
        LinkProxy link = stackLinks.get().get(name);
        Spec wanted = new Spec(name, listen == null ? now.listen() : listen,
                upstream == null ? now.upstream() : upstream, enabled == null ? now.enabled() : enabled);
        Addresses addresses = check(wanted);
        if (link != null) {
            if (!sameAddresses(link, addresses)) {
                throw stackLinkStays(name, link, "its listen and upstream cannot change; {\"enabled\": false} "
                        + "cuts the link");
            }
            enable(link, wanted.enabled());
            return get(name);
        }
        Made m = made.get(name);
        if (!sameAddresses(m.proxy(), addresses)) {
            // as in Toxiproxy: stopped, moved, and started again there; a start that fails leaves it disabled
            List<Toxic> toxics = m.proxy().toxics();
            m.proxy().close();
            made.remove(name);
            add(new Spec(name, wanted.listen(), wanted.upstream(), false), addresses);
            LinkProxy moved = made.get(name).proxy();
            toxics.forEach(moved::add);
            enable(moved, wanted.enabled());
        } else {
            enable(m.proxy(), wanted.enabled());
        }
        return get(name);
    }

    /**
     * Deletes a proxy made through the API: it stops listening and closes its connections.
     *
     * @throws ControlException 404, or 409 for a stack link, which the tiers need
     */
    public synchronized void delete(String name) {
        LinkProxy link = stackLinks.get().get(name);
        if (link != null) {
            throw stackLinkStays(name, link, "it cannot be deleted; {\"enabled\": false} cuts the link");
        }
        Made m = made.remove(name);
        if (m == null) {
            throw proxyNotFound();
        }
        m.proxy().close();
    }

    /** Toxiproxy's {@code POST /reset}: every proxy enabled, every toxic removed, on the stack's links too. */
    public synchronized void reset() {
        for (View view : all()) {
            LinkProxy proxy = proxy(view.name());
            enable(proxy, true);
            proxy.removeAll();
        }
    }

    /** @throws ControlException 404 {@code proxy not found} */
    public synchronized List<Toxic> toxics(String proxyName) {
        return proxy(proxyName).toxics();
    }

    /** @throws ControlException 404 {@code proxy not found} or {@code toxic not found} */
    public synchronized Toxic toxic(String proxyName, String toxicName) {
        return proxy(proxyName).toxics().stream().filter(t -> t.name().equals(toxicName)).findFirst()
                .orElseThrow(ProxyCollection::toxicNotFound);
    }

    /** @throws ControlException 404 {@code proxy not found}, 409 {@code toxic already exists} */
    public synchronized Toxic addToxic(String proxyName, Toxic toxic) {
        LinkProxy proxy = proxy(proxyName);
        try {
            proxy.add(toxic);
        } catch (IllegalArgumentException e) {
            throw new ControlException(409, "toxic already exists");
        }
        return toxic;
    }

    /**
     * Changes a toxic's attributes or toxicity: {@code change} makes the new toxic from the one there now.
     *
     * @throws ControlException 404 {@code proxy not found} or {@code toxic not found}
     */
    public synchronized Toxic updateToxic(String proxyName, String toxicName, UnaryOperator<Toxic> change) {
        Toxic changed = change.apply(toxic(proxyName, toxicName));
        proxy(proxyName).update(changed);
        return changed;
    }

    /** @throws ControlException 404 {@code proxy not found} or {@code toxic not found} */
    public synchronized void removeToxic(String proxyName, String toxicName) {
        LinkProxy proxy = proxy(proxyName);
        try {
            proxy.remove(toxicName);
        } catch (IllegalArgumentException e) {
            throw toxicNotFound();
        }
    }

    /** Closes the proxies made through the API; the stack's links are the stack's to close. */
    @Override
    public synchronized void close() {
        closed = true;
        made.values().forEach(m -> m.proxy().close());
        made.clear();
    }

    // ---------------------------------------------------------------- helpers

    private boolean exists(String name) {
        return made.containsKey(name) || stackLinks.get().containsKey(name);
    }

    private LinkProxy proxy(String name) {
        LinkProxy link = stackLinks.get().get(name);
        if (link != null) {
            return link;
        }
        Made m = made.get(name);
        if (m == null) {
            throw proxyNotFound();
        }
        return m.proxy();
    }

    private View add(Spec spec, Addresses addresses) {
        if (closed) {
            throw new ControlException(409, "the stack is stopping");
        }
        LinkProxy proxy = LinkProxy.builder().name(spec.name()).listen(addresses.listen())
                .upstream(addresses.upstream()).seed(spec.name().hashCode()).build();
        if (spec.enabled()) {
            enable(proxy, true);
        }
        made.put(spec.name(), new Made(proxy, spec.upstream()));
        return view(spec.name(), proxy, spec.upstream(), false);
    }

    /** Starts or closes a proxy; a start on a taken address is Toxiproxy's 500, naming the address. */
    private static void enable(LinkProxy proxy, boolean enabled) {
        if (enabled == proxy.listening()) {
            return;
        }
        if (!enabled) {
            proxy.close();
            return;
        }
        try {
            proxy.start();
        } catch (RuntimeException e) {
            // Netty throws the checked BindException unchecked, so it is caught by its supertype
            throw new ControlException(500, "listen tcp " + hostPort(proxy.address()) + ": " + e.getMessage());
        }
    }

    private static View view(String name, LinkProxy proxy, String upstream, boolean stackLink) {
        return new View(name, hostPort(proxy.address()), upstream, proxy.listening(), proxy.toxics(), stackLink);
    }

    private record Addresses(InetSocketAddress listen, InetSocketAddress upstream) {
    }

    private static Addresses check(Spec spec) {
        if (spec.name() == null || spec.name().isEmpty()) {
            throw new ControlException(400, "missing required field: name");
        }
        if (spec.upstream() == null || spec.upstream().isEmpty()) {
            throw new ControlException(400, "missing required field: upstream");
        }
        InetSocketAddress listen = address("listen", spec.listen() == null || spec.listen().isEmpty()
                ? "127.0.0.1:0" : spec.listen());
        if (!listen.getAddress().isLoopbackAddress()) {
            throw new ControlException(400, "bad request body: listen " + spec.listen() + " is not a loopback "
                    + "address; this API has no token, so its proxies listen on 127.0.0.0/8 or ::1 only");
        }
        InetSocketAddress upstream = address("upstream", spec.upstream());
        if (upstream.getPort() == 0) {
            throw new ControlException(400, "bad request body: upstream " + spec.upstream() + " needs a port");
        }
        return new Addresses(listen, upstream);
    }

    /** {@code host:port}, {@code [v6]:port} or {@code :port} (127.0.0.1), the host resolved now. */
    private static InetSocketAddress address(String field, String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65_535) {
            throw new ControlException(400, "bad request body: " + field + " must be host:port, not \"" + text
                    + "\"");
        }
        try {
            return new InetSocketAddress(host.isEmpty() ? InetAddress.getByName("127.0.0.1")
                    : InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ControlException(400, "bad request body: " + field + " " + text + ": unknown host " + host);
        }
    }

    /** Whether a proxy listens and forwards where {@code addresses} say (port 0 matches any listening port). */
    private static boolean sameAddresses(LinkProxy proxy, Addresses addresses) {
        InetSocketAddress at = proxy.address();
        boolean listenSame = at.getAddress().equals(addresses.listen().getAddress())
                && (addresses.listen().getPort() == 0 || at.getPort() == addresses.listen().getPort());
        return listenSame && proxy.upstream().equals(addresses.upstream());
    }

    private static ControlException stackLinkStays(String name, LinkProxy link, String what) {
        return new ControlException(409, name + " is the stack's link " + link.name() + ", whose tiers connect "
                + "through it: " + what);
    }

    private static ControlException proxyNotFound() {
        return new ControlException(404, "proxy not found");
    }

    private static ControlException toxicNotFound() {
        return new ControlException(404, "toxic not found");
    }

    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
