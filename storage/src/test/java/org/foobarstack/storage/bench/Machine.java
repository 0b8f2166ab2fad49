package org.foobarstack.storage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import org.foobarstack.storage.StorageServer;

/** The facts a benchmark figure needs next to it: the machine, its load, the JVM and the database's version. */
final class Machine {

    private static final Path LOAD_AVERAGE = Path.of("/proc/loadavg");

    private Machine() {
    }

    /** "2 cores, load average 0.43 0.56 0.70, OpenJDK 64-Bit Server VM 17.0.15+6-..., Linux 6.1 amd64". */
    static String describe() {
        return Runtime.getRuntime().availableProcessors() + " cores, load average " + loadAverage() + ", "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(LOAD_AVERAGE).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown (no " + LOAD_AVERAGE + ")";
        }
    }

    /** "Apache Derby 10.16.1.1 - (1901046)", as the server reports itself to a client. */
    static String derbyVersion(StorageServer server) throws SQLException {
        try (Connection c = ReplicationSoak.appConnection(server)) {
            DatabaseMetaData meta = c.getMetaData();
            return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion();
        }
    }
}
