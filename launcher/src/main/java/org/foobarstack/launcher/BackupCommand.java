package org.foobarstack.launcher;

import org.foobarstack.storage.StorageBackup;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code backup}: an online backup of a running stack's database. Readers and writers go on while Derby copies
 * the database (SYSCS_UTIL.SYSCS_BACKUP_DATABASE); the copy is a complete database directory that
 * {@code restore} puts back.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Copy the running stack's database into a directory, while the stack keeps serving.")
final class BackupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--to", required = true, description = "Directory to write the backup into.")
    Path to;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address the running stack's database listens on (default: ${DEFAULT-VALUE}).")
    InetAddress bind;

    @Option(names = "--db-port", defaultValue = "" + StackConfig.DEFAULT_DB_PORT,
            description = "Port of the running stack's database (default: ${DEFAULT-VALUE}).")
    int dbPort;

    @Option(names = "--data-dir", defaultValue = "data",
            description = "The running stack's data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Override
    public Integer call() {
        StorageConfig storage = Stack.storageConfig(StackConfig.builder()
                .bindAddress(bind).dbPort(dbPort).dataDir(dataDir).build());
        try {
            Path copy = StorageBackup.of(storage).backupTo(to, storage.databaseName());
            spec.commandLine().getOut().println("backed up " + storage.jdbcUrl(dbPort) + " into " + copy);
            spec.commandLine().getOut().println("restore it with: restore --data-dir " + dataDir + " --from " + copy);
            return 0;
        } catch (StorageException e) {
            spec.commandLine().getErr().println("backup failed: " + e.getMessage());
            return 1;
        }
    }
}
