package org.foobarstack.monitoring;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.foobarstack.trace.Metrics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs one monitoring server alone, for a real Prometheus to scrape (.ci/interop/prometheus.sh) and for
 * experiments:
 *
 * <pre>
 *   java -cp 'monitoring/target/monitoring-0.1.0-SNAPSHOT.jar:monitoring/target/lib/*' \
 *       org.foobarstack.monitoring.MonitoringServerMain --bind 127.0.0.1 --port 9300 --demo-host demo-web
 * </pre>
 *
 * With {@code --demo-host}, a monitoring client runs beside the server for a made-up host with one web instance
 * ("demo-web-1") that answers ten requests a second, so that {@code /metrics} and {@code /api/summary} have
 * something to show. Once listening it prints "monitoring http://127.0.0.1:9300", for scripts to read; alert
 * transitions are logged.
 */
@Command(name = "MonitoringServerMain", mixinStandardHelpOptions = true,
        description = "Run one monitoring server: hosts push to it, Prometheus scrapes it.")
public final class MonitoringServerMain implements Callable<Integer> {

    @Option(names = "--name", defaultValue = "monitoring-1", description = "Server name, in the log (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "9300", description = "Port, 0 for any (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "The clients' push interval in milliseconds (default: ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(names = "--retention-minutes", defaultValue = "10", description = "How long series are kept (default: ${DEFAULT-VALUE}).")
    long retentionMinutes;

    @Option(names = "--expect", paramLabel = "HOST", description = "A host that is down until it pushes; repeat for each.")
    List<String> expected = new ArrayList<>();

    @Option(names = "--high-request-rate", defaultValue = "1000", description = "HighRequestRate threshold, requests per second (default: ${DEFAULT-VALUE}).")
    double highRequestRate;

    @Option(names = "--replication-lag-seconds", defaultValue = "5", description = "ReplicationLag threshold (default: ${DEFAULT-VALUE}).")
    double replicationLag;

    @Option(names = "--for-seconds", defaultValue = "30", description = "The 'for' of HighRequestRate and ReplicationLag (default: ${DEFAULT-VALUE}).")
    long forSeconds;

    @Option(names = "--run-seconds", defaultValue = "0", description = "Stop after this many seconds; 0 runs until stopped (default: ${DEFAULT-VALUE}).")
    long runSeconds;

    @Option(names = "--demo-host", paramLabel = "HOST", description = "Also run a monitoring client for a made-up host whose web instance demo-web-1 answers ten requests a second.")
    String demoHost;

    @Option(names = "--demo-address", defaultValue = "127.0.0.1", description = "The demo host's address, which its pushes leave from (default: ${DEFAULT-VALUE}).")
    String demoAddress;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MonitoringServerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Duration interval = Duration.ofMillis(intervalMillis);
        MonitoringConfig config = MonitoringConfig.builder()
                .serverName(name)
                .bindAddress(bind)
                .port(port)
                .pushInterval(interval)
                .retention(Duration.ofMinutes(retentionMinutes))
                .expectedHosts(Set.copyOf(expected))
                .highRequestRate(highRequestRate)
                .highRequestRateFor(Duration.ofSeconds(forSeconds))
                .replicationLagSeconds(replicationLag)
                .replicationLagFor(Duration.ofSeconds(forSeconds))
                .build();
        MonitoringClock clock = MonitoringClock.system();
        MonitoringServer server = new MonitoringServer(config, clock);
        List<AutoCloseable> running = new CopyOnWriteArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    System.err.println("stopping: " + e);
                }
            }
            server.close();
            stopped.countDown();
        }, "monitoring-shutdown"));
        server.start();
        System.out.println("monitoring http://" + server.address().getAddress().getHostAddress() + ":"
                + server.address().getPort());
        System.out.flush();
        if (demoHost != null) {
            demo(server.address(), clock, interval, running);
        }
        if (runSeconds > 0) {
            if (!stopped.await(runSeconds, TimeUnit.SECONDS)) {
                System.out.println("monitoring: --run-seconds " + runSeconds + " reached, stopping");
            }
            return 0; // System.exit runs the shutdown hook
        }
        stopped.await();
        return 0;
    }

    /** A host with one web instance answering ten requests a second, one in ten slow. */
    private void demo(InetSocketAddress server, MonitoringClock clock, Duration interval, List<AutoCloseable> running)
            throws Exception {
        Metrics metrics = new Metrics();
        String instance = "demo-web-1";
        Counter requests = metrics.counter(MonitoringQueries.HTTP_REQUESTS, "HTTP responses, by request method and "
                + "status code", "instance", "method", "code");
        Histogram duration = metrics.latency("foobar_http_request_duration_seconds", "HTTP request head received "
                + "to response written", "instance");
        // one request every 100 ms rather than ten at once each second, so that the rate reads 10 whenever the
        // pushes happen to fall
        AtomicLong answered = new AtomicLong();
        running.add(clock.every(Duration.ofMillis(100), "monitoring-demo-traffic", () -> {
            requests.labelValues(instance, "GET", "200").inc();
            duration.labelValues(instance).observe(answered.incrementAndGet() % 10 == 0 ? 0.2 : 0.004);
        }));
        MonitoringClient client = new MonitoringClient(demoHost, InetAddress.getByName(demoAddress),
                Set.of(instance), metrics, server, clock, interval);
        client.start();
        running.add(client);
    }
}
