package org.foobarstack.storage;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.apache.derby.drda.NetworkServerControl;
import org.foobarstack.storage.StorageException.Problem;
import org.foobarstack.storage.migration.ClasspathMigrations;
import org.foobarstack.storage.migration.Migration;
import org.foobarstack.storage.migration.MigrationRunner;
import org.foobarstack.storage.replication.ChangeLog;
import org.foobarstack.storage.replication.DatabaseRole;
import org.foobarstack.storage.replication.LogPosition;
import org.foobarstack.storage.replication.ReplicationClient;
import org.foobarstack.storage.replication.ReplicationConfig;
import org.foobarstack.storage.replication.ReplicationStatus;
import org.foobarstack.storage.replication.StartingRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage tier: Apache Derby's Network Server, started inside this JVM, serving one database over TCP
 * to any JDBC client (the app tier, {@code ij}, a learner's SQL tool) through Derby's client driver.
 *
 * <p>Lifecycle of {@link #start()}:
 * <ol>
 *   <li>refuse a JVM that skips log syncing ({@code derby.system.durability=test}): an acknowledged commit
 *       must be on disk;</li>
 *   <li>create the data directory and check that it is writable and has room;</li>
 *   <li>send Derby's own log (derby.log) into the data directory instead of the working directory;</li>
 *   <li>a replica with no copy of its primary yet gets one: an online backup of the primary, made as the
 *       replication user and put in place of the database (a database already there that is not a copy is moved
 *       aside, never deleted);</li>
 *   <li>create, secure and migrate the database, install its change log and settle its role
 *       ({@link DatabaseSetup}) through the embedded driver;</li>
 *   <li>choose the port (a free one for port 0; see {@link #plannedAddress()}) and check that it is free;</li>
 *   <li>start the Network Server on host:port and wait until it answers a ping;</li>
 *   <li>do one real round trip as the app user ({@link HealthCheck});</li>
 *   <li>a replica starts its {@link ReplicationClient}, which follows the primary from the position the
 *       database has stored.</li>
 * </ol>
 * Any failure undoes the steps already done and throws a {@link StorageException} naming the problem and
 * the remedy. {@link #close()} stops the Network Server, then shuts this database down cleanly; it is
 * idempotent.
 *
 * <p><b>What is JVM-wide.</b> Derby runs one engine per JVM: all servers in a JVM share it, its
 * {@code derby.*} system properties and its derby.log. So each server names its database by absolute path
 * (see {@link #jdbcUrl()}), keeps its security settings as database properties (never system properties),
 * and shuts down only its own database, never the engine. The only JVM-wide setting we make is where
 * derby.log goes: the first server started in a JVM picks its data directory, unless
 * {@code -Dderby.stream.error.file} was given.
 */
public final class StorageServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StorageServer.class);

    /** How long the Network Server may take to answer its first ping. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** Pause between pings while waiting for the Network Server's listener thread to come up. */
    private static final long PING_INTERVAL_MILLIS = 20;
    /** Refuse to start with less free space than this: Derby needs room for its log files (1 MiB each). */
    static final long MIN_FREE_BYTES = 32L * 1024 * 1024;

    static final String DURABILITY_PROPERTY = "derby.system.durability";
    static final String ERROR_FILE_PROPERTY = "derby.stream.error.file";
    static final String LOG_APPEND_PROPERTY = "derby.infolog.append";

    private enum State { NEW, STARTING, RUNNING, CLOSED }

    private final StorageConfig config;
    private final DatabaseSetup setup;
    private final Object lock = new Object();
    private State state = State.NEW;
    private volatile NetworkServerControl networkServer;
    private volatile DerbyConsole console;
    private volatile InetSocketAddress address;
    /** Chosen once, before the Network Server starts; see {@link #plannedAddress()}. Guarded by lock. */
    private InetSocketAddress plannedAddress;
    private volatile MigrationRunner.Result migrationResult;
    private volatile DatabaseSetup.Prepared prepared;
    /** The database's role now: settled at start, changed by {@link #promote()} and {@link #fence()}. */
    private volatile DatabaseRole role;
    private volatile ReplicationClient replicationClient;
    private final List<Migration> migrations;

    public StorageServer(StorageConfig config) {
        this(config, ClasspathMigrations.load());
    }

    /** For tests and tools: run with a given list of migrations instead of the ones on the classpath. */
    public StorageServer(StorageConfig config, List<Migration> migrations) {
        this.config = Objects.requireNonNull(config, "config");
        this.migrations = List.copyOf(migrations);
        this.setup = new DatabaseSetup(config);
    }

    /**
     * Starts the tier: see the class comment for the steps.
     *
     * @throws StorageException naming the problem and what to do; the server is then stopped again
     * @throws IllegalStateException if called twice or after close()
     */
    public void start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("start() may be called once; this server is " + state);
            }
            state = State.STARTING;
        }
        try {
            refuseUnsafeDurability();
            warnIfNotLoopback();
            prepareDataDirectory();
            redirectDerbyLog();
            boolean copied = copyPrimaryIfNeeded();
            prepared = setup.prepare(migrations, copied);
            migrationResult = prepared.migrations();
            role = prepared.role();
            startNetworkServer();
            HealthCheck.Health health = healthCheck().check();
            if (!health.healthy()) {
                throw new StorageException(
                        health.detail().contains(DerbyErrors.INVALID_AUTHORIZATION)
                                ? Problem.WRONG_CREDENTIALS : Problem.SERVER_DID_NOT_START,
                        "first health check as " + config.appUser() + " failed: " + health.detail());
            }
            if (role == DatabaseRole.REPLICA) {
                startReplicationClient(prepared.head());
            }
            boolean closedMeanwhile;
            synchronized (lock) {
                closedMeanwhile = state == State.CLOSED; // close() was called while we were starting
                if (!closedMeanwhile) {
                    state = State.RUNNING;
                }
            }
            if (closedMeanwhile) {
                throw new StorageException(Problem.CLOSED_WHILE_STARTING, "close() came before the server was "
                        + "ready on " + address + ".");
            }
            LOG.info("storage listening on {} (database {}, schema version {}, {})",
                    address, config.databaseDir(), migrationResult.currentVersion(), role.key()
                            + (role == DatabaseRole.REPLICA ? " of " + config.replication().sourceUrl() : ""));
        } catch (RuntimeException e) {
            boolean closedMeanwhile;
            synchronized (lock) {
                closedMeanwhile = state == State.CLOSED;
                state = State.CLOSED;
            }
            // The failed step may have booted the database in this engine: release it (and its lock file).
            stopQuietly();
            if (closedMeanwhile && !(e instanceof StorageException s && s.problem() == Problem.CLOSED_WHILE_STARTING)) {
                // close() shut the database down under the step in progress, which then failed: that is why
                throw new StorageException(Problem.CLOSED_WHILE_STARTING, "close() came while it was starting, "
                        + "and the step under way failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Step 1. */
    private static void refuseUnsafeDurability() {
        if ("test".equalsIgnoreCase(System.getProperty(DURABILITY_PROPERTY))) {
            throw new StorageException(Problem.UNSAFE_DURABILITY, DURABILITY_PROPERTY + "=test is set in this JVM.");
        }
    }

    private void warnIfNotLoopback() {
        try {
            if (!InetAddress.getByName(config.host()).isLoopbackAddress()) {
                LOG.warn("storage binds to {}, reachable from other machines: replace the default passwords "
                        + "(see storage/README.md, 'Credentials')", config.host());
            }
        } catch (IOException e) {
            // reported precisely when the Network Server binds (step 6)
        }
    }

    /** Step 2. */
    private void prepareDataDirectory() {
        Path dir = config.dataDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot create " + dir + ": " + e, e);
        }
        if (!Files.isWritable(dir) || (Files.exists(config.databaseDir()) && !Files.isWritable(config.databaseDir()))) {
            throw new StorageException(Problem.NOT_WRITABLE, dir + " is not writable by this user.");
        }
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                throw new StorageException(Problem.DISK_FULL,
                        dir + " has " + free / 1024 + " KiB free; storage needs at least " + MIN_FREE_BYTES / 1024 / 1024 + " MiB.");
            }
        } catch (IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot inspect the file system of " + dir + ": " + e, e);
        }
    }

    /** Step 3: JVM-wide, so only if nobody chose yet (Derby reads it when its engine boots). */
    private void redirectDerbyLog() {
        synchronized (System.getProperties()) {
            if (System.getProperty(ERROR_FILE_PROPERTY) == null) {
                System.setProperty(ERROR_FILE_PROPERTY, config.derbyLogFile().toString());
                // Keep earlier runs' messages: by default Derby truncates derby.log at every boot.
                System.setProperty(LOG_APPEND_PROPERTY, "true");
            }
        }
    }

    /** Steps 5 and 6. */
    private void startNetworkServer() {
        InetSocketAddress planned = plannedAddress();
        InetAddress host = planned.getAddress();
        int port = planned.getPort();
        requirePortFree(host, port);

        DerbyConsole console = new DerbyConsole(config.host() + ":" + port);
        this.console = console;
        try {
            NetworkServerControl control = new NetworkServerControl(host, port);
            networkServer = control;
            // start() returns at once; the listener comes up on Derby's own thread.
            control.start(new PrintWriter(console, true));
            waitUntilPingAnswers(control, console, host, port);
        } catch (StorageException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException(Problem.SERVER_DID_NOT_START, "Derby Network Server on " + config.host() + ":"
                    + port + ": " + e + " " + console.recentLines(), e);
        }
        address = new InetSocketAddress(host, port);
    }

    /**
     * Derby's NetworkServerControl cannot report the port it bound when asked for port 0, so we ask the OS
     * for a free port first (bind a socket on port 0, read the port, close it) and hand that number to
     * Derby. Another process could grab it in between; {@link #requirePortFree} and the ping below then
     * report PORT_TAKEN clearly.
     */
    private static int pickFreePort(InetAddress host) {
        try (ServerSocket probe = new ServerSocket(0, 1, host)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new StorageException(Problem.ADDRESS_UNUSABLE, "no free port on " + host.getHostAddress() + ": " + e, e);
        }
    }

    /**
     * Derby only writes a bind failure to its console from its own thread, so we test the port ourselves
     * first to throw a precise error from start().
     */
    private static void requirePortFree(InetAddress host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port), 1);
        } catch (BindException e) {
            // Linux reports EADDRINUSE as "Address already in use" and EADDRNOTAVAIL as "Cannot assign requested address".
            if (String.valueOf(e.getMessage()).contains("in use")) {
                throw new StorageException(Problem.PORT_TAKEN, host.getHostAddress() + ":" + port + " is already in use.", e);
            }
            throw new StorageException(Problem.ADDRESS_UNUSABLE, "cannot bind " + host.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StorageException(Problem.ADDRESS_UNUSABLE, "cannot bind " + host.getHostAddress() + ":" + port + ": " + e, e);
        }
    }

    /**
     * The Network Server offers no start future: ping() is the documented way to learn that it is up.
     * We poll it with a deadline, and give up early when the console reports a bind failure. A ping that
     * finds nothing listening writes "Could not connect to Derby Network Server ... Connection refused" to
     * the console, which a learner would read as a failure; so the port is first asked with a bare TCP
     * connect, which says nothing, and pinged only once it accepts.
     */
    private void waitUntilPingAnswers(NetworkServerControl control, DerbyConsole console, InetAddress host, int port)
            throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (accepts(host, port)) {
                try {
                    control.ping();
                    return;
                } catch (Exception notYet) {
                    last = notYet;
                }
            }
            for (String line : console.recentLines()) {
                if (line.contains("BindException") || line.contains("Address already in use")) {
                    throw new StorageException(Problem.PORT_TAKEN, config.host() + ":" + port + ": " + line);
                }
            }
            TimeUnit.MILLISECONDS.sleep(PING_INTERVAL_MILLIS);
        }
        throw new StorageException(Problem.SERVER_DID_NOT_START, "no answer to ping on " + config.host() + ":" + port
                + " within " + START_TIMEOUT.toSeconds() + " s: " + (last == null ? "the port never accepted" : last)
                + " " + console.recentLines(), last);
    }

    /** Whether something accepts TCP connections on host:port: the listener is up. */
    private static boolean accepts(InetAddress host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) PING_INTERVAL_MILLIS);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** What the Network Server wrote to its console, the last lines of it (for tests). */
    List<String> consoleLines() {
        DerbyConsole current = console;
        return current == null ? List.of() : current.recentLines();
    }

    /**
     * The address this server will listen on, known before {@link #start()} has finished: for port 0 a free
     * port is chosen at the first call and kept (step 5). A stack uses it to start the app tier, which needs
     * only the JDBC URL, while the database is still booting; the app tier's pool retries until the Network
     * Server answers.
     */
    public InetSocketAddress plannedAddress() {
        synchronized (lock) {
            if (plannedAddress == null) {
                InetAddress host;
                try {
                    host = InetAddress.getByName(config.host());
                } catch (IOException e) {
                    throw new StorageException(Problem.ADDRESS_UNUSABLE,
                            "cannot resolve bind address " + config.host() + ": " + e, e);
                }
                plannedAddress = new InetSocketAddress(host, config.port() == 0 ? pickFreePort(host) : config.port());
            }
            return plannedAddress;
        }
    }

    /** {@link #jdbcUrl()} for the {@link #plannedAddress()}: usable before the server is up. */
    public String plannedJdbcUrl() {
        return jdbcUrlFor(plannedAddress());
    }

    /** The address the Network Server listens on, with the real port (also when configured as 0). */
    public InetSocketAddress address() {
        requireRunning();
        return address;
    }

    /** The port the Network Server listens on. */
    public int port() {
        return address().getPort();
    }

    /**
     * The URL for Derby's client (network) driver, e.g.
     * {@code jdbc:derby://127.0.0.1:1527//home/me/foobar-stack/data/storage/foobar}.
     *
     * <p>The database is named by its absolute path (hence the double slash): the Network Server resolves a
     * relative name against the JVM-wide {@code derby.system.home}, which would make two servers in one JVM
     * serve the same database.
     */
    public String jdbcUrl() {
        return jdbcUrlFor(address());
    }

    /** The account the application tier connects as. */
    public String appUser() {
        return config.appUser();
    }

    public String appPassword() {
        return config.appPassword();
    }

    public StorageConfig config() {
        return config;
    }

    /** The schema version the database is at (the number of the last migration applied). */
    public int schemaVersion() {
        requireRunning();
        return migrationResult.currentVersion();
    }

    /** A health check against this server, as the app user, through the network client driver. */
    public HealthCheck healthCheck() {
        InetSocketAddress a = address;
        if (a == null) {
            throw new StorageException(Problem.NOT_RUNNING, "no address yet.");
        }
        return new HealthCheck(jdbcUrlFor(a), config.appUser(), config.appPassword());
    }

    private String jdbcUrlFor(InetSocketAddress a) {
        return config.jdbcUrl(a.getPort());
    }

    /** Whether the server has started and not been stopped (no round trip: see {@link #healthy()}). */
    public boolean running() {
        synchronized (lock) {
            return state == State.RUNNING;
        }
    }

    /** One real round trip as the app user; false when the server is stopped or the database is unusable. */
    public boolean healthy() {
        synchronized (lock) {
            if (state != State.RUNNING) {
                return false;
            }
        }
        return healthCheck().healthy();
    }

    // ------------------------------------------------------------------------------------------- replication

    /** Step 4: a replica that has no copy of its primary yet makes one; returns whether it did. */
    private boolean copyPrimaryIfNeeded() {
        ReplicationConfig replication = config.replication();
        if (replication.role() != DatabaseRole.REPLICA) {
            return false;
        }
        DatabaseRole stored = setup.storedRole();
        boolean exists = Files.exists(config.databaseDir());
        StartingRole decision = StartingRole.decide(DatabaseRole.REPLICA, stored, false);
        if (decision.action() != StartingRole.Action.PROVISION) {
            return false;
        }
        if (exists) {
            Path aside = moveAside(config);
            LOG.warn("{} is not a copy of the primary ({}): moved aside to {}", config.databaseDir(),
                    decision.why(), aside);
        }
        Path staging = config.dataDir().resolve("copy-of-primary");
        String sourceUrl = replication.connectVia() == null ? replication.sourceUrl()
                : ReplicaCopy.urlVia(replication.sourceUrl(), replication.connectVia());
        new ReplicaCopy(sourceUrl, config.replUser(), config.replPassword())
                .copyInto(staging, config.databaseDir());
        LOG.info("{}: a fresh copy of {} (online backup)", config.databaseDir(), replication.sourceUrl());
        return true;
    }

    /**
     * Moves a stopped server's database directory aside, to {@code <name>.replaced-<UTC time>} next to it, and returns
     * where it went: nothing is deleted. Re-attaching a fenced former primary starts this way, so that the next start
     * as a replica makes a fresh copy of the new primary.
     */
    public static Path moveAside(StorageConfig config) {
        Path aside = config.dataDir().resolve(config.databaseName() + ".replaced-"
                + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()));
        try {
            Files.move(config.databaseDir(), aside);
        } catch (IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot move " + config.databaseDir() + " aside to "
                    + aside + ": " + e, e);
        }
        return aside;
    }

    private void startReplicationClient(LogPosition from) {
        ReplicationClient client = new ReplicationClient(config.host() + ":" + address.getPort(),
                config.replication(), config.replUser(), config.replPassword(),
                () -> setup.connectAsOwner(false), prepared.tables(), from);
        replicationClient = client;
        client.start();
    }

    /** The database's role now. */
    public DatabaseRole role() {
        requireRunning();
        return role;
    }

    /** Where this database stands in replication: a replica's client state and lag, or a primary's head. */
    public ReplicationStatus replicationStatus() {
        requireRunning();
        ReplicationClient client = replicationClient;
        if (client != null && role == DatabaseRole.REPLICA) {
            return client.status();
        }
        return ReplicationStatus.notReplica(role, logHead());
    }

    /** The last change logged (primary) or applied (replica), read from the database. */
    public LogPosition logHead() {
        requireRunning();
        try (Connection owner = setup.connectAsOwner(false)) {
            return new ChangeLog(owner, config.appUser(), config.appUser(), config.replUser()).head();
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "reading the change log head", Problem.DATABASE_ERROR);
        }
    }

    /** A replica stops applying (and goes on measuring its lag) until {@link #resumeReplication()}. */
    public void pauseReplication() {
        requireReplicaClient("pause").pause();
    }

    public void resumeReplication() {
        requireReplicaClient("resume").resume();
    }

    private ReplicationClient requireReplicaClient(String action) {
        requireRunning();
        ReplicationClient client = replicationClient;
        if (role != DatabaseRole.REPLICA || client == null) {
            throw new StorageException(Problem.REPLICATION_FAILED, "cannot " + action + " replication: "
                    + config.databaseDir() + " is " + role.key() + ", not a replica.");
        }
        return client;
    }

    /**
     * Makes this replica the primary: (1) its replication client stops, after the batch in progress; (2) the
     * identity columns go on after the highest keys it holds; (3) its role becomes PRIMARY and the app user may
     * write again; (4) from now on its own writes are logged, numbered after the last change it applied, so
     * another replica could follow it from there. What the old primary committed but this replica had not
     * applied yet is not here: with asynchronous replication, that is what a failover can lose.
     *
     * @return the position it was promoted at: the last change of the old primary it has
     */
    public LogPosition promote() {
        requireRunning();
        if (role != DatabaseRole.REPLICA) {
            throw new StorageException(Problem.REPLICATION_FAILED, "cannot promote " + config.databaseDir()
                    + ": it is " + role.key() + ", and only a replica can be promoted.");
        }
        ReplicationClient client = replicationClient;
        if (client != null) {
            client.close();
        }
        try (Connection owner = setup.connectAsOwner(false)) {
            ChangeLog log = new ChangeLog(owner, config.appUser(), config.appUser(), config.replUser());
            log.restartIdentities(prepared.tables());
            log.setRole(DatabaseRole.PRIMARY, null);
            role = DatabaseRole.PRIMARY;
            LogPosition at = log.head();
            LOG.warn("{} promoted to primary at {}", config.databaseDir(), at);
            return at;
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "promoting " + config.databaseDir(), Problem.REPLICATION_FAILED);
        }
    }

    /**
     * Stops a primary from taking writes, for a failover while it still runs: the app user keeps SELECT and loses
     * INSERT, UPDATE and DELETE, so a write sent here fails with Derby's permission error instead of going to a
     * database nobody follows any more (two primaries taking writes is the "split brain" to avoid).
     */
    public void fence() {
        requireRunning();
        try (Connection owner = setup.connectAsOwner(false)) {
            new ChangeLog(owner, config.appUser(), config.appUser(), config.replUser())
                    .setRole(DatabaseRole.FENCED, null);
            role = DatabaseRole.FENCED;
            LOG.warn("{} fenced: read-only until re-attached as a replica from a fresh copy", config.databaseDir());
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "fencing " + config.databaseDir(), Problem.REPLICATION_FAILED);
        }
    }

    /**
     * Online backup while the server keeps serving: Derby's SYSCS_UTIL.SYSCS_BACKUP_DATABASE copies the
     * database into {@code backupDir/<databaseName>}, replacing a backup already there. Readers and writers
     * go on meanwhile. Put it back with {@link StorageRestore}; from another process use {@link StorageBackup}.
     *
     * @return the directory of the backup copy, the path to give to {@link StorageRestore#restoreFrom}
     */
    public Path backup(Path backupDir) {
        requireRunning();
        return new StorageBackup(jdbcUrl(), config.ownerUser(), config.ownerPassword())
                .backupTo(backupDir, config.databaseName());
    }

    private void requireRunning() {
        synchronized (lock) {
            if (state != State.RUNNING) {
                throw new StorageException(Problem.NOT_RUNNING, "state is " + state + ".");
            }
        }
    }

    /** Stops the Network Server, then shuts this database down (its log is then clean). Idempotent. */
    @Override
    public void close() {
        if (markClosed()) {
            stopQuietly();
            LOG.info("storage on {} stopped", address);
        }
    }

    /**
     * Abrupt stop, for a host that is killed: the Network Server stops at once and its sessions are cut, so the
     * clients' connections fail in the middle of whatever they were doing, and uncommitted transactions are
     * lost. The database itself lives in this JVM's Derby engine, which then shuts it down: committed data is
     * on disk either way (Derby syncs its log at every commit), and a real power cut would only add the log
     * replay at the next boot.
     */
    public void kill() {
        if (markClosed()) {
            stopQuietly(true);
            LOG.warn("storage on {} killed", address);
        }
    }

    /**
     * Moves to CLOSED; true when the server was running or still starting, so that there is something to stop.
     * A start in progress stops what it has started so far here, and the starting thread, which sees CLOSED when
     * it is done, stops the rest and throws {@link Problem#CLOSED_WHILE_STARTING}.
     */
    private boolean markClosed() {
        synchronized (lock) {
            boolean started = state == State.RUNNING || state == State.STARTING;
            state = State.CLOSED;
            return started;
        }
    }

    private void stopQuietly() {
        stopQuietly(false);
    }

    /**
     * @param abrupt for a kill: the replication client is told to stop but not waited for, so a batch it is
     *               applying is cut off by the database's shutdown and rolled back, as a power cut would
     */
    private void stopQuietly(boolean abrupt) {
        ReplicationClient client = replicationClient;
        if (client != null) {
            if (abrupt) {
                client.abandon();
            } else {
                client.close();
            }
        }
        NetworkServerControl control = networkServer;
        networkServer = null;
        if (control != null) {
            try {
                control.shutdown();
            } catch (Exception e) {
                LOG.debug("network server shutdown: {}", e.toString());
            }
        }
        try {
            setup.shutdownDatabase();
        } catch (SQLException e) {
            // Not booted (XJ004), or we could not log in to it in the first place (08004): nothing to release.
            if (!DerbyErrors.DATABASE_NOT_FOUND.equals(e.getSQLState())
                    && !DerbyErrors.INVALID_AUTHORIZATION.equals(e.getSQLState())) {
                LOG.warn("database {} did not shut down cleanly: {} (SQLState {})",
                        config.databaseDir(), e.getMessage(), e.getSQLState());
            }
        }
    }

    @Override
    public String toString() {
        return "StorageServer[" + config + "]";
    }
}
