package org.foobarstack.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.io.File;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.foobarstack.trace.Metrics;
import org.junit.jupiter.api.Test;

/**
 * The page a real Prometheus would scrape, checked by Prometheus's own tool: {@code promtool check metrics} parses
 * it with the Go parser Prometheus uses and lints it (HELP on every metric, counters named _total, no duplicate
 * series...). It reads the exposition on stdin and prints nothing when all is well.
 *
 * <p>promtool comes with the Debian package prometheus. In CI (CI=true or 1) a missing promtool fails this test; on a
 * workstation without it, the test is skipped.
 */
class PromtoolTest {

    @Test
    void metricsPagePassesPromtoolCheckMetrics() throws Exception {
        Path promtool = promtool();
        ManualClock clock = new ManualClock();
        Metrics metrics = new Metrics();
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP responses, by method and status",
                "instance", "method", "code");
        Histogram duration = metrics.latency("foobar_http_request_duration_seconds", "HTTP request latency",
                "instance");
        metrics.gauge("foobar_db_replication_lag_seconds", "How far behind the primary", List.of("instance"),
                List.of("db-2"), () -> Double.NaN);
        for (String web : List.of("web-1", "web-2")) {
            requests.labelValues(web, "GET", "200").inc(120);
            requests.labelValues(web, "GET", "503").inc(3);
            duration.labelValues(web).observe(0.004);
        }
        // a label value with every character the format escapes
        Counter odd = metrics.counter("foobar_http_rejected_requests_total", "Requests refused", "instance",
                "violation");
        odd.labelValues("web-1", "path \"C:\\temp\"\nsecond line").inc();

        try (MonitoringServer server = new MonitoringServer(MonitoringConfig.builder().port(0)
                .expectedHosts(Set.of("app-server-1")).build(), clock)) {
            server.start();
            try (MonitoringClient first = new MonitoringClient("web-server-1", InetAddress.getByName("127.0.0.51"),
                    Set.of("web-1"), metrics, server.address(), clock);
                 MonitoringClient second = new MonitoringClient("web-server-2", InetAddress.getByName("127.0.0.52"),
                         Set.of("web-2"), metrics, server.address(), clock);
                 MonitoringClient db = new MonitoringClient("db-server-2", InetAddress.getByName("127.0.0.53"),
                         Set.of("db-2"), metrics, server.address(), clock)) {
                first.start();
                second.start();
                db.start();
                clock.advanceSeconds(4); // the expected app server is silent long enough to fire HostDown
            }
            String page = Http.get(server.address(), "/metrics").body();

            assertThat(page).containsOnlyOnce("# TYPE foobar_http_requests_total counter\n")
                    .contains("host=\"web-server-1\"", "host=\"web-server-2\"", "host=\"db-server-2\"")
                    .contains("violation=\"path \\\"C:\\\\temp\\\"\\nsecond line\"")
                    .contains("foobar_db_replication_lag_seconds{host=\"db-server-2\",instance=\"db-2\"} NaN\n")
                    .contains("foobar_monitoring_alerts{alertname=\"HostDown\",alertstate=\"firing\","
                            + "subject=\"app-server-1\"} 1\n");
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true)
                    .start();
            try (OutputStream in = check.getOutputStream()) {
                in.write(page.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(output).as("promtool's complaints about\n" + page).isEmpty();
            assertThat(check.exitValue()).as("promtool's exit status").isZero();
        }
    }

    /** promtool on the PATH; in CI its absence fails the test, elsewhere it skips it. */
    private static Path promtool() {
        Optional<Path> found = List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .stream().map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst();
        if (String.valueOf(System.getenv("CI")).matches("true|1")) {
            assertThat(found).as("promtool (Debian package prometheus) is needed for this test").isPresent();
        } else {
            assumeThat(found).as("promtool installed").isPresent();
        }
        return found.orElseThrow();
    }
}
