package org.foobarstack.http;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the web tier alone, for the interop script, the benchmark and experiments:
 *
 * <pre>
 *   java -cp 'http-server/target/http-server-0.1.0-SNAPSHOT.jar:http-server/target/lib/*' \
 *       org.foobarstack.http.WebServerMain --port 8080 --https-port 8443 --data-dir data/web --app 127.0.0.1:9000
 * </pre>
 *
 * Options: {@code --bind ADDR}, {@code --port N}, {@code --https-port N|off}, {@code --root DIR},
 * {@code --data-dir DIR}, {@code --app HOST:PORT}, {@code --app-script FILE} (SCRIPT_FILENAME, for php-fpm),
 * {@code --name NAME}, {@code --redirect-apex}, {@code --directory-listing}, {@code --io-threads N},
 * {@code --no-trace} (record no hops; trace ids are still made and passed on). Port 0 picks a free port. Once both
 * ports listen, one line per port is printed ("http http://127.0.0.1:8080" ...) so that scripts can read them.
 */
@Command(name = "WebServerMain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the web tier alone: static files, /api/* to a FastCGI app server, /health.",
                "Once listening it prints 'http http://HOST:PORT' (and 'https ...', 'ca ...'), then 'root DIR';"
                        + " SIGINT or SIGTERM stop it."})
public final class WebServerMain implements Callable<Integer> {

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "N", defaultValue = "" + WebServerConfig.DEFAULT_HTTP_PORT,
            description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--https-port", paramLabel = "N|off", defaultValue = "" + WebServerConfig.DEFAULT_HTTPS_PORT,
            description = "HTTPS port, 0 for any free one, off for none (default: ${DEFAULT-VALUE}).")
    String httpsPort;

    @Option(names = "--root", paramLabel = "DIR", description = "Document root (default: DATA-DIR/www).")
    Path root;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data/web",
            description = "Site, certificates and CA (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--app", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:" + WebServerConfig.DEFAULT_APP_PORT,
            description = "FastCGI app server for /api/* (default: ${DEFAULT-VALUE}).")
    String app;

    @Option(names = "--app-script", paramLabel = "FILE",
            description = "SCRIPT_FILENAME sent with every FastCGI request, for php-fpm (default: none).")
    String appScript;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "web-1",
            description = "This instance's name: in the Server header, the logs and the CGI params (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--redirect-apex", description = "Redirect foobar.com to www.foobar.com (301).")
    boolean redirectApex;

    @Option(names = "--directory-listing", description = "List a directory without an index.html.")
    boolean directoryListing;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Event loop threads, 0 for one per core (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--no-trace", description = "Record no hops; trace ids are still made and passed on.")
    boolean noTrace;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private WebServerMain() {
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // 0 after a stop by signal: the JVM is already shutting down, and exit() would wait on its own hooks
        if (code != 0) {
            System.exit(code);
        }
    }

    static CommandLine commandLine() {
        return new CommandLine(new WebServerMain());
    }

    /** The config these options describe; throws {@link IllegalArgumentException} for a malformed value. */
    WebServerConfig config() {
        WebServerConfig.Builder builder = WebServerConfig.builder()
                .bindAddress(bind)
                .httpPort(port)
                .dataDirectory(dataDir)
                .appServerAddress(hostPort(app))
                .serverName(name)
                .redirectApexToWww(redirectApex)
                .directoryListing(directoryListing)
                .ioThreads(ioThreads)
                .tracingEnabled(!noTrace);
        if (httpsPort.equals("off")) {
            builder.httpsEnabled(false);
        } else {
            builder.httpsPort(number("--https-port", httpsPort));
        }
        if (root != null) {
            builder.documentRoot(root);
        }
        if (appScript != null) {
            builder.appScriptFilename(appScript);
        }
        return builder.build();
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        WebServer server;
        try {
            server = new WebServer(config());
        } catch (IllegalArgumentException e) {
            err.println("web server: " + e.getMessage());
            err.flush();
            return 2;
        }
        try {
            server.start();
        } catch (Exception e) {
            err.println(e.getMessage()); // names the tier, the server and the address
            err.flush();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "web-server-shutdown"));
        out.println("http http://" + server.httpAddress().getHostString() + ":" + server.httpAddress().getPort());
        if (server.httpsAddress() != null) {
            out.println("https https://" + server.httpsAddress().getHostString() + ":"
                    + server.httpsAddress().getPort());
            out.println("ca " + server.caCertificate().toAbsolutePath());
            out.println("tls " + server.tlsEngine());
        }
        out.println("root " + server.documentRoot().toAbsolutePath());
        out.flush();
        stopped.await();
        return 0;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number or off, got '" + value + "'");
        }
    }

    private static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--app expects HOST:PORT, got " + s);
        }
        return new InetSocketAddress(s.substring(0, colon), number("--app", s.substring(colon + 1)));
    }
}
