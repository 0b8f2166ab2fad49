package org.foobarstack.lb;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.foobarstack.lb.config.Algorithm;
import org.foobarstack.lb.config.BalancerConfig;
import org.foobarstack.lb.config.HealthCheckConfig;
import org.foobarstack.lb.config.Mode;
import org.foobarstack.lb.config.RetryOn;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.config.Timeouts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one load balancer alone, in front of any HTTP servers (nginx, or the stack's web servers), for the interop
 * checks, the benchmark and experiments:
 *
 * <pre>
 *   java -cp 'load-balancer/target/load-balancer-0.1.0-SNAPSHOT.jar:load-balancer/target/lib/*' \
 *       org.foobarstack.lb.LoadBalancerMain --bind 127.0.0.1 --port 8080 \
 *       --server web-1=127.0.0.11:8080 --server web-2=127.0.0.12:8080,weight=2
 * </pre>
 *
 * With HTTPS, terminated here and re-encrypted to servers that listen with TLS (HAProxy's {@code bind :8443 ssl
 * crt site.pem}, {@code server ... ssl verify required ca-file ca.pem verifyhost www.foobar.com}):
 *
 * <pre>
 *       ... --https-port 8443 --crt site-chain.pem --key site-key.pem --redirect-https --hsts 31536000 \
 *       --ca-file ca.pem --verifyhost www.foobar.com --server web-1=127.0.0.11:8443
 * </pre>
 *
 * The options are HAProxy's keywords where HAProxy has one. Once listening it prints one line per port
 * ("frontend http://127.0.0.1:8080", "https https://127.0.0.1:8443", "stats http://127.0.0.1:8404/stats") so
 * that scripts can read them.
 */
@Command(name = "LoadBalancerMain", mixinStandardHelpOptions = true,
        description = "Run one load balancer in front of HTTP servers (HAProxy's keywords).")
public final class LoadBalancerMain implements Callable<Integer> {

    @Option(names = "--name", defaultValue = "lb-1", description = "Instance name, in Via and the stats (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on, and to connect from (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "8080", description = "Frontend port, 0 for any (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--stats-port", defaultValue = "8404", description = "Stats page port, 0 for any, -1 for none (default: ${DEFAULT-VALUE}).")
    int statsPort;

    @Option(names = "--mode", defaultValue = "http", description = "http or tcp (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--balance", defaultValue = "roundrobin", description = "roundrobin, leastconn, source or uri (default: ${DEFAULT-VALUE}).")
    String balance;

    @Option(names = "--server", required = true, paramLabel = "NAME=HOST:PORT[,weight=N][,backup][,no-check]",
            description = "A server of the backend; repeat for each.")
    List<String> servers = new ArrayList<>();

    @Option(names = "--check", defaultValue = "http:/health", description = "http:PATH or tcp (default: ${DEFAULT-VALUE}).")
    String check;

    @Option(names = "--inter", defaultValue = "2000", description = "Milliseconds between checks (default: ${DEFAULT-VALUE}).")
    long inter;

    @Option(names = "--rise", defaultValue = "2", description = "Passed checks that bring a server UP (default: ${DEFAULT-VALUE}).")
    int rise;

    @Option(names = "--fall", defaultValue = "3", description = "Failed checks that take it DOWN (default: ${DEFAULT-VALUE}).")
    int fall;

    @Option(names = "--retries", defaultValue = "3", description = "Retries after a failure (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--no-redispatch", description = "Never move a request to another server on its last retry.")
    boolean noRedispatch;

    @Option(names = "--retry-on", defaultValue = "conn-failure", split = ",",
            description = "conn-failure and/or empty-response (default: ${DEFAULT-VALUE}).")
    List<String> retryOn = new ArrayList<>();

    @Option(names = "--timeout-connect", defaultValue = "1000", description = "Milliseconds (default: ${DEFAULT-VALUE}).")
    long timeoutConnect;

    @Option(names = "--timeout-server", defaultValue = "10000", description = "Milliseconds (default: ${DEFAULT-VALUE}).")
    long timeoutServer;

    @Option(names = "--timeout-client", defaultValue = "30000", description = "Milliseconds (default: ${DEFAULT-VALUE}).")
    long timeoutClient;

    @Option(names = "--threads", defaultValue = "0", description = "Event loop threads, 0 for one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--no-trace", description = "Record no hops (trace ids are still passed on).")
    boolean noTrace;

    @Option(names = "--https-port", description = "Also listen for HTTPS on this port, 0 for any (needs --crt and --key).")
    Integer httpsPort;

    @Option(names = "--crt", paramLabel = "FILE", description = "The site's certificate chain, PEM, leaf first (bind ... ssl crt).")
    File crt;

    @Option(names = "--key", paramLabel = "FILE", description = "The site's private key, PEM (PKCS #8).")
    File key;

    @Option(names = "--redirect-https", description = "Answer plain-HTTP requests 301 to https (http-request redirect scheme https).")
    boolean redirectHttps;

    @Option(names = "--hsts", paramLabel = "SECONDS", description = "Send Strict-Transport-Security: max-age=SECONDS over HTTPS.")
    Long hstsSeconds;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "Speak TLS to the servers and verify their certificates against this CA, PEM (server ... ssl verify required ca-file).")
    File caFile;

    @Option(names = "--verifyhost", paramLabel = "NAME", description = "The name the servers' certificates must carry, also sent as SNI (needs --ca-file).")
    String verifyHost;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadBalancerMain()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        BalancerConfig.Builder builder = BalancerConfig.builder()
                .name(name)
                .bindAddress(bind)
                .port(port)
                .statsPort(statsPort)
                .mode(Mode.valueOf(mode.toUpperCase(Locale.ROOT)))
                .algorithm(Algorithm.fromKeyword(balance))
                .check(healthCheck())
                .retries(retries)
                .redispatch(!noRedispatch)
                .retryOn(retryConditions())
                .timeouts(new Timeouts(Duration.ofMillis(timeoutConnect), Duration.ofMillis(timeoutServer),
                        Duration.ofMillis(timeoutClient)))
                .ioThreads(threads);
        for (String server : servers) {
            builder.server(parseServer(server));
        }
        https(builder);
        BalancerConfig config = builder.build();
        config.traceRecorder().setEnabled(!noTrace);
        LoadBalancer balancer = new LoadBalancer(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            balancer.close();
            stopped.countDown();
        }, "lb-shutdown"));
        balancer.start();
        System.out.println("frontend http://" + hostPort(balancer.address()));
        if (balancer.httpsAddress() != null) {
            System.out.println("https https://" + hostPort(balancer.httpsAddress()));
        }
        if (balancer.statsAddress() != null) {
            System.out.println("stats http://" + hostPort(balancer.statsAddress()) + "/stats");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** The TLS options: Netty reads the PEM files itself. */
    private void https(BalancerConfig.Builder builder) throws IOException {
        if (httpsPort != null) {
            if (crt == null || key == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--https-port needs --crt and --key");
            }
            SslContext site = SslContextBuilder.forServer(crt, key).protocols("TLSv1.3", "TLSv1.2").build();
            builder.tls(site).httpsPort(httpsPort).redirectToHttps(redirectHttps);
            if (hstsSeconds != null) {
                builder.hsts(Duration.ofSeconds(hstsSeconds));
            }
        }
        if (caFile != null) {
            builder.backendTls(SslContextBuilder.forClient().trustManager(caFile).protocols("TLSv1.3", "TLSv1.2")
                    .build()).backendServerName(verifyHost);
        }
    }

    private HealthCheckConfig healthCheck() {
        HealthCheckConfig defaults = HealthCheckConfig.defaults();
        HealthCheckConfig.CheckType type = check.equals("tcp") ? HealthCheckConfig.CheckType.TCP
                : HealthCheckConfig.CheckType.HTTP;
        String path = check.startsWith("http:") ? check.substring(5) : defaults.path();
        if (!check.equals("tcp") && !check.startsWith("http:")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--check takes http:PATH or tcp");
        }
        return new HealthCheckConfig(type, path, Duration.ofMillis(inter), defaults.timeout(), rise, fall);
    }

    private Set<RetryOn> retryConditions() {
        Set<RetryOn> conditions = EnumSet.noneOf(RetryOn.class);
        for (String keyword : retryOn) {
            conditions.add(RetryOn.fromKeyword(keyword.trim()));
        }
        return conditions;
    }

    /** "web-1=127.0.0.11:8080,weight=2,backup,no-check" */
    static ServerConfig parseServer(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException("a server is NAME=HOST:PORT[,weight=N][,backup][,no-check], not " + text);
        }
        String serverName = text.substring(0, equals);
        String[] parts = text.substring(equals + 1).split(",");
        int colon = parts[0].lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("no port in " + parts[0]);
        }
        ServerConfig server = ServerConfig.of(serverName, new InetSocketAddress(parts[0].substring(0, colon),
                Integer.parseInt(parts[0].substring(colon + 1))));
        for (int i = 1; i < parts.length; i++) {
            String option = parts[i].trim();
            if (option.startsWith("weight=")) {
                server = server.withWeight(Integer.parseInt(option.substring(7)));
            } else if (option.equals("backup")) {
                server = server.asBackup();
            } else if (option.equals("no-check")) {
                server = server.withoutCheck();
            } else {
                throw new IllegalArgumentException("unknown server option " + option + " in " + text);
            }
        }
        return server;
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
