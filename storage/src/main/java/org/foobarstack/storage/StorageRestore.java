package org.foobarstack.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

import org.foobarstack.storage.StorageException.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a storage tier's database with a backup made by {@link StorageServer#backup(Path)}.
 *
 * <p>Steps of {@link #restoreFrom(Path)}:
 * <ol>
 *   <li>check that the backup directory holds a Derby database (its service.properties);</li>
 *   <li>refuse, changing nothing, if another process has the current database open or the owner
 *       credentials do not open it;</li>
 *   <li>open the target database with Derby's {@code restoreFrom=} connection attribute, which deletes the
 *       current database directory and copies the backup (data and log) in its place, then boots it;
 *       Derby refuses (SQLState XSDB6) when another JVM has the database open;</li>
 *   <li>shut the restored database down again, so the next {@link StorageServer#start()} (which also
 *       applies any newer migrations) finds it closed.</li>
 * </ol>
 * The storage server for that data directory must be stopped first: restoring under a running server would
 * pull the files from under it. The restored database keeps the passwords it had when the backup was taken,
 * so {@code config} must carry the owner credentials of the backup.
 */
public final class StorageRestore {

    private static final Logger LOG = LoggerFactory.getLogger(StorageRestore.class);

    private final StorageConfig config;

    public StorageRestore(StorageConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Derby's restoreFrom deletes the target directory before it would notice another engine's lock, so we
     * first boot the current database normally: another JVM holding it answers XSDB6 (DATABASE_LOCKED) and
     * nothing is touched. A damaged database that cannot boot is exactly what restore is for, so that case
     * goes on. The check and the restore are not atomic: do not start a server on the directory meanwhile.
     */
    private void refuseIfInUse(DatabaseSetup setup) {
        if (!Files.exists(config.databaseDir().resolve(DatabaseSetup.SERVICE_PROPERTIES))) {
            return;
        }
        try (Connection current = setup.connectAsOwner(false)) {
            LOG.debug("current database {} opened for restore", config.databaseDir());
        } catch (SQLException e) {
            List<String> states = DerbyErrors.sqlStates(e);
            if (states.contains(DerbyErrors.ANOTHER_ENGINE_BOOTED) || states.contains(DerbyErrors.INVALID_AUTHORIZATION)) {
                throw DerbyErrors.translate(e, "restore refused, nothing changed: " + config.databaseDir(),
                        Problem.RESTORE_FAILED);
            }
            LOG.warn("current database {} does not boot ({}); replacing it from the backup", config.databaseDir(), states);
            return;
        }
        try {
            setup.shutdownDatabase();
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "closing " + config.databaseDir() + " before restore", Problem.RESTORE_FAILED);
        }
    }

    /**
     * @param backupDatabaseDir the directory returned by {@link StorageServer#backup(Path)}, e.g.
     *                          {@code backups/2026-11-22/foobar}
     * @throws StorageException RESTORE_FAILED, DATABASE_LOCKED or WRONG_CREDENTIALS, with what to do
     */
    public void restoreFrom(Path backupDatabaseDir) {
        Path source = backupDatabaseDir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(source.resolve(DatabaseSetup.SERVICE_PROPERTIES))) {
            throw new StorageException(Problem.RESTORE_FAILED,
                    source + " is not a Derby backup (no " + DatabaseSetup.SERVICE_PROPERTIES + " in it).");
        }
        try {
            Files.createDirectories(config.dataDir());
        } catch (java.io.IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot create " + config.dataDir() + ": " + e, e);
        }
        DatabaseSetup setup = new DatabaseSetup(config);
        refuseIfInUse(setup);
        Properties p = new Properties();
        p.setProperty("user", config.ownerUser());
        p.setProperty("password", config.ownerPassword());
        p.setProperty("restoreFrom", source.toString());
        try (Connection restored = DriverManager.getConnection(setup.embeddedUrl(), p)) {
            LOG.info("restored {} from {}", config.databaseDir(), source);
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "restoring " + config.databaseDir() + " from " + source, Problem.RESTORE_FAILED);
        }
        try {
            setup.shutdownDatabase();
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "closing restored database " + config.databaseDir(), Problem.RESTORE_FAILED);
        }
    }
}
