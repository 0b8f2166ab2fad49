package org.foobarstack.storage;

import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

import org.foobarstack.storage.StorageException.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online backup of a running storage tier through any JDBC URL to it, in this JVM or another process: the
 * launcher's {@code backup} subcommand can back up a stack that is running elsewhere on the machine.
 *
 * <p>It calls Derby's {@code SYSCS_UTIL.SYSCS_BACKUP_DATABASE(dir)} as the owner. The <em>server</em>
 * writes the copy, so {@code dir} is a path on the server's machine (here: the same machine). Readers and
 * writers go on during the copy. The result is {@code dir/<databaseName>}, a complete database directory
 * that {@link StorageRestore#restoreFrom(Path)} puts back.
 */
public final class StorageBackup {

    private static final Logger LOG = LoggerFactory.getLogger(StorageBackup.class);

    private final String jdbcUrl;
    private final String ownerUser;
    private final String ownerPassword;

    /**
     * @param jdbcUrl       the server's URL, as {@link StorageServer#jdbcUrl()} reports it
     * @param ownerUser     the database owner (only the owner may run a backup)
     * @param ownerPassword its password
     */
    public StorageBackup(String jdbcUrl, String ownerUser, String ownerPassword) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.ownerUser = Objects.requireNonNull(ownerUser, "ownerUser");
        this.ownerPassword = Objects.requireNonNull(ownerPassword, "ownerPassword");
    }

    /**
     * For a server started elsewhere (another process) with {@code config} on a fixed port: the launcher's
     * {@code backup} subcommand, given the same flags as the running stack, backs it up this way.
     *
     * @throws IllegalArgumentException if the config's port is 0 (the real port is only known to the server)
     */
    public static StorageBackup of(StorageConfig config) {
        if (config.port() == 0) {
            throw new IllegalArgumentException("a backup from another process needs the server's real port, not 0");
        }
        return new StorageBackup(config.jdbcUrl(config.port()), config.ownerUser(), config.ownerPassword());
    }

    /**
     * Copies the database into {@code backupDir} (created by Derby if missing; a backup of the same database
     * already there is replaced).
     *
     * @param backupDir     where to put the copy, absolute or relative to this process's working directory
     * @param databaseName  the database's directory name, to report where the copy is
     * @return {@code backupDir/<databaseName>}, the directory to give to {@link StorageRestore#restoreFrom}
     */
    public Path backupTo(Path backupDir, String databaseName) {
        Path target = backupDir.toAbsolutePath().normalize();
        Properties p = new Properties();
        p.setProperty("user", ownerUser);
        p.setProperty("password", ownerPassword);
        try (Connection owner = DriverManager.getConnection(jdbcUrl, p);
             CallableStatement cs = owner.prepareCall("CALL SYSCS_UTIL.SYSCS_BACKUP_DATABASE(?)")) {
            cs.setString(1, target.toString());
            cs.execute();
        } catch (SQLException e) {
            throw DerbyErrors.translate(e, "backup of " + jdbcUrl + " into " + target, Problem.BACKUP_FAILED);
        }
        Path copy = target.resolve(databaseName);
        LOG.info("backed up {} into {}", jdbcUrl, copy);
        return copy;
    }
}
