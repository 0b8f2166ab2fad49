package org.foobarstack.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.foobarstack.storage.StorageException.Problem;
import org.foobarstack.storage.migration.Migration;
import org.foobarstack.storage.migration.MigrationRunner;
import org.foobarstack.storage.replication.ChangeLog;
import org.foobarstack.storage.replication.DatabaseRole;
import org.foobarstack.storage.replication.LogPosition;
import org.foobarstack.storage.replication.LoggedTable;
import org.foobarstack.storage.replication.ReplicationConfig;
import org.foobarstack.storage.replication.StartingRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database on disk to the state the application expects, through Derby's embedded driver
 * (in this JVM, before the Network Server opens the port):
 * <ol>
 *   <li>create the database if its directory holds none yet (refusing a non-empty foreign directory);</li>
 *   <li>secure it (checked at every start, done once): store the owner's and the app user's passwords
 *       with Derby's NATIVE authentication and turn on SQL authorization (GRANT/REVOKE). These are
 *       <em>database</em> properties, kept inside the database, never JVM-wide system properties, so
 *       several databases in one JVM do not interfere; the database is then shut down and booted again,
 *       because Derby reads them at boot;</li>
 *   <li>apply the schema migrations as the owner, in the schema named after the app user (Derby gives every
 *       user a default schema with its own name, so the app finds MESSAGES without qualifying it, while
 *       the owner, not the app, owns that schema: the app cannot drop or alter its tables);</li>
 *   <li>set up the change log ({@link ChangeLog}: the tables, the procedure and the triggers that log each write
 *       for replicas), settle the database's role ({@link StartingRole}), and grant the app user what the role
 *       allows: SELECT on every table the migrations made, and INSERT, UPDATE and DELETE unless the database is a
 *       replica or fenced.</li>
 * </ol>
 */
final class DatabaseSetup {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseSetup.class);

    /** Derby's marker file: every Derby database directory has one. */
    static final String SERVICE_PROPERTIES = "service.properties";

    /** Database properties we set (Derby Reference Manual, "Derby properties"). */
    static final String AUTH_PROVIDER = "derby.authentication.provider";
    /** NATIVE::LOCAL = credentials are stored in this database and checked for every connection to it. */
    static final String NATIVE_LOCAL = "NATIVE::LOCAL";
    static final String SQL_AUTHORIZATION = "derby.database.sqlAuthorization";
    /** NATIVE passwords expire after 31 days by default; 0 = never, so a learner's database keeps opening. */
    static final String PASSWORD_LIFETIME = "derby.authentication.native.passwordLifetimeMillis";
    /** Ignore JVM-wide derby.* system properties for this database: the database's own settings win. */
    static final String PROPERTIES_ONLY = "derby.database.propertiesOnly";
    /** Seconds a statement waits for a lock before 40XL1 (dynamic: takes effect at once). */
    static final String LOCK_WAIT_TIMEOUT = "derby.locks.waitTimeout";
    /**
     * Our own database property: the app user the database was created for. Its schema holds the tables,
     * so starting with another app user name would silently open an empty schema; we refuse instead.
     */
    static final String APP_USER_PROPERTY = "foobar.storage.appUser";

    private final StorageConfig config;

    DatabaseSetup(StorageConfig config) {
        this.config = config;
    }

    /** {@code jdbc:derby:/abs/data/dir/foobar}: the embedded URL, always by absolute path. */
    String embeddedUrl() {
        return "jdbc:derby:" + config.databaseDir();
    }

    /** What {@link #prepare} did: the migrations, the role the database starts in and why, its logged tables. */
    record Prepared(MigrationRunner.Result migrations, StartingRole start, List<LoggedTable> tables,
                    LogPosition head) {
        DatabaseRole role() {
            return start.role();
        }
    }

    /**
     * Runs steps 1 to 4.
     *
     * @param copied whether the database was just made as a copy of the primary (a new replica)
     * @throws StorageException FENCED when the configuration asks a fenced database to take writes
     */
    Prepared prepare(List<Migration> migrations, boolean copied) {
        boolean fresh = !Files.exists(config.databaseDir().resolve(SERVICE_PROPERTIES));
        if (fresh) {
            requireEmptyOrMissing(config.databaseDir());
            LOG.info("creating database {}", config.databaseDir());
        }
        try {
            boolean rebootNeeded;
            try (Connection owner = connectAsOwner(fresh)) {
                rebootNeeded = ensureSecured(owner);
            }
            if (rebootNeeded) {
                shutdownDatabase();
            }
            try (Connection owner = connectAsOwner(false)) {
                MigrationRunner.Result result = new MigrationRunner(owner, config.appUser()).migrate(migrations);
                if (!result.applied().isEmpty()) {
                    LOG.info("schema migrated from version {} to {}", result.previousVersion(), result.currentVersion());
                }
                return settleRole(owner, result, copied);
            }
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "preparing database " + config.databaseDir(), Problem.DATABASE_ERROR);
        }
    }

    private static void requireEmptyOrMissing(Path dir) {
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw new StorageException(Problem.NOT_A_DATABASE, dir + " is a file, not a database directory.");
            }
            return;
        }
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new StorageException(Problem.NOT_A_DATABASE,
                        dir + " is not empty and has no " + SERVICE_PROPERTIES + ".");
            }
        } catch (java.io.IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    Connection connectAsOwner(boolean create) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.ownerUser());
        p.setProperty("password", config.ownerPassword());
        if (create) {
            p.setProperty("create", "true");
        }
        return DriverManager.getConnection(embeddedUrl(), p);
    }

    /**
     * Shuts this one database down (not the Derby engine, which other servers in the JVM may be using).
     * Derby answers a successful shutdown with SQLState 08006; anything else is a real error.
     */
    void shutdownDatabase() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.ownerUser());
        p.setProperty("password", config.ownerPassword());
        p.setProperty("shutdown", "true");
        try {
            DriverManager.getConnection(embeddedUrl(), p).close();
        } catch (SQLException e) {
            if (!DerbyErrors.DATABASE_SHUT_DOWN.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /**
     * Step 2, idempotent: checks every piece of the security set-up and adds what is missing, so a first
     * start that was interrupted half-way (say, killed after the owner's user was created) is completed on
     * the next start instead of leaving a database the app cannot log in to.
     *
     * @return whether a setting that Derby reads only at boot was changed (then the database is rebooted)
     */
    private boolean ensureSecured(Connection owner) throws SQLException {
        owner.setAutoCommit(true);
        String appUser = config.appUser().toUpperCase(Locale.ROOT);
        String recordedAppUser = databaseProperty(owner, APP_USER_PROPERTY);
        if (recordedAppUser != null && !recordedAppUser.equals(appUser)) {
            throw new StorageException(Problem.WRONG_CREDENTIALS, config.databaseDir() + " was created for the app user "
                    + recordedAppUser + ", not " + appUser + "; user names cannot change (the app's tables live in the "
                    + "schema named after it).");
        }
        List<String> existing = new ArrayList<>();
        try (Statement st = owner.createStatement();
             ResultSet rs = st.executeQuery("SELECT USERNAME FROM SYS.SYSUSERS")) {
            while (rs.next()) {
                existing.add(rs.getString(1));
            }
        }
        // Derby's rule: when NATIVE authentication is switched on, the owner (DBO) must be the first user.
        createUserIfMissing(owner, existing, config.ownerUser(), config.ownerPassword());
        createUserIfMissing(owner, existing, config.appUser(), config.appPassword());
        createUserIfMissing(owner, existing, config.replUser(), config.replPassword());
        setIfDifferent(owner, APP_USER_PROPERTY, appUser);
        setIfDifferent(owner, PASSWORD_LIFETIME, "0");
        setIfDifferent(owner, PROPERTIES_ONLY, "true");
        setIfDifferent(owner, LOCK_WAIT_TIMEOUT, Long.toString(config.lockWaitTimeout().toSeconds()));
        boolean rebootNeeded = setIfDifferent(owner, SQL_AUTHORIZATION, "true");
        // Creating the owner's credentials already switches NATIVE authentication on (Derby 10.16); set it
        // only if that did not happen, since Derby refuses to set it a second time.
        rebootNeeded |= setIfDifferent(owner, AUTH_PROVIDER, NATIVE_LOCAL);
        if (rebootNeeded || existing.size() < 2) {
            LOG.info("database {} secured: NATIVE authentication for {} (owner) and {} (app), SQL authorization on",
                    config.databaseDir(), config.ownerUser(), config.appUser());
        }
        return rebootNeeded || existing.isEmpty();
    }

    private static boolean setIfDifferent(Connection c, String key, String value) throws SQLException {
        if (value.equals(databaseProperty(c, key))) {
            return false;
        }
        setDatabaseProperty(c, key, value);
        return true;
    }

    private static void createUserIfMissing(Connection c, List<String> existing, String user, String password)
            throws SQLException {
        if (existing.contains(user.toUpperCase(Locale.ROOT))) {
            return;
        }
        try (CallableStatement cs = c.prepareCall("CALL SYSCS_UTIL.SYSCS_CREATE_USER(?, ?)")) {
            cs.setString(1, user);
            cs.setString(2, password);
            cs.execute();
        }
    }

    static void setDatabaseProperty(Connection c, String key, String value) throws SQLException {
        try (CallableStatement cs = c.prepareCall("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY(?, ?)")) {
            cs.setString(1, key);
            cs.setString(2, value);
            cs.execute();
        }
    }

    static String databaseProperty(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("VALUES SYSCS_UTIL.SYSCS_GET_DATABASE_PROPERTY(?)")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Step 4: installs the change log, then decides the role from the configured one and the stored one, stores it
     * and grants the app user what it allows.
     */
    private Prepared settleRole(Connection owner, MigrationRunner.Result migrated, boolean copied) throws SQLException {
        ChangeLog log = new ChangeLog(owner, config.appUser(), config.appUser(), config.replUser());
        DatabaseRole stored = log.installed() ? log.role() : null;
        List<LoggedTable> tables = log.install();
        ReplicationConfig replication = config.replication();
        StartingRole start = StartingRole.decide(replication.role(), stored, copied);
        switch (start.action()) {
            case REFUSE -> throw new StorageException(Problem.FENCED, config.databaseDir() + " is "
                    + stored.key() + " (" + start.why() + "); it cannot start as " + replication.role().key() + ".");
            case PROVISION -> throw new IllegalStateException("a replica must be copied from its primary before "
                    + "its database is prepared");
            case FENCE -> {
                LOG.error("database {} starts FENCED, read-only and following no one: {}. {}", config.databaseDir(),
                        start.why(), Problem.FENCED.whatToDo());
                log.setRole(DatabaseRole.FENCED, null);
            }
            case START -> {
                if (stored == DatabaseRole.REPLICA && start.role().acceptsWrites()) {
                    log.restartIdentities(tables);
                }
                log.setRole(start.role(), start.role() == DatabaseRole.REPLICA ? replication.sourceUrl() : null);
            }
        }
        if (stored != start.role()) {
            LOG.info("database {} is {}: {}", config.databaseDir(), start.role().key(), start.why());
        }
        return new Prepared(migrated, start, tables, log.head());
    }

    /**
     * The role stored in a database that is not running, or null when there is no database or it has no change
     * log yet: boots it as the owner, reads, and shuts it down again.
     */
    DatabaseRole storedRole() {
        if (!Files.exists(config.databaseDir().resolve(SERVICE_PROPERTIES))) {
            return null;
        }
        try {
            DatabaseRole role;
            try (Connection owner = connectAsOwner(false)) {
                ChangeLog log = new ChangeLog(owner, config.appUser(), config.appUser(), config.replUser());
                role = log.installed() ? log.role() : null;
            }
            shutdownDatabase();
            return role;
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "reading the role of " + config.databaseDir(), Problem.DATABASE_ERROR);
        }
    }
}
