package org.foobarstack.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The text and JSON forms of a report made up by hand: 14 s at 200/s, the server down for most of second 12. */
class ReportRenderingTest {

    private static LoadReport report() {
        List<TimelineBucket> buckets = new ArrayList<>();
        for (int b = 0; b < 140; b++) {
            boolean down = b >= 122 && b < 130; // 12.2 s to 13.0 s: 8 slices of 20 requests refused
            buckets.add(down
                    ? new TimelineBucket(b * 100L, 100, 20, 0, 0, 0, Map.of(FailureKind.REFUSED, 20L), 0)
                    : new TimelineBucket(b * 100L, 100, 20, 20, 0, 0, Map.of(), 0.5));
        }
        Timeline timeline = new Timeline(100, buckets);
        return new LoadReport(
                new LoadReport.Settings("http://www.foobar.com:8080/", "127.0.0.1:8080", "GET", 200, 14_000, 16, 2000),
                2800, new TreeMap<>(Map.of(200, 2640L)), Map.of(FailureKind.REFUSED, 160L), Map.of(),
                Map.of(FailureKind.REFUSED, "Connection refused: /127.0.0.1:8080"),
                new LoadReport.Latency(2640, 0.412, 0.7, 3.1, 12.4, 15.2), 2640 / 14.0, timeline,
                OptionalLong.of(12_200), OptionalLong.of(12_995), timeline.outageMillis(), 14_000, false);
    }

    @Test
    void textShowsTheSummaryAndOneLinePerSecond() {
        String text = report().toText();

        assertThat(text).contains(
                "GET http://www.foobar.com:8080/  (127.0.0.1:8080)",
                "200 requests/s for 14 s, at most 16 connections, timeout 2000 ms",
                "  sent      2800",
                "  answered  2640   2xx 2640   (200: 2640)",
                "  failed     160   refused 160",
                "refused:         Connection refused: /127.0.0.1:8080",
                "p50 0.412 ms  p90 0.700 ms  p99 3.100 ms  p99.9 12.40 ms  max 15.20 ms",
                "first at 12.200 s, last at 12.995 s",
                "longest outage 0.8 s");
        // clean seconds fold into one line; the bad one stands out with its bar
        assertThat(text).contains(
                "\n  0-11s  200/200 ok\n",
                "\n    12s   40/200 ok  160 failed (refused 160) ████████\n",
                "\n    13s  200/200 ok\n");
    }

    @Test
    void jsonHasTheDocumentedKeysAndNumbers() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report().toJson());

        assertThat(json.get("target").asText()).isEqualTo("http://www.foobar.com:8080/");
        assertThat(json.get("rate").asInt()).isEqualTo(200);
        assertThat(json.get("duration_s").isIntegralNumber()).isTrue();
        assertThat(json.get("duration_s").asInt()).isEqualTo(14);
        assertThat(json.get("sent").asLong()).isEqualTo(2800);
        assertThat(json.get("answered").get("200").asLong()).isEqualTo(2640);
        assertThat(json.get("answered_by_class").get("2xx").asLong()).isEqualTo(2640);
        assertThat(json.get("failed").get("refused").asLong()).isEqualTo(160);
        assertThat(json.get("failed").get("timeout").asLong()).isZero();
        assertThat(json.get("failed_total").asLong()).isEqualTo(160);
        assertThat(json.get("latency_ms").get("p50").asDouble()).isEqualTo(0.412);
        assertThat(json.get("latency_ms").get("p999").asDouble()).isEqualTo(12.4);
        assertThat(json.get("latency_ms").get("max").asDouble()).isEqualTo(15.2);
        assertThat(json.get("achieved_rps").asDouble()).isEqualTo(188.57);
        assertThat(json.get("first_failure_ms").asLong()).isEqualTo(12_200);
        assertThat(json.get("last_failure_ms").asLong()).isEqualTo(12_995);
        assertThat(json.get("outage_ms").asLong()).isEqualTo(800);
        assertThat(json.get("timeline")).hasSize(14);
        JsonNode second12 = json.get("timeline").get(12);
        assertThat(second12.get("second").asInt()).isEqualTo(12);
        assertThat(second12.get("sent").asLong()).isEqualTo(200);
        assertThat(second12.get("ok").asLong()).isEqualTo(40);
        assertThat(second12.get("errors_5xx").asLong()).isZero();
        assertThat(second12.get("failed").asLong()).isEqualTo(160);
        assertThat(second12.get("failed_by_kind").get("refused").asLong()).isEqualTo(160);
        // no header was counted: the report has no word about one
        assertThat(json.has("header")).isFalse();
        assertThat(second12.has("header_values")).isFalse();
    }

    /**
     * 10 s at 100/s with X-App-Version counted: v1 answers until 4.4 s, v2 after; at 7.0 s the load balancer answers
     * five 502s of its own, without the header.
     */
    private static LoadReport deployReport() {
        List<TimelineBucket> buckets = new ArrayList<>();
        for (int b = 0; b < 100; b++) {
            String version = b < 44 ? "v1" : "v2";
            buckets.add(b == 70
                    ? new TimelineBucket(b * 100L, 100, 10, 5, 0, 5, Map.of(), 0.5, Map.of("v2", 5L, "-", 5L))
                    : new TimelineBucket(b * 100L, 100, 10, 10, 0, 0, Map.of(), 0.5, Map.of(version, 10L)));
        }
        Timeline timeline = new Timeline(100, buckets);
        return new LoadReport(
                new LoadReport.Settings("http://www.foobar.com:8080/", "127.0.0.1:8080", "GET", 100, 10_000, 16, 2000,
                        "X-App-Version"),
                1000, new TreeMap<>(Map.of(200, 995L, 502, 5L)), Map.of(), Map.of(), Map.of(),
                new LoadReport.Latency(1000, 0.4, 0.7, 3.1, 12.4, 15.2), 100, timeline,
                OptionalLong.of(7000), OptionalLong.of(7040), 0, 10_000, false,
                Map.of("v1", 440L, "v2", 555L, "-", 5L));
    }

    @Test
    void textListsEachValueOfTheCountedHeaderAndWhichSecondsCarriedIt() {
        String text = deployReport().toText();

        assertThat(text).contains(
                "  answered  1000   2xx 995  5xx 5   (200: 995, 502: 5)\n"
                        + "            X-App-Version: v1   440\n"
                        + "            X-App-Version: v2   555\n"
                        + "            X-App-Version: -      5   (without the header)\n"
                        + "  failed       0\n");
        // clean seconds fold only while their answers carried the same values: the switch to v2 shows
        assertThat(text).contains(
                "\n  0-3s  100/100 ok  v1 100\n"
                        + "    4s  100/100 ok  v1 40, v2 60\n"
                        + "  5-6s  100/100 ok  v2 100\n"
                        + "    7s   95/100 ok  5 5xx █  v2 95, - 5\n"
                        + "  8-9s  100/100 ok  v2 100\n");
    }

    @Test
    void jsonHasTheCountedHeaderInTheWholeRunAndEachSecond() throws Exception {
        JsonNode json = new ObjectMapper().readTree(deployReport().toJson());

        JsonNode header = json.get("header");
        assertThat(header.get("name").asText()).isEqualTo("X-App-Version");
        assertThat(fieldNames(header.get("values"))).containsExactly("v1", "v2", "-");
        assertThat(header.get("values").get("v1").asLong()).isEqualTo(440);
        assertThat(header.get("values").get("v2").asLong()).isEqualTo(555);
        assertThat(header.get("values").get("-").asLong()).isEqualTo(5);
        JsonNode timeline = json.get("timeline");
        assertThat(timeline.get(0).get("header_values").get("v1").asLong()).isEqualTo(100);
        assertThat(fieldNames(timeline.get(4).get("header_values"))).containsExactly("v1", "v2");
        assertThat(timeline.get(4).get("header_values").get("v2").asLong()).isEqualTo(60);
        assertThat(timeline.get(7).get("header_values").get("-").asLong()).isEqualTo(5);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void nothingAnsweredGivesNullLatenciesAndNoFailureTimesWhenNothingFailed() throws Exception {
        Timeline empty = new Timeline(100, List.of(new TimelineBucket(0, 100, 0, 0, 0, 0, Map.of(), 0)));
        LoadReport report = new LoadReport(
                new LoadReport.Settings("http://a/", "127.0.0.1:80", "GET", 1, 100, 1, 2000), 0, new TreeMap<>(),
                Map.of(), Map.of(), Map.of(), new LoadReport.Latency(0, 0, 0, 0, 0, 0), 0, empty,
                OptionalLong.empty(), OptionalLong.empty(), 0, 100, true);
        JsonNode json = new ObjectMapper().readTree(report.toJson());

        assertThat(json.get("latency_ms").get("p99").isNull()).isTrue();
        assertThat(json.get("first_failure_ms").isNull()).isTrue();
        assertThat(json.get("cancelled").asBoolean()).isTrue();
        assertThat(report.toText()).contains("latency   none", "failures  none", "cancelled after 0.1 s");
    }
}
