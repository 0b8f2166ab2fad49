package org.foobarstack.testkit;

import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.StackConfig;
import org.foobarstack.launcher.hosts.LinkProxies;
import org.foobarstack.launcher.hosts.DbCluster;
import org.foobarstack.launcher.hosts.DbTierRuntime;
import org.foobarstack.launcher.hosts.LbTierRuntime;
import org.foobarstack.launcher.hosts.TierRuntime;
import org.foobarstack.launcher.hosts.WebTierRuntime;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A whole design running for one test (or one test class) on addresses and a data directory of its own, and what
 * each of its tiers received, taken in order as MockWebServer's {@code takeRequest()} does.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@link #start} reads the design (a shipped name or a topology file), leases a free third octet from
 *       {@link OctetAllocator#shared()} and moves every host onto 127.0.N.x; the design's own ports stay;</li>
 *   <li>it makes a fresh temporary data directory, builds the {@link Stack} there (its admin server on
 *       127.0.N.1, any free port) and starts a {@link HopFeed} on the stack's trace hub, so that every hop from
 *       the first on reaches the queues; it routes every link between tiers through a proxy of its own
 *       ({@link LinkProxies}), on which the test may put toxics: {@link #link};</li>
 *   <li>it starts the stack; if a tier finds its address taken by another program after all, everything is
 *       undone and the next octet is tried, {@value #ATTEMPTS} times in all. Stacks of one JVM may start at
 *       the same time and run side by side;</li>
 *   <li>the test sends real requests to {@link #url}, {@link #dnsAddress()}... and takes what each tier
 *       received: {@link #httpRequests()}, {@link #fastCgiRequests()}, {@link #sqlStatements()},
 *       {@link #dnsQuestions()};</li>
 *   <li>{@link #close()} stops the feed, the stack and the link proxies, deletes the data directory and gives the
 *       octet back.</li>
 * </ol>
 * The {@link FoobarStackExtension} does 1-3 before and 5 after each test; a test can also do it by hand with
 * try-with-resources.
 */
public final class TestStack implements AutoCloseable {

    /** How long {@link RecordingQueue#take()} waits by default. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    /** How often the feed looks for new hops. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(5);
    static final int ATTEMPTS = 3;

    private final Stack stack;
    private final OctetAllocator.Lease lease;
    private final Path dataDirectory;
    private final HopFeed feed;
    private final Recordings recordings;
    private final LinkProxies links;
    private boolean closed;

    private TestStack(Stack stack, OctetAllocator.Lease lease, Path dataDirectory, HopFeed feed,
                      Recordings recordings, LinkProxies links) {
        this.stack = stack;
        this.lease = lease;
        this.dataDirectory = dataDirectory;
        this.feed = feed;
        this.recordings = recordings;
        this.links = links;
    }

    /**
     * Starts a design on an octet of its own and returns once every tier accepts connections.
     *
     * @param design a shipped design ({@code simple}, {@code distributed}, {@code secured}, {@code scaled}) or
     *               the path of a topology file
     */
    public static TestStack start(String design) {
        return start(ShippedTopologies.resolve(design));
    }

    /** Starts a design given as a {@link Topology} (one read with {@code TopologyLoader}, say). */
    public static TestStack start(Topology design) {
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            OctetAllocator.Lease lease = OctetAllocator.shared().lease(design);
            try {
                return startOn(lease);
            } catch (RuntimeException e) {
                lease.close();
                if (!addressTaken(e)) {
                    throw e;
                }
                failure = e;
            }
        }
        throw failure;
    }

    private static TestStack startOn(OctetAllocator.Lease lease) {
        Topology topology = lease.topology();
        Path data = createDataDirectory(topology.name(), lease.octet());
        Stack stack = new Stack(StackConfig.builder()
                .topology(topology)
                .bindAddress(address(lease.octet()))
                .adminPort(0)
                .dataDir(data)
                .build());
        Recordings recordings = new Recordings(DEFAULT_WAIT);
        HopFeed feed = new HopFeed(stack.traces(), recordings, POLL_INTERVAL,
                "testkit-hops-127.0." + lease.octet());
        feed.start();
        LinkProxies links = new LinkProxies();
        stack.context().routeLinks(links);
        try {
            stack.start(line -> { });
        } catch (RuntimeException e) {
            feed.close();
            stack.close();
            links.close();
            delete(data);
            throw e;
        }
        return new TestStack(stack, lease, data, feed, recordings, links);
    }

    // ---------------------------------------------------------------- where to send requests

    /**
     * {@code http://127.0.N.x:PORT/path} at the design's front: its balancer (a pair's virtual address), or else
     * its first web server. On a design whose balancer serves HTTPS with {@code redirect: true} ({@code secured},
     * {@code scaled}), this plain-HTTP address answers 301 to HTTPS: use {@link #httpsAddress()} and
     * {@link #caCertificate()} there.
     *
     * @param path begins with {@code /}
     */
    public URI url(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("the path must begin with /: " + path);
        }
        InetSocketAddress front = front();
        return URI.create("http://" + front.getAddress().getHostAddress() + ":" + front.getPort() + path);
    }

    /** The design's front for plain HTTP: the balancer (or its pair's virtual address), else the first web server. */
    public InetSocketAddress front() {
        return stack.front();
    }

    /**
     * Where the front speaks HTTPS, if it does. Its certificate names {@code www.foobar.com}: connect to this
     * address, send that name as SNI and check the certificate against {@link #caCertificate()}.
     */
    public Optional<InetSocketAddress> httpsAddress() {
        Optional<LbTierRuntime> balancer = balancer();
        if (balancer.isPresent()) {
            LbTierRuntime lb = balancer.get();
            InetSocketAddress https = lb.httpsAddress();
            if (https == null) {
                return Optional.empty();
            }
            return Optional.of(lb.virtualAddress().map(vip -> new InetSocketAddress(vip, https.getPort()))
                    .orElse(https));
        }
        return first(Role.WEB).map(t -> ((WebTierRuntime) t).httpsAddress());
    }

    /** The PEM file of the certificate authority that signed the front's certificate, if it speaks HTTPS. */
    public Optional<Path> caCertificate() {
        if (httpsAddress().isEmpty()) {
            return Optional.empty();
        }
        return balancer().map(LbTierRuntime::caCertificate)
                .or(() -> Optional.ofNullable(stack.web()).map(web -> web.caCertificate()));
    }

    /** The first name server's address, for UDP and TCP alike. */
    public InetSocketAddress dnsAddress() {
        return first(Role.DNS).map(TierRuntime::address)
                .orElseThrow(() -> new IllegalStateException("the " + design().name() + " design runs no name server"));
    }

    /** One host of the design, by the name its file gives it ({@code server-1}, {@code lb-1}...). */
    public TestHost host(String name) {
        if (stack.host(name).isEmpty()) {
            throw new IllegalArgumentException("no host " + name + " in the " + design().name() + " design (hosts: "
                    + String.join(", ", stack.topologySpec().hosts().stream().map(h -> h.name()).toList()) + ")");
        }
        return new TestHost(stack, name);
    }

    /** The primary database: the one a promotion made primary, else the design's. */
    public TestDatabase database() {
        String primary = stack.context().dbCluster().map(DbCluster::primary).orElse(null);
        List<TierRuntime> databases = stack.context().tiers(Role.DB);
        return databases.stream()
                .filter(t -> primary == null || t.host().name().equals(primary))
                .findFirst()
                .map(t -> new TestDatabase((DbTierRuntime) t))
                .orElseThrow(() -> new IllegalStateException("the " + design().name() + " design runs no database"));
    }

    // ---------------------------------------------------------------- toxics on the links

    /**
     * The link from one tier to another, by instance names: {@code link("web-1", "app-1")},
     * {@code link("app-1", "db-1")}, {@code link("lb-1", "web-2")}. Every such link of the design runs through a
     * proxy, on which {@link TestLink#add} puts Toxiproxy's toxics.
     *
     * <p>{@code link("client", front)}, with the front's instance ({@code lb-1}, or {@code web-1} without a
     * balancer), is the test's own way in: requests sent to its {@link TestLink#url} cross the link's toxics.
     * {@link #url} itself stays direct, so that a killed front still refuses connections.
     *
     * @throws IllegalArgumentException when the design has no such link; the message lists those it has
     */
    public TestLink link(String from, String to) {
        if (from.equals("client")) {
            String front = frontInstance();
            if (!to.equals(front)) {
                throw new IllegalArgumentException("the client reaches the " + design().name() + " design at "
                        + front + ", not " + to + ": link(\"client\", \"" + front + "\")");
            }
            return new TestLink(links.outside("client", front, front()));
        }
        return links.find(from, to).map(TestLink::new).orElseThrow(() ->
            new IllegalArgumentException("no link " + LinkProxies.key(from, to) + " in the " + design().name()
                    + " design (links: client -> " + frontInstance() + ", " + String.join(", ",
                    links.all().stream().filter(l -> !l.from().equals("client"))
                            .map(LinkProxies.Link::name).toList()) + ")"));
    }

    /** Every link the stack routes through a proxy now (the client link once used). */
    public List<TestLink> links() {
        return links.all().stream().map(TestLink::new).toList();
    }

    /** Removes every toxic from every link: for an {@code @AfterEach} when the stack is shared by a class. */
    public void removeAllToxics() {
        links.all().forEach(link -> link.proxy().removeAll());
    }

    private String frontInstance() {
        return balancer().map(TierRuntime::instance)
                .or(() -> first(Role.WEB).map(TierRuntime::instance))
                .orElseThrow(() -> new IllegalStateException("the " + design().name() + " design has no front"));
    }

    // ---------------------------------------------------------------- what the tiers received

    /** Every HTTP request head the web servers received, in order. */
    public RecordingQueue<RecordedHttpRequest> httpRequests() {
        return recordings.http();
    }

    /** The next HTTP request a web server received: {@code httpRequests().take()}. */
    public RecordedHttpRequest takeRequest() {
        return recordings.http().take();
    }

    /** Every FastCGI request the app servers received, once its body (STDIN) has ended. */
    public RecordingQueue<RecordedFastCgiRequest> fastCgiRequests() {
        return recordings.fastCgi();
    }

    /** Every SQL statement the app servers sent to a database. */
    public RecordingQueue<RecordedSql> sqlStatements() {
        return recordings.sql();
    }

    /** Every question the name servers received. */
    public RecordingQueue<RecordedDnsQuestion> dnsQuestions() {
        return recordings.dns();
    }

    // ---------------------------------------------------------------- the stack itself

    /** The design as it runs, moved onto this stack's octet. */
    public Topology design() {
        return stack.topologySpec();
    }

    /** The third octet of every address of this stack: 127.0.{@code octet}.x. */
    public int octet() {
        return lease.octet();
    }

    /** This stack's own temporary data directory, deleted when it stops. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The running stack, for what the kit does not offer (its trace hub, metrics, admin server). */
    public Stack stack() {
        return stack;
    }

    /** Stops the stack, deletes its data and gives its octet back. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stack.close();
            feed.close();
            links.close();
        } finally {
            delete(dataDirectory);
            lease.close();
        }
    }

    @Override
    public String toString() {
        return design().name() + " on 127.0." + octet() + ".x, data in " + dataDirectory;
    }

    // ---------------------------------------------------------------- helpers

    private Optional<TierRuntime> first(Role role) {
        return stack.context().tiers(role).stream().findFirst();
    }

    private Optional<LbTierRuntime> balancer() {
        return first(Role.LB).map(LbTierRuntime.class::cast);
    }

    private static InetAddress address(int octet) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) octet, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path createDataDirectory(String design, int octet) {
        try {
            return Files.createTempDirectory("foobar-stack-" + design + "-127.0." + octet + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory", e);
        }
    }

    /** True when a start failed because an address was taken (a bind error anywhere in the causes). */
    static boolean addressTaken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof BindException || message.contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException leftOver) {
                    // a file still open somewhere; the temporary directory is the system's to clean
                }
            });
        } catch (IOException | UncheckedIOException leftOver) {
            // as above
        }
    }
}
