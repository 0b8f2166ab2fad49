package org.foobarstack.app;

import org.foobarstack.app.guestbook.AppVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Runs the app tier alone, for interop tests and benchmarks:
 *
 * <pre>
 *   java -cp ... org.foobarstack.app.AppServerMain --bind 127.0.0.1 --port 9000 \
 *        --jdbc-url jdbc:derby://127.0.0.1:1527/foobar --db-user app --db-password secret
 * </pre>
 * Every limit of {@link AppServerConfig} has a flag; {@code --help} lists them with their defaults, which are the
 * config's own (read from {@code AppServerConfig.builder().build()}, so the two cannot disagree). Once listening it
 * prints one line, {@code app-server NAME listening on HOST:PORT}, which scripts read to learn the port when
 * {@code --port 0}. SIGINT/SIGTERM close it gracefully.
 */
@Command(name = "AppServerMain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the app tier alone: a FastCGI responder serving the foobar.com application from a "
                + "Derby Network Server.",
                "Once listening it prints 'app-server NAME listening on HOST:PORT'; SIGINT or SIGTERM stop it "
                        + "gracefully."})
public final class AppServerMain implements Callable<Integer> {

    private static final AppServerConfig DEFAULTS = AppServerConfig.builder().build();

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Port to listen on, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--instance", paramLabel = "NAME",
            description = "Instance name that /api/whoami reports (default: ${DEFAULT-VALUE}).")
    String instance;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Derby client-driver URL (default: ${DEFAULT-VALUE}).")
    String jdbcUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (default: none).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Database password (default: none).")
    String dbPassword;

    @Option(names = "--workers", paramLabel = "N",
            description = "Threads that run the application (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--db-pool-size", paramLabel = "N",
            description = "Pooled database connections (default: as many as --workers).")
    Integer dbPoolSize;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event-loop threads for FastCGI records (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--max-conns", paramLabel = "N",
            description = "Concurrent FastCGI connections; beyond it, OVERLOADED "
            + "(default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-reqs-per-conn", paramLabel = "N",
            description = "Concurrent requests on one connection; 1 turns "
            + "multiplexing off (default: ${DEFAULT-VALUE}).")
    int maxRequestsPerConnection;

    @Option(names = "--max-queued", paramLabel = "N",
            description = "Requests waiting for a worker before new ones get OVERLOADED "
            + "(default: ${DEFAULT-VALUE}).")
    int maxQueuedRequests;

    @Option(names = "--max-params-bytes", paramLabel = "BYTES",
            description = "Size of one request's PARAMS; beyond it, 431 "
            + "(default: ${DEFAULT-VALUE}).")
    int maxParamsBytes;

    @Option(names = "--max-stdin-bytes", paramLabel = "BYTES",
            description = "Size of one request's body (STDIN); beyond it, 413 "
            + "(default: ${DEFAULT-VALUE}).")
    int maxStdinBytes;

    @Option(names = "--max-buffered-bytes", paramLabel = "BYTES",
            description = "PARAMS and STDIN bytes held by all requests together; "
            + "beyond it, 503 (default: ${DEFAULT-VALUE}).")
    long maxBufferedBytes;

    @Option(names = "--request-timeout-ms", paramLabel = "MS",
            description = "BEGIN_REQUEST to the end of STDIN; beyond it the "
            + "connection closes (default: ${DEFAULT-VALUE}).")
    long requestTimeoutMillis;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS",
            description = "A connection with no request and no traffic closes "
            + "(default: ${DEFAULT-VALUE}).")
    long idleTimeoutMillis;

    @Option(names = "--shutdown-timeout-ms", paramLabel = "MS",
            description = "How long a stop lets requests in flight finish "
            + "(default: ${DEFAULT-VALUE}).")
    long shutdownTimeoutMillis;

    @Option(names = "--db-connection-timeout-ms", paramLabel = "MS",
            description = "Wait for a pooled connection before 503 "
            + "(default: ${DEFAULT-VALUE}).")
    long dbConnectionTimeoutMillis;

    @Option(names = "--statement-timeout-s", paramLabel = "SECONDS",
            description = "JDBC query timeout of every statement, whole seconds "
            + "(default: ${DEFAULT-VALUE}).")
    long statementTimeoutSeconds;

    @Option(names = "--app-version", paramLabel = "v1|v2", converter = VersionFlag.class,
            description = "Version of the guestbook to run; v2 also counts the messages (default: ${DEFAULT-VALUE}).")
    AppVersion appVersion;

    @Option(names = "--capacity", paramLabel = "WORKERSxTIME[,queue=N]", converter = CapacityFlag.class,
            description = "Capacity to emulate, e.g. 4x25ms,queue=16: its workers and queue replace --workers and "
                    + "--max-queued, and each request holds its worker for at least TIME (default: none, the "
                    + "machine's own).")
    Capacity capacity;

    @Option(names = "--trace", arity = "1", converter = OnOff.class, paramLabel = "on|off",
            description = "Record each request's hops for the trace dashboard (default: on).")
    boolean trace = true;

    @Option(names = "--sql-trace-comments", arity = "1", converter = OnOff.class, paramLabel = "on|off",
            description = "Send the traceparent as an SQL comment; defeats Derby's statement cache "
                    + "(default: ${DEFAULT-VALUE}).")
    boolean sqlTraceComments;

    @Spec
    CommandSpec spec;

    private AppServerMain() {
    }

    /** Where errors go: standard error, or what a test set with {@link CommandLine#setErr}. */
    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // 0 after a graceful stop: the JVM is already shutting down, and exit() would wait on its own hooks
        if (code != 0) {
            System.exit(code);
        }
    }

    static CommandLine commandLine() {
        return new CommandLine(new AppServerMain()).setDefaultValueProvider(AppServerMain::defaultOf);
    }

    /**
     * A flag that sets one of the config's values: its name, the config's name for the value (what a range error
     * starts with) and its default, read from {@link #DEFAULTS} as the flag writes it.
     */
    private record Setting(String flag, String field, Function<AppServerConfig, Object> defaultValue) {
    }

    /** The one table of flags and config values: the config's builder stays the one place defaults live. */
    private static final List<Setting> SETTINGS = List.of(
            new Setting("--bind", "bindAddress", AppServerConfig::bindAddress),
            new Setting("--port", "port", AppServerConfig::port),
            new Setting("--instance", "instanceName", AppServerConfig::instanceName),
            new Setting("--jdbc-url", "jdbcUrl", AppServerConfig::jdbcUrl),
            new Setting("--workers", "workerThreads", AppServerConfig::workerThreads),
            new Setting("--db-pool-size", "dbPoolSize", c -> null), // none: as many as --workers
            new Setting("--io-threads", "ioThreads", AppServerConfig::ioThreads),
            new Setting("--max-conns", "maxConnections", AppServerConfig::maxConnections),
            new Setting("--max-reqs-per-conn", "maxRequestsPerConnection", AppServerConfig::maxRequestsPerConnection),
            new Setting("--max-queued", "maxQueuedRequests", AppServerConfig::maxQueuedRequests),
            new Setting("--max-params-bytes", "maxParamsBytes", AppServerConfig::maxParamsBytes),
            new Setting("--max-stdin-bytes", "maxStdinBytes", AppServerConfig::maxStdinBytes),
            new Setting("--max-buffered-bytes", "maxBufferedBytes", AppServerConfig::maxBufferedBytes),
            new Setting("--request-timeout-ms", "requestTimeout", c -> c.requestTimeout().toMillis()),
            new Setting("--idle-timeout-ms", "idleTimeout", c -> c.idleTimeout().toMillis()),
            new Setting("--shutdown-timeout-ms", "shutdownTimeout", c -> c.shutdownTimeout().toMillis()),
            new Setting("--db-connection-timeout-ms", "dbConnectionTimeout",
                    c -> c.dbConnectionTimeout().toMillis()),
            new Setting("--statement-timeout-s", "statementTimeout", c -> c.statementTimeout().toSeconds()),
            new Setting("--sql-trace-comments", "sqlTraceComments", c -> c.sqlTraceComments() ? "on" : "off"),
            new Setting("--app-version", "appVersion", c -> c.appVersion().word()),
            new Setting("--capacity", "capacity", c -> null)); // none: nothing emulated

    /** Each option's default, from the table above. */
    private static String defaultOf(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        for (Setting setting : SETTINGS) {
            if (setting.flag().equals(option.longestName())) {
                Object value = setting.defaultValue().apply(DEFAULTS);
                return value == null ? null : value.toString();
            }
        }
        return null;
    }

    /** The config these flags describe; refuses values outside a limit's range with the config's own message. */
    AppServerConfig config() {
        return AppServerConfig.builder()
                .bindAddress(bind).port(port).instanceName(instance).jdbcUrl(jdbcUrl)
                .dbUser(dbUser).dbPassword(dbPassword)
                .workerThreads(workers).dbPoolSize(dbPoolSize != null ? dbPoolSize : workers).ioThreads(ioThreads)
                .maxConnections(maxConnections).maxRequestsPerConnection(maxRequestsPerConnection)
                .maxQueuedRequests(maxQueuedRequests).maxParamsBytes(maxParamsBytes).maxStdinBytes(maxStdinBytes)
                .maxBufferedBytes(maxBufferedBytes)
                .requestTimeout(Duration.ofMillis(requestTimeoutMillis))
                .idleTimeout(Duration.ofMillis(idleTimeoutMillis))
                .shutdownTimeout(Duration.ofMillis(shutdownTimeoutMillis))
                .dbConnectionTimeout(Duration.ofMillis(dbConnectionTimeoutMillis))
                .statementTimeout(Duration.ofSeconds(statementTimeoutSeconds))
                .sqlTraceComments(sqlTraceComments)
                .appVersion(appVersion).capacity(capacity)
                .build();
    }

    @Override
    public Integer call() throws InterruptedException {
        AppServer server;
        try {
            server = new AppServer(config());
        } catch (IllegalArgumentException e) {
            err().println("app-server: " + inFlagTerms(e.getMessage()));
            err().flush();
            return 2;
        }
        server.traceRecorder().setEnabled(trace);
        try {
            server.start();
        } catch (AppServerException e) {
            err().println(e.getMessage()); // already names the tier, the instance and the address
            err().flush();
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "app-server-shutdown"));
        System.out.println("app-server " + server.config().instanceName() + " listening on "
                + server.address().getAddress().getHostAddress() + ":" + server.address().getPort());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** "workerThreads must be 1..1024, got 0" becomes "--workers: workerThreads must be 1..1024, got 0". */
    static String inFlagTerms(String message) {
        for (Setting setting : SETTINGS) {
            if (message.startsWith(setting.field() + " ")) {
                return setting.flag() + ": " + message;
            }
        }
        return message;
    }

    /** "v1" or "v2" ({@link AppVersion#parse}). */
    static final class VersionFlag implements CommandLine.ITypeConverter<AppVersion> {
        @Override
        public AppVersion convert(String value) {
            try {
                return AppVersion.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** "4x25ms,queue=16" ({@link Capacity#parse}). */
    static final class CapacityFlag implements CommandLine.ITypeConverter<Capacity> {
        @Override
        public Capacity convert(String value) {
            try {
                return Capacity.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** "on" or "off", as the flags that switch something take them ("true" and "false" too: picocli's own). */
    static final class OnOff implements CommandLine.ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value) {
                case "on", "true" -> true;
                case "off", "false" -> false;
                default -> throw new CommandLine.TypeConversionException("takes on or off, not '" + value + "'");
            };
        }
    }
}
