package org.foobarstack.http;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

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
 * {@code --name NAME}, {@code --redirect-apex}, {@code --directory-listing}, {@code --io-threads N}. Port 0 picks a free port. Once both
 * ports listen, one line per port is printed ("http http://127.0.0.1:8080" ...) so that scripts can read them.
 */
public final class WebServerMain {

    private WebServerMain() {
    }

    public static void main(String[] args) throws Exception {
        WebServerConfig.Builder builder = WebServerConfig.builder();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--bind" -> builder.bindAddress(value(args, ++i, option));
                case "--port" -> builder.httpPort(Integer.parseInt(value(args, ++i, option)));
                case "--https-port" -> {
                    String v = value(args, ++i, option);
                    if (v.equals("off")) {
                        builder.httpsEnabled(false);
                    } else {
                        builder.httpsPort(Integer.parseInt(v));
                    }
                }
                case "--root" -> builder.documentRoot(Path.of(value(args, ++i, option)));
                case "--data-dir" -> builder.dataDirectory(Path.of(value(args, ++i, option)));
                case "--app" -> builder.appServerAddress(hostPort(value(args, ++i, option)));
                case "--app-script" -> builder.appScriptFilename(value(args, ++i, option));
                case "--name" -> builder.serverName(value(args, ++i, option));
                case "--redirect-apex" -> builder.redirectApexToWww(true);
                case "--directory-listing" -> builder.directoryListing(true);
                case "--io-threads" -> builder.ioThreads(Integer.parseInt(value(args, ++i, option)));
                case "--help", "-h" -> {
                    System.out.println("usage: WebServerMain [--bind ADDR] [--port N] [--https-port N|off] "
                            + "[--root DIR] [--data-dir DIR] [--app HOST:PORT] [--app-script FILE] [--name NAME] "
                            + "[--redirect-apex] [--directory-listing] [--io-threads N]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + option + " (try --help)");
                    System.exit(2);
                }
            }
        }
        WebServer server = new WebServer(builder.build());
        try {
            server.start();
        } catch (Exception e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "web-server-shutdown"));
        System.out.println("http http://" + server.httpAddress().getHostString() + ":" + server.httpAddress().getPort());
        if (server.httpsAddress() != null) {
            System.out.println("https https://" + server.httpsAddress().getHostString() + ":"
                    + server.httpsAddress().getPort());
            System.out.println("ca " + server.caCertificate().toAbsolutePath());
        }
        System.out.println("root " + server.documentRoot().toAbsolutePath());
        System.out.flush();
        stopped.await();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got " + s);
        }
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }
}
