package org.foobarstack.launcher.hosts;

import org.foobarstack.app.Capacity;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.admin.TierProbe;
import org.foobarstack.admin.TierStatus;
import org.foobarstack.app.AppServer;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.guestbook.ClusterConfig;
import org.foobarstack.topology.AppTier;
import org.foobarstack.topology.HostSpec;
import org.foobarstack.topology.Role;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The app tier of a host: the FastCGI responder running the guestbook, on the host's address, with its pool of
 * database connections to the db tier the topology names (leaving from the host's address too).
 */
public final class AppTierRuntime extends ServerTierRuntime<AppServer> {

    private final AppTier app;
    /** The version of the application the next start runs: the topology's, until a deploy changes it. */
    private volatile AppVersion version;

    public AppTierRuntime(StackContext stack, HostSpec host, AppTier spec) {
        super(stack, host, spec, AppServer::kill, AppServer::close, AppServer::running);
        this.app = spec;
        this.version = AppVersion.parse(spec.version());
    }

    /** The version the running server runs, or the next start will. */
    public AppVersion version() {
        return version;
    }

    /** The version the next start runs (a deploy stops the server, sets this, and starts it again). */
    public void setVersion(AppVersion next) {
        version = next;
    }

    /** The emulated capacity from the topology, in the app server's terms; null when there is none. */
    private Capacity capacity() {
        return app.capacity().map(c -> new Capacity(c.workers(), c.serviceTime(), c.queue())).orElse(null);
    }

    /** The db tier this app server uses. */
    public DbTierRuntime database() {
        return (DbTierRuntime) stack.tier(app.dbHost(), Role.DB);
    }

    @Override
    public void start() {
        DbTierRuntime db = database();
        AppServerConfig.Builder config = AppServerConfig.builder()
                .bindAddress(stack.bindAddress(host).getHostAddress())
                .port(portToBind())
                .jdbcUrl(stack.routeJdbcUrl(this, db))
                .dbName(db.instance())
                .dbUser(db.appUser())
                .dbPassword(db.appPassword())
                .instanceName(instance)
                .appVersion(version)
                .capacity(capacity())
                .traceRecorder(stack.recorder(Role.APP, instance))
                .metrics(stack.metrics())
                .acceptFilter(stack.firewall(host).acceptFilter());
        db.cluster().ifPresent(cluster -> config.cluster(clusterConfig(cluster)));
        AppServer fresh = new AppServer(config.build());
        fresh.start();
        started(fresh, fresh.address().getPort());
    }

    /**
     * With replicas, the app server gets every database of the cluster and the two DNS names that say which is the
     * primary and which are replicas, asked of the topology's name server.
     */
    private ClusterConfig clusterConfig(DbCluster cluster) {
        List<ClusterConfig.DatabaseTarget> targets = cluster.members().stream()
                .map(member -> (DbTierRuntime) stack.tier(member, Role.DB))
                .map(member -> new ClusterConfig.DatabaseTarget(member.instance(), stack.routeJdbcUrl(this, member)))
                .toList();
        String domain = stack.topology().domain();
        InetSocketAddress dns = stack.nameServer().orElseThrow(() -> new IllegalStateException(
                "a topology with replicas needs a name server")).address();
        return new ClusterConfig(targets, dns, "db." + domain, "replicas.db." + domain,
                ClusterConfig.DEFAULT_DNS_TIMEOUT);
    }

    @Override
    public TierStatus status(Duration probeTimeout) {
        InetSocketAddress address = address();
        AppServer current = server();
        boolean up = current != null && current.running() && TierProbe.tcp(address, probeTimeout);
        return new TierStatus("app", instance, "app server " + version.word()
                + app.capacity().map(c -> String.format(", capacity %.0f/s (emulated)", c.maxPerSecond())).orElse(""),
                "FastCGI",
                List.of(hostPort(address) + "/tcp fastcgi"), up,
                Map.of("connections", current == null ? 0L : (long) current.openConnections()), references());
    }
}
