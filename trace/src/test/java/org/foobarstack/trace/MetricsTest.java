package org.foobarstack.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsTest {

    /** A sample line of the text format: name, optional {labels}, value (Prometheus exposition 0.0.4). */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");

    /** Every sample of an exposition, keyed by name plus labels exactly as written. */
    private static Map<String, Double> parse(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a sample line: " + line).isTrue();
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    @Test
    void countersMoveAndAreExposedWithHelpAndType() {
        Metrics metrics = new Metrics();
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP requests answered", "instance", "status");

        requests.labelValues("web-1", "200").inc();
        String before = metrics.exposition();
        requests.labelValues("web-1", "200").inc(2);
        requests.labelValues("web-1", "404").inc();
        String after = metrics.exposition();

        assertThat(after).contains("# HELP foobar_http_requests_total HTTP requests answered\n")
                .contains("# TYPE foobar_http_requests_total counter\n");
        assertThat(parse(before)).containsEntry("foobar_http_requests_total{instance=\"web-1\",status=\"200\"}", 1.0);
        assertThat(parse(after)).containsEntry("foobar_http_requests_total{instance=\"web-1\",status=\"200\"}", 3.0)
                .containsEntry("foobar_http_requests_total{instance=\"web-1\",status=\"404\"}", 1.0);
    }

    @Test
    void histogramsHaveCumulativeBucketsSumAndCount() {
        Metrics metrics = new Metrics();
        Histogram latency = metrics.histogram("foobar_dns_query_duration_seconds", "DNS answer time",
                new double[] {0.001, 0.01, 0.1}, "transport");

        latency.labelValues("udp").observe(0.0005);
        latency.labelValues("udp").observe(0.005);
        latency.labelValues("udp").observe(0.5);
        Map<String, Double> samples = parse(metrics.exposition());

        assertThat(metrics.exposition()).contains("# TYPE foobar_dns_query_duration_seconds histogram");
        assertThat(samples)
                .containsEntry("foobar_dns_query_duration_seconds_bucket{transport=\"udp\",le=\"0.001\"}", 1.0)
                .containsEntry("foobar_dns_query_duration_seconds_bucket{transport=\"udp\",le=\"0.01\"}", 2.0)
                .containsEntry("foobar_dns_query_duration_seconds_bucket{transport=\"udp\",le=\"0.1\"}", 2.0)
                .containsEntry("foobar_dns_query_duration_seconds_bucket{transport=\"udp\",le=\"+Inf\"}", 3.0)
                .containsEntry("foobar_dns_query_duration_seconds_count{transport=\"udp\"}", 3.0);
        assertThat(samples.get("foobar_dns_query_duration_seconds_sum{transport=\"udp\"}")).isCloseTo(0.5055,
                org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void gaugesGoBothWaysAndCallbackGaugesAreReadAtScrapeTime() {
        Metrics metrics = new Metrics();
        Gauge open = metrics.gauge("foobar_open_connections", "Open connections", "tier");
        AtomicInteger inUse = new AtomicInteger(3);
        metrics.gauge("foobar_pool_in_use", "Database connections in use", inUse::get);

        open.labelValues("web").inc();
        open.labelValues("web").inc();
        open.labelValues("web").dec();
        assertThat(parse(metrics.exposition())).containsEntry("foobar_open_connections{tier=\"web\"}", 1.0)
                .containsEntry("foobar_pool_in_use", 3.0);
        inUse.set(5);
        assertThat(parse(metrics.exposition())).containsEntry("foobar_pool_in_use", 5.0);
    }

    @Test
    void twoStacksKeepTheirNumbersApart() {
        Metrics one = new Metrics();
        Metrics two = new Metrics();
        one.counter("foobar_dns_queries_total", "DNS queries", "rcode").labelValues("NOERROR").inc();
        two.counter("foobar_dns_queries_total", "DNS queries", "rcode");

        assertThat(parse(one.exposition())).containsEntry("foobar_dns_queries_total{rcode=\"NOERROR\"}", 1.0);
        assertThat(parse(two.exposition())).doesNotContainKey("foobar_dns_queries_total{rcode=\"NOERROR\"}");
        assertThat(Metrics.CONTENT_TYPE).contains("version=0.0.4");
    }

    @Test
    void twoInstancesOfATierShareOneMetricAndKeepTheirSeriesApart() {
        Metrics metrics = new Metrics();
        metrics.counter("foobar_http_requests_total", "HTTP requests", "instance").labelValues("web-1").inc();
        metrics.counter("foobar_http_requests_total", "HTTP requests", "instance").labelValues("web-2").inc(2);
        AtomicInteger web1 = new AtomicInteger(4);
        metrics.gauge("foobar_http_open_connections", "Open connections", java.util.List.of("instance"),
                java.util.List.of("web-1"), web1::get);
        metrics.gauge("foobar_http_open_connections", "Open connections", java.util.List.of("instance"),
                java.util.List.of("web-2"), () -> 7);

        assertThat(parse(metrics.exposition()))
                .containsEntry("foobar_http_requests_total{instance=\"web-1\"}", 1.0)
                .containsEntry("foobar_http_requests_total{instance=\"web-2\"}", 2.0)
                .containsEntry("foobar_http_open_connections{instance=\"web-1\"}", 4.0)
                .containsEntry("foobar_http_open_connections{instance=\"web-2\"}", 7.0);

        metrics.removeGaugeSource("foobar_http_open_connections", java.util.List.of("web-1"));
        assertThat(parse(metrics.exposition())).doesNotContainKey("foobar_http_open_connections{instance=\"web-1\"}");
    }

    @Test
    void aNameCannotBeTwoKindsOfMetric() {
        Metrics metrics = new Metrics();
        metrics.counter("foobar_things_total", "things");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> metrics.gauge("foobar_things_total", "things"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already a Counter");
    }
}
