package org.foobarstack.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import org.foobarstack.storage.replication.ReplicationConfig;

/**
 * Everything one storage tier needs to know before it starts: where it listens, where it keeps its files
 * and which accounts it creates. Immutable; build one with {@link #builder()}.
 *
 * <p>The two accounts have different jobs:
 * <ul>
 *   <li>the <b>owner</b> creates the database, runs the schema migrations and takes backups;</li>
 *   <li>the <b>app</b> user is what the application tier connects as: it may read and write the guestbook
 *       tables but not drop or alter them (on a replica: only read them);</li>
 *   <li>the <b>replication</b> user is what a replica connects to its primary as: it may read the change log
 *       and make the online backup a new replica starts from, nothing else.</li>
 * </ul>
 * The default passwords below are meant for a learner's machine only (the server binds to loopback by
 * default). Override them with the builder, or with {@code --owner-password} / {@code --app-password} on
 * {@link StorageServerMain}. A password is stored in the database when the database is first created;
 * see the module README for how to change it later.
 *
 * @param host         address the Network Server binds to (default {@value #DEFAULT_HOST})
 * @param port         TCP port (default {@value #DEFAULT_PORT}); 0 picks a free one, see {@link StorageServer#address()}
 * @param dataDir      directory that holds the database directory and derby.log (default {@code ./data/storage})
 * @param databaseName name of the database directory inside {@code dataDir} (default {@value #DEFAULT_DATABASE})
 * @param ownerUser    account that owns the schema and runs migrations
 * @param ownerPassword its password
 * @param appUser      account the application tier connects as
 * @param appPassword  its password
 * @param lockWaitTimeout how long a statement waits for a lock another transaction holds before Derby gives up
 *                     with SQLState 40XL1 (whole seconds, default {@value #DEFAULT_LOCK_WAIT_SECONDS} s, the app
 *                     tier's statement timeout: Derby's query timeout does not cut a lock wait short, so without
 *                     this a read behind a held lock would wait Derby's default of 60 s)
 * @param replUser     account a replica reads its primary's change log as
 * @param replPassword its password
 * @param replication  the server's part in replication: standalone (the default), primary, or a replica of a
 *                     primary
 */
public record StorageConfig(
        String host,
        int port,
        Path dataDir,
        String databaseName,
        String ownerUser,
        String ownerPassword,
        String appUser,
        String appPassword,
        Duration lockWaitTimeout,
        String replUser,
        String replPassword,
        ReplicationConfig replication) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The Derby Network Server's documented default port. */
    public static final int DEFAULT_PORT = 1527;
    public static final String DEFAULT_DATA_DIR = "data/storage";
    public static final String DEFAULT_DATABASE = "foobar";
    public static final String DEFAULT_OWNER_USER = "foobar_owner";
    public static final String DEFAULT_OWNER_PASSWORD = "owner-local-only";
    public static final String DEFAULT_APP_USER = "foobar_app";
    public static final String DEFAULT_APP_PASSWORD = "app-local-only";
    public static final String DEFAULT_REPL_USER = "foobar_repl";
    public static final String DEFAULT_REPL_PASSWORD = "repl-local-only";
    public static final int DEFAULT_LOCK_WAIT_SECONDS = 5;

    /** Largest TCP port number (RFC 793 ports are 16-bit). */
    private static final int MAX_PORT = 65_535;

    public StorageConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        requireIdentifier(databaseName, "databaseName");
        requireIdentifier(ownerUser, "ownerUser");
        requireIdentifier(appUser, "appUser");
        requirePassword(ownerPassword, "ownerPassword");
        requirePassword(appPassword, "appPassword");
        requireIdentifier(replUser, "replUser");
        requirePassword(replPassword, "replPassword");
        Objects.requireNonNull(replication, "replication");
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException("port must be 0..65535 (0 picks a free port), got " + port);
        }
        Objects.requireNonNull(lockWaitTimeout, "lockWaitTimeout");
        if (lockWaitTimeout.toSeconds() < 1 || lockWaitTimeout.toSeconds() > Integer.MAX_VALUE
                || lockWaitTimeout.toNanosPart() != 0) {
            throw new IllegalArgumentException("lockWaitTimeout must be whole seconds, at least 1 (Derby's "
                    + "derby.locks.waitTimeout counts seconds), got " + lockWaitTimeout);
        }
        if (ownerUser.equalsIgnoreCase(appUser)) {
            throw new IllegalArgumentException("ownerUser and appUser must be different accounts, both are " + ownerUser);
        }
        if (replUser.equalsIgnoreCase(ownerUser) || replUser.equalsIgnoreCase(appUser)) {
            throw new IllegalArgumentException("replUser must be an account of its own, not " + replUser);
        }
        // An absolute path: Derby resolves relative database names against the JVM-wide derby.system.home,
        // so every server in one JVM names its database by absolute path instead.
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    /**
     * Names we hand to Derby as SQL identifiers (user names, the database directory) are kept to plain
     * letters, digits and underscores, so they never need quoting and cannot smuggle SQL.
     */
    private static void requireIdentifier(String value, String what) {
        Objects.requireNonNull(value, what);
        if (!value.matches("[A-Za-z][A-Za-z0-9_]{0,127}")) {
            throw new IllegalArgumentException(
                    what + " must start with a letter and hold only letters, digits and '_' (max 128), got '" + value + "'");
        }
    }

    private static void requirePassword(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    /** The directory Derby keeps this database in: {@code <dataDir>/<databaseName>}. */
    public Path databaseDir() {
        return dataDir.resolve(databaseName);
    }

    /**
     * The client-driver URL of a server started with this config and listening on {@code port} (pass the
     * real port when the config says 0): {@code jdbc:derby://host:port/<absolute database directory>}.
     * See {@link StorageServer#jdbcUrl()} for why the database is named by absolute path.
     */
    public String jdbcUrl(int port) {
        String h = host.contains(":") ? "[" + host + "]" : host; // an IPv6 literal needs brackets (RFC 3986 §3.2.2)
        return "jdbc:derby://" + h + ":" + port + "/" + databaseDir();
    }

    /** Where Derby's own log (derby.log) goes for this tier. */
    public Path derbyLogFile() {
        return dataDir.resolve("derby.log");
    }

    /** Hides the passwords, so a config can be logged. */
    @Override
    public String toString() {
        return "StorageConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", databaseName="
                + databaseName + ", ownerUser=" + ownerUser + ", appUser=" + appUser + ", replUser=" + replUser
                + ", role=" + replication.role().key()
                + (replication.sourceUrl() == null ? "" : ", source=" + replication.sourceUrl()) + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config's values. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).dataDir(dataDir).databaseName(databaseName)
                .owner(ownerUser, ownerPassword).app(appUser, appPassword).lockWaitTimeout(lockWaitTimeout)
                .repl(replUser, replPassword).replication(replication);
    }

    /** Mutable builder; {@link #build()} validates and returns the immutable config. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Path dataDir = Path.of(DEFAULT_DATA_DIR);
        private String databaseName = DEFAULT_DATABASE;
        private String ownerUser = DEFAULT_OWNER_USER;
        private String ownerPassword = DEFAULT_OWNER_PASSWORD;
        private String appUser = DEFAULT_APP_USER;
        private String appPassword = DEFAULT_APP_PASSWORD;
        private Duration lockWaitTimeout = Duration.ofSeconds(DEFAULT_LOCK_WAIT_SECONDS);
        private String replUser = DEFAULT_REPL_USER;
        private String replPassword = DEFAULT_REPL_PASSWORD;
        private ReplicationConfig replication = ReplicationConfig.STANDALONE;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder databaseName(String databaseName) {
            this.databaseName = databaseName;
            return this;
        }

        public Builder owner(String user, String password) {
            this.ownerUser = user;
            this.ownerPassword = password;
            return this;
        }

        public Builder ownerPassword(String password) {
            this.ownerPassword = password;
            return this;
        }

        public Builder app(String user, String password) {
            this.appUser = user;
            this.appPassword = password;
            return this;
        }

        public Builder appPassword(String password) {
            this.appPassword = password;
            return this;
        }

        /** How long a statement waits for a lock before SQLState 40XL1; whole seconds, at least 1. */
        public Builder lockWaitTimeout(Duration timeout) {
            this.lockWaitTimeout = timeout;
            return this;
        }

        public Builder repl(String user, String password) {
            this.replUser = user;
            this.replPassword = password;
            return this;
        }

        /** Standalone (the default), primary, or a replica: see {@link ReplicationConfig}. */
        public Builder replication(ReplicationConfig replication) {
            this.replication = replication;
            return this;
        }

        public StorageConfig build() {
            return new StorageConfig(host, port, dataDir, databaseName, ownerUser, ownerPassword, appUser, appPassword,
                    lockWaitTimeout, replUser, replPassword, replication);
        }
    }
}
