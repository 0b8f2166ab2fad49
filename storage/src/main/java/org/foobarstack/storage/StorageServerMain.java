package org.foobarstack.storage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.foobarstack.storage.replication.DatabaseRole;
import org.foobarstack.storage.replication.ReplicationConfig;

/**
 * Runs the storage tier alone, e.g. for {@code ij} or the interop script:
 * <pre>
 *   java -cp ... org.foobarstack.storage.StorageServerMain --bind 127.0.0.1 --port 1527 --data-dir data/storage
 * </pre>
 * Options: {@code --bind HOST}, {@code --port N} (0 = a free port), {@code --data-dir DIR},
 * {@code --owner-password PW}, {@code --app-password PW}, {@code --lock-wait-timeout-s N},
 * {@code --role standalone|primary|replica}, {@code --source URL} (a replica's primary),
 * {@code --repl-password PW}. It prints where it listens and a line
 * {@code READY <port>} once a health check passed, then serves until SIGINT/SIGTERM, when it closes the
 * database cleanly.
 */
public final class StorageServerMain {

    /** Exit status for a bad command line (as in BSD sysexits.h, EX_USAGE). */
    private static final int EXIT_USAGE = 64;
    /** Exit status when the server could not start. */
    private static final int EXIT_START_FAILED = 1;

    private StorageServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StorageConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("storage: " + e.getMessage());
            usage(System.err);
            System.exit(EXIT_USAGE);
            return;
        }
        if (config == null) {
            usage(System.out);
            return;
        }
        StorageServer server = new StorageServer(config);
        try {
            server.start();
        } catch (StorageException e) {
            System.err.println(e.getMessage());
            System.exit(EXIT_START_FAILED);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "storage-shutdown"));

        PrintStream out = System.out;
        out.println("storage: Derby Network Server listening on " + server.address().getAddress().getHostAddress()
                + ":" + server.port());
        out.println("storage: database " + config.databaseDir() + " (schema version " + server.schemaVersion() + ")");
        out.println("storage: JDBC URL " + server.jdbcUrl());
        out.println("storage: role " + server.role().key() + " (" + server.role().meaning() + ")");
        out.println("storage: app user " + config.appUser() + ", owner " + config.ownerUser()
                + " (passwords: see storage/README.md)");
        out.println("storage: ij> CONNECT '" + server.jdbcUrl() + ";user=" + config.appUser() + ";password=...';");
        out.println("READY " + server.port());
        out.flush();
        stopped.await();
    }

    /** @return the config, or null when help was asked for */
    static StorageConfig parse(String[] args) {
        StorageConfig.Builder b = StorageConfig.builder();
        DatabaseRole role = DatabaseRole.STANDALONE;
        String source = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--bind" -> b.host(value);
                case "--port" -> b.port(parsePort(value));
                case "--data-dir" -> b.dataDir(Path.of(value));
                case "--owner-password" -> b.ownerPassword(value);
                case "--app-password" -> b.appPassword(value);
                case "--lock-wait-timeout-s" -> b.lockWaitTimeout(Duration.ofSeconds(parseSeconds(value)));
                case "--role" -> role = parseRole(value);
                case "--source" -> source = value;
                case "--repl-password" -> b.repl(StorageConfig.DEFAULT_REPL_USER, value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (role == DatabaseRole.REPLICA) {
            if (source == null) {
                throw new IllegalArgumentException("--role replica needs --source jdbc:derby://HOST:PORT/DATABASE");
            }
            b.replication(ReplicationConfig.replicaOf(source));
        } else if (source != null) {
            throw new IllegalArgumentException("--source is for --role replica");
        } else if (role == DatabaseRole.PRIMARY) {
            b.replication(ReplicationConfig.PRIMARY);
        }
        return b.build();
    }

    private static DatabaseRole parseRole(String value) {
        return switch (value) {
            case "standalone" -> DatabaseRole.STANDALONE;
            case "primary" -> DatabaseRole.PRIMARY;
            case "replica" -> DatabaseRole.REPLICA;
            default -> throw new IllegalArgumentException("--role is standalone, primary or replica, got '" + value
                    + "'");
        };
    }

    private static long parseSeconds(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--lock-wait-timeout-s needs whole seconds, got '" + value + "'");
        }
    }

    private static int parsePort(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number 0..65535, got '" + value + "'");
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: StorageServerMain [--bind HOST] [--port N] [--data-dir DIR]"
                + " [--owner-password PW] [--app-password PW] [--lock-wait-timeout-s N]"
                + " [--role standalone|primary|replica] [--source URL] [--repl-password PW]");
        out.println("  defaults: --bind " + StorageConfig.DEFAULT_HOST + " --port " + StorageConfig.DEFAULT_PORT
                + " --data-dir " + StorageConfig.DEFAULT_DATA_DIR + " --lock-wait-timeout-s "
                + StorageConfig.DEFAULT_LOCK_WAIT_SECONDS + "  (port 0 picks a free port)");
    }
}
