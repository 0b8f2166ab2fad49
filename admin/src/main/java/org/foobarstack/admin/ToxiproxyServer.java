package org.foobarstack.admin;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.foobarstack.toxics.LinkProxy;

/**
 * Toxiproxy's HTTP API beside the admin server (default 127.0.0.1:8474, Toxiproxy's own port), so that Toxiproxy's
 * clients drive the stack's links, and proxies of their own, without knowing they do not talk to Toxiproxy:
 *
 * <pre>
 *   ToxiproxyClient client = new ToxiproxyClient("127.0.0.1", 8474);       // eu.rekawek.toxiproxy
 *   client.getProxy("app-1_to_db-1").toxics()
 *           .latency("slow-db", ToxicDirection.DOWNSTREAM, 300);           // every query 300 ms later
 * </pre>
 *
 * It runs on the admin server's plumbing (the shared HTTP/1.1 parser, {@link AdminConnectionHandler}, an event
 * loop and two workers) with {@link ToxiproxyRoutes}, over a {@link ProxyCollection} of the stack's links and the
 * proxies clients make.
 *
 * <p>Like Toxiproxy's, the API takes no token: whoever can connect controls the links. So it listens on a
 * loopback address only; any other is refused before anything is bound.
 *
 * <p>Lifecycle: {@code new}, nothing bound; {@link #start()} binds (port 0: a free one; a taken port fails with an
 * {@link IOException} naming the address); {@link #address()}; {@link #close()} stops listening and closes the
 * proxies clients made (the stack's links are the stack's to close). Safe to call twice.
 */
public final class ToxiproxyServer implements AutoCloseable {

    public static final String TIER = "toxiproxy";
    /** Toxiproxy's port, where its clients look by default. */
    public static final int DEFAULT_PORT = 8474;

    private final ProxyCollection proxies;
    private final AdminServer http;

    /**
     * @param bindAddress a loopback address, e.g. 127.0.0.1
     * @param port        the port; 0 for a free one
     * @param stackLinks  the stack's links by their name in the API ({@link LinkStatus#proxyName}), asked on every
     *                    request
     * @throws IllegalArgumentException for an address that is not loopback
     */
    public ToxiproxyServer(String bindAddress, int port, Supplier<Map<String, LinkProxy>> stackLinks) {
        Objects.requireNonNull(bindAddress, "bindAddress");
        try {
            if (!InetAddress.getByName(bindAddress).isLoopbackAddress()) {
                throw new IllegalArgumentException("Toxiproxy's API has no token, so it listens on a loopback "
                        + "address only (127.0.0.0/8 or ::1), not " + bindAddress);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the Toxiproxy API's address " + bindAddress + " is unknown", e);
        }
        this.proxies = new ProxyCollection(stackLinks);
        this.http = new AdminServer(AdminConfig.builder().serverName("api").bindAddress(bindAddress).port(port)
                .build(), new ToxiproxyRoutes(proxies), TIER, "Toxiproxy's API: /proxies, /reset, /version");
    }

    /** Binds the port. */
    public void start() throws IOException {
        http.start();
    }

    /** The bound address; null before {@link #start()}. */
    public InetSocketAddress address() {
        return http.address();
    }

    /** The proxies this API shows: the stack's links and those its clients made. */
    public ProxyCollection proxies() {
        return proxies;
    }

    @Override
    public void close() {
        http.close();
        proxies.close();
    }
}
