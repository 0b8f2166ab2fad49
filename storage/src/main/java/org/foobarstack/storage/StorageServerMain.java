package org.foobarstack.storage;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.foobarstack.storage.replication.DatabaseRole;
import org.foobarstack.storage.replication.ReplicationConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the storage tier alone, e.g. for {@code ij} or the interop script:
 * <pre>
 *   java -cp ... org.foobarstack.storage.StorageServerMain --bind 127.0.0.1 --port 1527 --data-dir data/storage
 * </pre>
 * Options: {@code --bind HOST}, {@code --port N} (0 = a free port), {@code --data-dir DIR},
 * {@code --owner-password PW}, {@code --app-password PW}, {@code --lock-wait-timeout-s N},
 * {@code --role standalone|primary|replica}, {@code --source URL} (a replica's primary),
 * {@code --repl-password PW}; {@code --help} lists them with their defaults. It prints where it listens and a line
 * {@code READY <port>} once a health check passed, then serves until SIGINT/SIGTERM, when it closes the
 * database cleanly.
 */
@Command(name = "StorageServerMain", mixinStandardHelpOptions = true, sortOptions = false,
        exitCodeOnInvalidInput = StorageServerMain.EXIT_USAGE,
        description = {"Runs the storage tier alone: Derby's Network Server serving the foobar database.",
                "Once a health check passed it prints 'READY <port>'; SIGINT or SIGTERM close the database cleanly."})
public final class StorageServerMain implements Callable<Integer> {

    /** Exit status for a bad command line (as in BSD sysexits.h, EX_USAGE). */
    static final int EXIT_USAGE = 64;
    /** Exit status when the server could not start. */
    private static final int EXIT_START_FAILED = 1;

    @Option(names = "--bind", paramLabel = "HOST", defaultValue = StorageConfig.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + StorageConfig.DEFAULT_PORT,
            description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = StorageConfig.DEFAULT_DATA_DIR,
            description = "Directory of the database and derby.log (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--owner-password", paramLabel = "PW",
            description = "Password of the owner, " + StorageConfig.DEFAULT_OWNER_USER + ", set when the database is"
                    + " created (default: see storage/README.md, 'Credentials').")
    String ownerPassword;

    @Option(names = "--app-password", paramLabel = "PW",
            description = "Password of the app user, " + StorageConfig.DEFAULT_APP_USER + " (default: see"
                    + " storage/README.md, 'Credentials').")
    String appPassword;

    @Option(names = "--lock-wait-timeout-s", paramLabel = "N",
            defaultValue = "" + StorageConfig.DEFAULT_LOCK_WAIT_SECONDS,
            description = "How long a statement waits for a lock, in seconds (default: ${DEFAULT-VALUE}).")
    long lockWaitSeconds;

    @Option(names = "--role", paramLabel = "standalone|primary|replica", defaultValue = "standalone",
            converter = RoleFlag.class,
            description = "Replication role (default: ${DEFAULT-VALUE}).")
    DatabaseRole role;

    @Option(names = "--source", paramLabel = "URL",
            description = "A replica's primary, jdbc:derby://HOST:PORT/DATABASE (only with --role replica).")
    String source;

    @Option(names = "--repl-password", paramLabel = "PW",
            description = "Password of the replication user, " + StorageConfig.DEFAULT_REPL_USER + " (default: see"
                    + " storage/README.md).")
    String replPassword;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private StorageServerMain() {
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // 0 after a stop by signal: the JVM is already shutting down, and exit() would wait on its own hooks
        if (code != 0) {
            System.exit(code);
        }
    }

    static CommandLine commandLine() {
        return new CommandLine(new StorageServerMain());
    }

    /**
     * The config a command line describes (for tests).
     *
     * @return the config, or null when help was asked for
     * @throws CommandLine.ParameterException for an unknown option or a malformed value
     * @throws IllegalArgumentException       for options that do not fit together
     */
    static StorageConfig parse(String... args) {
        CommandLine commandLine = commandLine();
        commandLine.parseArgs(args);
        if (commandLine.isUsageHelpRequested()) {
            return null;
        }
        return commandLine.<StorageServerMain>getCommand().config();
    }

    /** The config these options describe; throws {@link IllegalArgumentException} when they do not fit together. */
    StorageConfig config() {
        StorageConfig.Builder b = StorageConfig.builder()
                .host(bind)
                .port(port)
                .dataDir(dataDir)
                .lockWaitTimeout(Duration.ofSeconds(lockWaitSeconds));
        if (ownerPassword != null) {
            b.ownerPassword(ownerPassword);
        }
        if (appPassword != null) {
            b.appPassword(appPassword);
        }
        if (replPassword != null) {
            b.repl(StorageConfig.DEFAULT_REPL_USER, replPassword);
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

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StorageConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            err.println("storage: " + e.getMessage());
            spec.commandLine().usage(err);
            err.flush();
            return EXIT_USAGE;
        }
        StorageServer server = new StorageServer(config);
        try {
            server.start();
        } catch (StorageException e) {
            err.println(e.getMessage());
            err.flush();
            return EXIT_START_FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "storage-shutdown"));

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
        return 0;
    }

    /** {@code standalone}, {@code primary} or {@code replica}, and nothing else. */
    static final class RoleFlag implements CommandLine.ITypeConverter<DatabaseRole> {
        @Override
        public DatabaseRole convert(String value) {
            return switch (value) {
                case "standalone" -> DatabaseRole.STANDALONE;
                case "primary" -> DatabaseRole.PRIMARY;
                case "replica" -> DatabaseRole.REPLICA;
                default -> throw new CommandLine.TypeConversionException("--role is standalone, primary or replica,"
                        + " got '" + value + "'");
            };
        }
    }
}
