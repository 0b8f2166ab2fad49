package org.foobarstack.launcher;

import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageException;
import org.foobarstack.storage.StorageRestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code restore}: puts a backup made by {@code backup} in place of a stack's database. The stack must be
 * stopped; the restore refuses, changing nothing, while another process has the database open.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Replace a stopped stack's database with a backup.")
final class RestoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true,
            description = "The backed-up database directory (the path that backup printed).")
    Path from;

    @Option(names = "--data-dir", defaultValue = "data",
            description = "The stack's data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Override
    public Integer call() {
        StorageConfig storage = Stack.storageConfig(StackConfig.builder().dataDir(dataDir).build());
        try {
            new StorageRestore(storage).restoreFrom(from);
            spec.commandLine().getOut().println("restored " + storage.databaseDir() + " from " + from);
            return 0;
        } catch (StorageException e) {
            spec.commandLine().getErr().println("restore failed: " + e.getMessage());
            return 1;
        }
    }
}
