package org.foobarstack.launcher.hosts;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.foobarstack.admin.ReplicationView;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.app.net.SourceAddressRelay;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.replication.DatabaseRole;
import org.foobarstack.storage.replication.LogPosition;
import org.foobarstack.storage.replication.ReplicationConfig;
import org.foobarstack.storage.replication.ReplicationStatus;
import org.foobarstack.topology.DbTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The db tier of a host: a Derby Network Server on the host's address, its database under the host's data
 * directory ({@code <host dir>/storage}).
 *
 * <p>Its address is chosen before it starts ({@link #prepare()}), so that the app tiers that use it can be
 * configured while it still boots: Derby is the slowest tier to come up and needs no other.
 *
 * <p>In a topology with replicas ({@link DbCluster}) it starts as the primary or as a replica of the current
 * primary; a replica's connections to its primary go through a relay on this host's address
 * ({@link SourceAddressRelay}), since Derby's client driver cannot choose where its sockets leave from.
 */
public final class DbTierRuntime extends TierRuntime {

    private StorageServer server;
    private boolean started;
    private int boundPort;
    private EventLoopGroup relayGroup;
    private SourceAddressRelay relay;
    /**
     * With a host firewall: Derby opens its own server socket, where no accept filter can reach, so it listens on a
     * private port and this relay, judging every connection by the host's rules, takes the tier's public port.
     */
    private org.foobarstack.firewall.FilteringRelay firewallRelay;
    private int boundPublicPort;

    public DbTierRuntime(StackContext stack, HostSpec host, DbTier spec) {
        super(stack, host, spec);
        if (cluster().isPresent()) {
            registerMetrics();
        }
    }

    /**
     * The replication gauges of this database, read at scrape time: its role (one series per role, 1 for the
     * current one), the positions, and a replica's lag. NaN while it is down: no value, rather than a false zero.
     */
    private void registerMetrics() {
        List<String> labels = List.of("instance");
        List<String> values = List.of(instance);
        var metrics = stack.metrics();
        metrics.gauge("foobar_db_replication_applied_seq", "The last change this database logged (primary) or "
                + "applied (replica)", labels, values, () -> replication().map(r -> (double) r.applied().seq())
                .orElse(Double.NaN));
        metrics.gauge("foobar_db_replication_source_seq", "The primary's head as this replica last saw it",
                labels, values, () -> replication().filter(r -> r.sourceHead() != null)
                        .map(r -> (double) r.sourceHead().seq()).orElse(Double.NaN));
        metrics.gauge("foobar_db_replication_lag_transactions", "The primary's transactions this replica has "
                + "not applied yet", labels, values, () -> replication()
                .filter(r -> r.role() == DatabaseRole.REPLICA).map(r -> (double) r.lagTransactions())
                .orElse(Double.NaN));
        metrics.gauge("foobar_db_replication_lag_seconds", "How long the oldest change this replica has not "
                + "applied yet has waited", labels, values, () -> replication()
                .filter(r -> r.role() == DatabaseRole.REPLICA).map(ReplicationStatus::lagSeconds)
                .orElse(Double.NaN));
        for (DatabaseRole role : DatabaseRole.values()) {
            metrics.gauge("foobar_db_role", "1 for the role this database has now (standalone, primary, replica, "
                    + "fenced)", List.of("instance", "role"), List.of(instance, role.key()),
                    () -> replication().map(r -> r.role() == role ? 1.0 : 0.0).orElse(Double.NaN));
        }
    }

    private StorageConfig.Builder baseConfig() {
        return StorageConfig.builder()
                .host(stack.bindAddress(host).getHostAddress())
                // behind the host's firewall, Derby takes any free private port and the relay the public one
                // (another process's database is only ever addressed, at its public port)
                .port(filtered() && stack.runsHere(host) ? boundPort : portToBind(boundPort, spec.port()))
                .dataDir(stack.dataDirectory(host).resolve("storage"));
    }

    /** The replication cluster this database belongs to, if any. */
    public Optional<DbCluster> cluster() {
        return stack.dbCluster().filter(c -> c.contains(host.name()));
    }

    /** The config of the next start: standalone, the primary, or a replica of the current primary. */
    private synchronized StorageConfig storageConfig() {
        Optional<DbCluster> cluster = cluster();
        if (cluster.isEmpty()) {
            return baseConfig().build();
        }
        String primary = cluster.get().primary();
        if (primary.equals(host.name())) {
            return baseConfig().replication(ReplicationConfig.PRIMARY).build();
        }
        DbTierRuntime source = (DbTierRuntime) stack.tier(primary, Role.DB);
        ReplicationConfig replica = ReplicationConfig.replicaOf(source.jdbcUrl());
        InetSocketAddress via = relayTo(source.address());
        return baseConfig().replication(via == null ? replica : replica.withConnectVia(via)).build();
    }

    /** A relay from this host's address to the primary, when this host's address is not the kernel's choice. */
    private InetSocketAddress relayTo(InetSocketAddress primary) {
        if (stack.listensOnAnyAddress() || !SourceAddressRelay.needed(host.address())) {
            // listening on every address, the host does not have its topology address: the kernel chooses
            return null;
        }
        closeRelay(false);
        if (relayGroup == null) {
            relayGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        }
        relay = new SourceAddressRelay(host.address(), primary, relayGroup, NioServerSocketChannel.class,
                NioSocketChannel.class);
        return relay.start();
    }

    private synchronized void closeRelay(boolean abrupt) {
        if (relay != null) {
            relay.close(abrupt);
            relay = null;
        }
    }

    /**
     * The server of the current run, made (its port chosen) but not started when there is none yet: so that the
     * app tiers can be given its address while it boots.
     */
    public synchronized StorageServer prepare() {
        if (server == null) {
            server = new StorageServer(baseConfig().build());
            started = false;
            boundPort = server.plannedAddress().getPort();
        }
        if (stack.runsHere(host)) {
            startFirewallRelay(); // another process's database has its own relay, on its own address
        }
        return server;
    }

    private boolean filtered() {
        // another process's host: its file says so (this process keeps no packet filter for a host it does not run)
        return stack.runsHere(host) ? stack.firewall(host).present() : host.firewall().isPresent();
    }

    /** The public port behind the host's firewall: bound once, and kept across restarts. */
    private synchronized void startFirewallRelay() {
        if (!filtered() || firewallRelay != null) {
            return;
        }
        if (relayGroup == null) {
            relayGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        }
        HostFirewall firewall = stack.firewall(host);
        firewallRelay = new org.foobarstack.firewall.FilteringRelay(
                new InetSocketAddress(host.address(), portToBind(boundPublicPort, spec.port())),
                new InetSocketAddress(host.address(), boundPort), host.address(), firewall::current, relayGroup,
                org.foobarstack.firewall.FirewallHandler.DEFAULT_DROP_HOLD);
        boundPublicPort = firewallRelay.start().getPort();
    }

    private synchronized void closeFirewallRelay() {
        if (firewallRelay != null) {
            firewallRelay.close();
            firewallRelay = null;
        }
    }

    /** The client-driver URL the app tiers use: known once {@link #prepare()} chose the port. */
    public synchronized String jdbcUrl() {
        String url = prepare().plannedJdbcUrl();
        if (stack.listensOnAnyAddress() && stack.runsHere(host)) {
            // Derby listens on 0.0.0.0; the others reach it at the host's address
            url = url.replaceFirst("^jdbc:derby://0\\.0\\.0\\.0:", "jdbc:derby://" + host.address().getHostAddress() + ":");
        }
        if (!filtered()) {
            return url;
        }
        // the public port, the relay's: Derby's own is private to this host; another process's is the topology's
        return url.replaceFirst(":" + boundPort + "/", ":" + publicPort() + "/");
    }

    public String appUser() {
        return baseConfig().build().appUser();
    }

    public String appPassword() {
        return baseConfig().build().appPassword();
    }

    /**
     * Starts a server with this host's data on the prepared port: the first start, or (after a kill or stop) a
     * new one. Its role comes from the cluster as it is now.
     */
    @Override
    public void start() {
        StorageServer toStart;
        synchronized (this) {
            prepare();
            toStart = new StorageServer(storageConfig());
            server = toStart;
            started = true;
        }
        toStart.start();
        cluster().ifPresent(c -> {
            if (toStart.role() == DatabaseRole.FENCED) {
                c.fencedAtStart(host.name());
            }
        });
    }

    /**
     * Re-attaches a fenced former primary: stops it, moves its database aside and starts it again as a replica of
     * the current primary, from a fresh copy.
     */
    public void reattach() {
        StorageServer current;
        synchronized (this) {
            current = server;
        }
        if (current != null && started) {
            current.close();
        }
        closeRelay(false);
        StorageServer.moveAside(baseConfig().build());
        cluster().ifPresent(c -> c.reattached(host.name()));
        start();
    }

    @Override
    public synchronized void kill() {
        closeFirewallRelay();
        if (server != null && started) {
            server.kill();
        }
        closeRelay(true);
    }

    @Override
    public synchronized void close() {
        closeFirewallRelay();
        if (server != null && started) {
            server.close();
        }
        closeRelay(false);
        if (relayGroup != null) {
            relayGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            relayGroup = null;
        }
    }

    @Override
    public synchronized boolean running() {
        return server != null && started && server.running();
    }

    /** The server of the current (or next) start. */
    public synchronized StorageServer server() {
        return prepare();
    }

    @Override
    public synchronized InetSocketAddress address() {
        // the host's address even when Derby listens on every address (listenOnAnyAddress)
        return new InetSocketAddress(host.address(), filtered() ? publicPort() : prepare().plannedAddress().getPort());
    }

    /** Behind a firewall, the relay's port: this process's own relay's, or the topology's for another process's. */
    private int publicPort() {
        return stack.runsHere(host) ? boundPublicPort : spec.port();
    }

    /** Its replication state now, or empty when it is not running. */
    public Optional<ReplicationStatus> replication() {
        StorageServer current = server();
        if (!current.running()) {
            return Optional.empty();
        }
        try {
            return Optional.of(current.replicationStatus());
        } catch (RuntimeException e) {
            return Optional.empty(); // stopped meanwhile
        }
    }

    @Override
    public TierStatus status(Duration probeTimeout) {
        StorageServer current;
        boolean isStarted;
        synchronized (this) {
            current = server;
            isStarted = started;
        }
        InetSocketAddress db = address();
        boolean up = current != null && isStarted && current.healthy();
        Map<String, Long> counters = new LinkedHashMap<>();
        ReplicationView view = null;
        if (up) {
            counters.put("schemaVersion", (long) current.schemaVersion());
            Optional<ReplicationStatus> replication = replication();
            if (replication.isPresent()) {
                view = view(replication.get());
                counters.put("appliedSeq", view.appliedSeq());
                if (view.role().equals("replica")) {
                    counters.put("lagTransactions", view.lagTransactions());
                    counters.put("lagMillis", view.lagMillis());
                }
            }
        }
        String role = view == null || view.role().equals("standalone") ? "database" : "database (" + view.role() + ")";
        // a replica's reference is the primary it follows now, which a promotion changes (the file's is the first one)
        List<TierStatus.Reference> references = view != null && view.source() != null
                ? List.of(new TierStatus.Reference(view.source(), "db")) : List.of();
        return new TierStatus("db", instance, role, "DRDA (Derby)", List.of(hostPort(db) + "/tcp drda"), up,
                counters, references, view);
    }

    private ReplicationView view(ReplicationStatus status) {
        LogPosition head = status.sourceHead();
        String source = cluster().map(DbCluster::primary).filter(p -> !p.equals(host.name())).orElse(null);
        return new ReplicationView(status.role().key(),
                status.state() == ReplicationStatus.State.NOT_REPLICA ? "-" : status.state().name().toLowerCase(),
                status.role() == DatabaseRole.REPLICA ? source : null,
                status.applied().seq(), status.applied().txn(),
                head == null ? -1 : head.seq(), head == null ? -1 : head.txn(),
                status.lagTransactions(), status.lag().toMillis(), status.lastError());
    }
}
