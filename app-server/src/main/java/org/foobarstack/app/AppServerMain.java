package org.foobarstack.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the app tier alone, for interop tests and benchmarks:
 *
 * <pre>
 *   java -cp ... org.foobarstack.app.AppServerMain --bind 127.0.0.1 --port 9000 \
 *        --jdbc-url jdbc:derby://127.0.0.1:1527/foobar --db-user app --db-password secret
 * </pre>
 * Other flags: {@code --instance NAME}, {@code --workers N}, {@code --io-threads N}, {@code --max-conns N},
 * {@code --max-reqs-per-conn N}, {@code --request-timeout-ms N}, {@code --trace on|off} (recording hops, default
 * on), {@code --sql-trace-comments on|off} (the traceparent as an SQL comment, default off). Once listening it prints one line,
 * {@code app-server NAME listening on HOST:PORT}, which scripts read to learn the port when {@code --port 0}.
 * SIGINT/SIGTERM close it gracefully.
 */
public final class AppServerMain {

    private AppServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        AppServerConfig.Builder builder = AppServerConfig.builder();
        boolean traceOn = true;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                System.out.println("usage: AppServerMain [--bind ADDR] [--port N] [--jdbc-url URL] [--db-user U]"
                        + " [--db-password P] [--instance NAME] [--workers N] [--io-threads N] [--max-conns N]"
                        + " [--max-reqs-per-conn N] [--request-timeout-ms N] [--trace on|off]"
                        + " [--sql-trace-comments on|off]");
                return;
            }
            if (i + 1 >= args.length) {
                fail("flag " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--bind" -> builder.bindAddress(value);
                case "--port" -> builder.port(Integer.parseInt(value));
                case "--jdbc-url" -> builder.jdbcUrl(value);
                case "--db-user" -> builder.dbUser(value);
                case "--db-password" -> builder.dbPassword(value);
                case "--instance" -> builder.instanceName(value);
                case "--workers" -> builder.workerThreads(Integer.parseInt(value)).dbPoolSize(Integer.parseInt(value));
                case "--io-threads" -> builder.ioThreads(Integer.parseInt(value));
                case "--max-conns" -> builder.maxConnections(Integer.parseInt(value));
                case "--max-reqs-per-conn" -> builder.maxRequestsPerConnection(Integer.parseInt(value));
                case "--request-timeout-ms" -> builder.requestTimeout(Duration.ofMillis(Long.parseLong(value)));
                case "--trace" -> traceOn = onOff(flag, value);
                case "--sql-trace-comments" -> builder.sqlTraceComments(onOff(flag, value));
                default -> fail("unknown flag " + flag + " (try --help)");
            }
        }
        AppServer server = new AppServer(builder.build());
        server.traceRecorder().setEnabled(traceOn);
        try {
            server.start();
        } catch (AppServerException e) {
            System.err.println(e.getMessage()); // already names the tier, the instance and the address
            System.exit(2);
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
    }

    private static boolean onOff(String flag, String value) {
        if (!value.equals("on") && !value.equals("off")) {
            fail(flag + " takes on or off, not " + value);
        }
        return value.equals("on");
    }

    private static void fail(String message) {
        System.err.println("app-server: " + message);
        System.exit(2);
    }
}
