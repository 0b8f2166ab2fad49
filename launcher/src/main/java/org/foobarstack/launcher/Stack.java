package org.foobarstack.launcher;

import org.foobarstack.admin.AdminConfig;
import org.foobarstack.admin.AdminServer;
import org.foobarstack.admin.TierProbe;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.app.AppServer;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.dns.DnsServer;
import org.foobarstack.dns.DnsServerConfig;
import org.foobarstack.doh.DohHandler;
import org.foobarstack.http.WebServer;
import org.foobarstack.http.WebServerConfig;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The single-server stack: one DNS server, one web server, one app server and one database, each a plain object
 * on its own port.
 *
 * <p>Beside the four tiers runs the admin server (dashboard, {@code /metrics}, {@code /health}); all tiers of one
 * stack record their hops into one {@link TraceHub} and count into one {@link Metrics} registry.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>{@link #start()} starts the database on a thread of its own, since it is the slowest tier to come up and
 *       needs no other: its address is chosen first ({@link StorageServer#plannedAddress()}), so the tiers above
 *       can be configured with it at once.
 *   <li>Meanwhile the other tiers start from the bottom up, because each needs the address of the one below it:
 *       the app server (whose pool connects to storage as soon as storage answers), the DNS server (whose zone
 *       points at the web tier's address, and whose own address the web tier's DNS-over-HTTPS endpoint forwards
 *       to), the web server (which forwards to the app server), and the admin server.
 *   <li>After each start it waits until the tier's TCP port accepts a connection, so that "started" means a
 *       client can connect now, not "a thread was launched". {@code start} returns once the database is up too.
 *   <li>If any tier fails to start, the tiers already running are stopped again (after the database has
 *       finished booting), and the error names the tier.
 *   <li>{@link #close()} stops the tiers top down: admin, web, DNS, app, storage, so that no tier outlives the
 *       one it forwards to while requests still arrive.
 * </ol>
 * A stack holds no static state: tests start several in one JVM, each on its own free ports.
 */
public final class Stack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Stack.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration DOH_TIMEOUT = Duration.ofSeconds(3);

    private final StackConfig config;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private StorageServer storage;
    private AppServer app;
    private WebServer web;
    private DnsServer dns;
    private AdminServer admin;
    private DohHandler doh;
    /** Every tier of this stack records its hops here; the admin server shows them. */
    private final TraceHub traces = new TraceHub();
    /** Every tier of this stack counts into this one registry, told apart by an instance label. */
    private final Metrics metrics = new Metrics();

    public Stack(StackConfig config) {
        this.config = config;
    }

    /** Starts all four tiers; {@code progress} hears one line per tier as it comes up. */
    public synchronized void start(Consumer<String> progress) {
        CompletableFuture<Long> storageStarted = null;
        try {
            storage = new StorageServer(storageConfig(config));
            running.push(storage);
            String jdbcUrl;
            try {
                jdbcUrl = storage.plannedJdbcUrl();
            } catch (RuntimeException e) {
                throw new TierStartException("storage", e);
            }
            storageStarted = startInBackground("storage", storage::start);
            progress.accept("  storage     booting the database in the background");

            app = new AppServer(AppServerConfig.builder()
                    .bindAddress(config.bindAddress().getHostAddress())
                    .port(config.appPort())
                    .jdbcUrl(jdbcUrl)
                    .dbUser(storage.appUser())
                    .dbPassword(storage.appPassword())
                    .instanceName("app-1")
                    .traceRecorder(traces.newRecorder("app", "app-1"))
                    .metrics(metrics)
                    .build());
            startTier("app server", app::start, app::address, progress);
            running.push(app);

            dns = new DnsServer(DnsServerConfig.builder()
                    .bindAddress(config.bindAddress())
                    .port(config.dnsPort())
                    .webAddress(config.bindAddress())
                    .instanceName("dns-1")
                    .traceRecorder(traces.newRecorder("dns", "dns-1"))
                    .metrics(metrics)
                    .wwwAsCname(config.wwwAsCname())
                    .build());
            startTier("DNS server", dns::start, dns::tcpAddress, progress);
            running.push(dns);

            web = new WebServer(WebServerConfig.builder()
                    .bindAddress(config.bindAddress().getHostAddress())
                    .httpPort(config.httpPort())
                    .httpsEnabled(config.httpsEnabled())
                    .httpsPort(config.httpsEnabled() ? config.httpsPort() : 0)
                    .dataDirectory(config.dataDir().resolve("web"))
                    .appServerAddress(app.address())
                    .serverName("web-1")
                    .traceRecorder(traces.newRecorder("web", "web-1"))
                    .metrics(metrics)
                    .build());
            // DNS over HTTPS (RFC 8484): browsers do not ask a DNS server on port 5300, but they can be told to
            // ask https://.../dns-query, which forwards to ours; its DNS hops join the HTTP request's trace.
            doh = new DohHandler(dns.udpAddress(), web.traceRecorder(), DOH_TIMEOUT);
            web.addRoute(DohHandler.PATH, doh);
            startTier("web server", unchecked(web::start), web::httpAddress, progress);
            running.push(web);
            if (web.httpsAddress() != null) {
                waitUntilAccepting("web server (HTTPS)", web.httpsAddress());
            }

            admin = new AdminServer(AdminConfig.builder()
                    .bindAddress(config.bindAddress().getHostAddress())
                    .port(config.adminPort())
                    .build(), traces, metrics, this::topology);
            startTier("admin", unchecked(admin::start), admin::address, progress);
            running.push(admin);

            long storageMillis = awaitStorage(storageStarted);
            endpoints.add(0, new Endpoint("storage", storage.address()));
            waitUntilAccepting("storage", storage.address());
            progress.accept(String.format("  %-11s up in %d ms", "storage", storageMillis));
        } catch (RuntimeException e) {
            if (storageStarted != null) {
                settleStorage(storageStarted);
            }
            close();
            throw e;
        }
    }

    /**
     * After a failed start: waits until the database's background start has ended, however it ends (the tiers
     * must never be stopped while it still boots), and lists its endpoint if it came up, so that it is stopped.
     */
    private void settleStorage(CompletableFuture<Long> started) {
        boolean up = started.handle((millis, failure) -> failure == null).join();
        if (up && endpoints.stream().noneMatch(endpoint -> endpoint.tier().equals("storage"))) {
            endpoints.add(0, new Endpoint("storage", storage.address()));
        }
    }

    /**
     * Runs a tier's start on a thread of its own and reports how many milliseconds it took. The database boots
     * this way, while the tiers above it start: it is the slowest tier to start, and they need only its address.
     */
    private static CompletableFuture<Long> startInBackground(String tier, Runnable start) {
        return CompletableFuture.supplyAsync(() -> {
            long began = System.nanoTime();
            start.run();
            return (System.nanoTime() - began) / 1_000_000;
        }, task -> new Thread(task, tier + "-start").start());
    }

    private static long awaitStorage(CompletableFuture<Long> started) {
        try {
            return started.join();
        } catch (CompletionException e) {
            throw new TierStartException("storage", e.getCause());
        }
    }

    /** A start method that throws IOException, as a Runnable whose error message stays readable. */
    private static Runnable unchecked(IoAction action) {
        return () -> {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        };
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private void startTier(String name, Runnable start, Supplier<InetSocketAddress> port,
                           Consumer<String> progress) {
        long began = System.nanoTime();
        try {
            start.run();
        } catch (RuntimeException e) {
            throw new TierStartException(name, e);
        }
        InetSocketAddress address = port.get();
        endpoints.add(new Endpoint(name, address));
        waitUntilAccepting(name, address);
        long millis = (System.nanoTime() - began) / 1_000_000;
        progress.accept(String.format("  %-11s up in %d ms", name, millis));
    }

    private static void waitUntilAccepting(String name, InetSocketAddress address) {
        if (!PortProbe.waitUntilAccepting(address, READY_TIMEOUT)) {
            throw new TierStartException(name, new IllegalStateException(
                    "started, but " + address + " did not accept a connection within " + READY_TIMEOUT.toSeconds()
                            + " s"));
        }
    }

    /**
     * The storage tier's settings for a stack: its database lives in {@code <dataDir>/storage}. The backup and
     * restore commands use this too, so that they find the database the stack runs on.
     */
    public static StorageConfig storageConfig(StackConfig config) {
        return StorageConfig.builder()
                .host(config.bindAddress().getHostAddress())
                .port(config.dbPort())
                .dataDir(config.dataDir().resolve("storage"))
                .build();
    }

    /** The main TCP address of every tier started so far, storage first; kept after {@link #close()}. */
    public List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    /** Where one tier listens. */
    public record Endpoint(String tier, InetSocketAddress address) {
    }

    public AdminServer admin() {
        return admin;
    }

    public TraceHub traces() {
        return traces;
    }

    public Metrics metrics() {
        return metrics;
    }

    /**
     * What the dashboard draws: each tier, where it listens, and whether it answers right now. "Up" is a real
     * probe each time (a DNS query, a TCP connection), not a remembered state, so a stopped tier shows as down.
     */
    List<TierStatus> topology() {
        List<TierStatus> tiers = new ArrayList<>();
        if (dns != null) {
            InetSocketAddress udp = dns.udpAddress();
            tiers.add(new TierStatus("dns", "dns-1", "DNS server", "DNS",
                    List.of(hostPort(udp) + "/udp dns", hostPort(dns.tcpAddress()) + "/tcp dns"),
                    TierProbe.dns(udp, "foobar.com.", PROBE_TIMEOUT),
                    Map.of("queries", dns.stats().queries())));
        }
        if (web != null) {
            List<String> endpoints = new ArrayList<>();
            endpoints.add(hostPort(web.httpAddress()) + "/tcp http");
            if (web.httpsAddress() != null) {
                endpoints.add(hostPort(web.httpsAddress()) + "/tcp https");
            }
            tiers.add(new TierStatus("web", "web-1", "web server", "HTTP/1.1", endpoints,
                    TierProbe.tcp(web.httpAddress(), PROBE_TIMEOUT),
                    Map.of("connections", (long) web.openConnections())));
        }
        if (app != null) {
            tiers.add(new TierStatus("app", "app-1", "app server", "FastCGI",
                    List.of(hostPort(app.address()) + "/tcp fastcgi"),
                    TierProbe.tcp(app.address(), PROBE_TIMEOUT),
                    Map.of("connections", (long) app.openConnections())));
        }
        if (storage != null) {
            InetSocketAddress db = storage.address();
            tiers.add(new TierStatus("db", "db-1", "database", "DRDA (Derby)",
                    List.of(hostPort(db) + "/tcp drda"),
                    storage.healthy(),
                    Map.of("schemaVersion", (long) storage.schemaVersion())));
        }
        return tiers;
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    public StackConfig config() {
        return config;
    }

    public StorageServer storage() {
        return storage;
    }

    public AppServer app() {
        return app;
    }

    public WebServer web() {
        return web;
    }

    public DnsServer dns() {
        return dns;
    }

    /** Stops every running tier, top down. Safe to call twice, and from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (doh != null) {
            doh.close();
        }
        while (!running.isEmpty()) {
            AutoCloseable tier = running.pop();
            try {
                tier.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", tier.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** A tier did not come up; the message says which, and why. */
    public static final class TierStartException extends RuntimeException {
        private final String tier;

        TierStartException(String tier, Throwable cause) {
            super("the " + tier + " did not start: " + cause.getMessage(), cause);
            this.tier = tier;
        }

        public String tier() {
            return tier;
        }
    }
}
