package org.foobarstack.launcher.hosts;

import org.foobarstack.admin.TierStatus;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.topology.DbTier;
import org.foobarstack.topology.HostSpec;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The db tier of a host: a Derby Network Server on the host's address, its database under the host's data
 * directory ({@code <host dir>/storage}).
 *
 * <p>Its address is chosen before it starts ({@link #prepare()}), so that the app tiers that use it can be
 * configured while it still boots: Derby is the slowest tier to come up and needs no other.
 */
public final class DbTierRuntime extends TierRuntime {

    private StorageServer server;
    private boolean started;
    private int boundPort;

    public DbTierRuntime(StackContext stack, HostSpec host, DbTier spec) {
        super(stack, host, spec);
    }

    StorageConfig storageConfig() {
        return StorageConfig.builder()
                .host(host.address().getHostAddress())
                .port(portToBind(boundPort, spec.port()))
                .dataDir(stack.dataDirectory(host).resolve("storage"))
                .build();
    }

    /**
     * The server of the current run, made (its port chosen) but not started when there is none yet: so that the
     * app tiers can be given its address while it boots.
     */
    public synchronized StorageServer prepare() {
        if (server == null) {
            server = new StorageServer(storageConfig());
            started = false;
            boundPort = server.plannedAddress().getPort();
        }
        return server;
    }

    /** The client-driver URL the app tiers use: known once {@link #prepare()} chose the port. */
    public synchronized String jdbcUrl() {
        return prepare().plannedJdbcUrl();
    }

    public String appUser() {
        return storageConfig().appUser();
    }

    public String appPassword() {
        return storageConfig().appPassword();
    }

    /** Starts the prepared server, or (after a kill or stop) a new one on the same port, with the same data. */
    @Override
    public void start() {
        StorageServer toStart;
        synchronized (this) {
            if (server != null && started) {
                server = null;
            }
            toStart = prepare();
            started = true;
        }
        toStart.start();
    }

    @Override
    public synchronized void kill() {
        if (server != null && started) {
            server.kill();
        }
    }

    @Override
    public synchronized void close() {
        if (server != null && started) {
            server.close();
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
        return prepare().plannedAddress();
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
        Map<String, Long> counters = up ? Map.of("schemaVersion", (long) current.schemaVersion()) : Map.of();
        return new TierStatus("db", instance, "database", "DRDA (Derby)", List.of(hostPort(db) + "/tcp drda"), up,
                counters);
    }
}
