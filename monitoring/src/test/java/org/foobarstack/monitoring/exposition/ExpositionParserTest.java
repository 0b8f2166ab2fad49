package org.foobarstack.monitoring.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.List;
import java.util.Map;
import org.foobarstack.trace.Metrics;
import org.junit.jupiter.api.Test;

class ExpositionParserTest {

    @Test
    void readsWhatThePrometheusJavaClientWrites() throws Exception {
        Metrics metrics = new Metrics();
        Counter requests = metrics.counter("foobar_http_requests_total", "HTTP responses", "instance", "code");
        requests.labelValues("web-1", "200").inc(7);
        Histogram latency = metrics.latency("foobar_http_request_duration_seconds", "latency", "instance");
        latency.labelValues("web-1").observe(0.003);
        metrics.gauge("foobar_http_open_connections", "open", List.of("instance"), List.of("web-1"), () -> 4);

        List<MetricFamily> families = ExpositionParser.parse(metrics.exposition());

        assertThat(families).extracting(MetricFamily::name, MetricFamily::type).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("foobar_http_requests_total", MetricType.COUNTER),
                org.assertj.core.groups.Tuple.tuple("foobar_http_request_duration_seconds", MetricType.HISTOGRAM),
                org.assertj.core.groups.Tuple.tuple("foobar_http_open_connections", MetricType.GAUGE));
        MetricFamily counter = family(families, "foobar_http_requests_total");
        assertThat(counter.help()).isEqualTo("HTTP responses");
        assertThat(counter.samples()).containsExactly(new Sample("foobar_http_requests_total",
                Map.of("instance", "web-1", "code", "200"), 7));
        MetricFamily histogram = family(families, "foobar_http_request_duration_seconds");
        // 16 finite buckets and +Inf, then _count and _sum: all one family
        assertThat(histogram.samples()).filteredOn(s -> s.name().endsWith("_bucket")).hasSize(17);
        assertThat(histogram.samples()).filteredOn(s -> "+Inf".equals(s.label("le"))).singleElement()
                .extracting(Sample::value).isEqualTo(1.0);
        assertThat(histogram.samples()).filteredOn(s -> "0.0025".equals(s.label("le"))).singleElement()
                .extracting(Sample::value).isEqualTo(0.0);
        assertThat(histogram.samples()).filteredOn(s -> "0.005".equals(s.label("le"))).singleElement()
                .extracting(Sample::value).isEqualTo(1.0);
        assertThat(histogram.samples()).extracting(Sample::name)
                .contains("foobar_http_request_duration_seconds_sum", "foobar_http_request_duration_seconds_count");
    }

    @Test
    void writingAndParsingAgainGivesTheSameFamilies() throws Exception {
        String text = """
                # HELP odd_total Help with a backslash \\\\ and a\\nline break
                # TYPE odd_total counter
                odd_total{path="C:\\\\temp",quote="say \\"hi\\"",lines="one\\ntwo"} 3 1700000000000
                # TYPE temperatures gauge
                temperatures{where="in"} -Inf
                temperatures{where="out"} NaN
                temperatures{where="sun"} +Inf
                temperatures{where="here"} 1.5e3
                """;
        List<MetricFamily> families = ExpositionParser.parse(text);

        Sample odd = families.get(0).samples().get(0);
        assertThat(families.get(0).help()).isEqualTo("Help with a backslash \\ and a\nline break");
        assertThat(odd.labels()).containsExactly(Map.entry("path", "C:\\temp"), Map.entry("quote", "say \"hi\""),
                Map.entry("lines", "one\ntwo"));
        assertThat(odd.timestampMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(families.get(1).samples()).extracting(Sample::value)
                .containsExactly(Double.NEGATIVE_INFINITY, Double.NaN, Double.POSITIVE_INFINITY, 1500.0);

        String written = ExpositionWriter.write(families);
        assertThat(written).contains("odd_total{path=\"C:\\\\temp\",quote=\"say \\\"hi\\\"\",lines=\"one\\ntwo\"} 3 "
                + "1700000000000\n", "temperatures{where=\"sun\"} +Inf\n", "temperatures{where=\"here\"} 1500\n");
        assertThat(ExpositionParser.parse(written)).isEqualTo(families);
    }

    @Test
    void blankLinesCommentsAndExtraBlanksAreAllowed() throws Exception {
        List<MetricFamily> families = ExpositionParser.parse("\n# a plain comment\n  up { job = \"x\" , } \t 1 \n\n");

        assertThat(families).singleElement().satisfies(f -> {
            assertThat(f.type()).isEqualTo(MetricType.UNTYPED);
            assertThat(f.samples()).containsExactly(new Sample("up", Map.of("job", "x"), 1));
        });
    }

    @Test
    void anEmptyBodyHasNoFamilies() throws Exception {
        assertThat(ExpositionParser.parse("")).isEmpty();
    }

    @Test
    void eachBrokenRuleIsNamedWithItsLine() {
        assertError("ok 1\nfoo{code 1}\n", 2, "expected '=' after label name \"code\"");
        assertError("foo{code=\"200} 1\n", 1, "the value of label code is not closed");
        assertError("foo{code=\"2\\t\"} 1\n", 1, "invalid escape sequence in the value of label code");
        assertError("foo 12abc\n", 1, "value \"12abc\" is not a number");
        assertError("foo\n", 1, "no value after the metric name");
        assertError("foo 1 later\n", 1, "timestamp \"later\" is not an integer");
        assertError("foo 1 2 3\n", 1, "unexpected text after the timestamp");
        assertError("# TYPE foo counter\n# TYPE foo gauge\n", 2, "second TYPE line for foo");
        assertError("# HELP foo a\n# HELP foo b\n", 2, "second HELP line for foo");
        assertError("foo 1\n# TYPE foo counter\n", 2, "TYPE line for foo after its samples");
        assertError("# TYPE foo speedometer\n", 1, "unknown type \"speedometer\"");
        assertError("foo{a=\"1\"} 1\nbar 1\nfoo{a=\"2\"} 1\n", 3, "the lines of foo must form one group");
        assertError("foo{a=\"1\"} 1\nfoo{a=\"1\"} 2\n", 2, "duplicate sample: the same name and labels are on line 1");
        assertError("foo{a=\"1\",a=\"2\"} 1\n", 1, "label a appears twice");
        assertError("# TYPE h histogram\nh_bucket{x=\"1\"} 1\n", 2, "a histogram bucket needs a le label");
        assertError("# TYPE h histogram\nh_bucket{le=\"big\"} 1\n", 2, "the le label of a histogram bucket is not a number");
        assertError("# TYPE s summary\ns 1\n", 2, "a summary quantile needs a quantile label");
        assertError("foo 1\r\n", 1, "the line ends in CR LF");
        assertError("9lives 1\n", 1, "expected a metric name");
        assertError("foo-bar 1\n", 1, "invalid character '-' in the metric name");
        assertError("# HELP foo bad \\t escape\n", 1, "invalid escape sequence in HELP text");
    }

    private static void assertError(String text, int line, String problem) {
        assertThatThrownBy(() -> ExpositionParser.parse(text)).isInstanceOf(ExpositionException.class)
                .satisfies(e -> {
                    ExpositionException error = (ExpositionException) e;
                    assertThat(error.lineNumber()).as(text).isEqualTo(line);
                    assertThat(error.problem()).as(text).startsWith(problem);
                    assertThat(error.getMessage()).startsWith("line " + line + ": ")
                            .endsWith(text.split("\n", -1)[line - 1]);
                });
    }

    private static MetricFamily family(List<MetricFamily> families, String name) {
        return families.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
