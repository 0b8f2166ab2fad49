package org.foobarstack.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@link LoadReport#toText()}: a summary, then one line per second of the run, by the intended start of the
 * requests. Seconds in which every request was answered 2xx or 3xx, in equal numbers, are folded into one line, so
 * that the seconds where something happened stand out:
 *
 * <pre>
 *    0-11s  200/200 ok
 *      12s   40/200 ok  160 failed (refused 160) ████████
 *      13s  200/200 ok
 * </pre>
 *
 * When the run counts a response header, the summary has one line per value of it, and each second ends with the
 * values its answers carried; folded seconds carried the same:
 *
 * <pre>
 *   answered  2000   2xx 2000   (200: 2000)
 *             X-App-Version: v1  1030
 *             X-App-Version: v2   970
 *   ...
 *   0-4s  200/200 ok  v1 200
 *     5s  200/200 ok  v1 30, v2 170
 *   6-9s  200/200 ok  v2 200
 * </pre>
 */
final class TextReport {

    /** The width of a bar for a second in which every request failed. */
    private static final int BAR_WIDTH = 10;

    private TextReport() {
    }

    static String render(LoadReport report) {
        StringBuilder out = new StringBuilder();
        LoadReport.Settings settings = report.settings();
        out.append(settings.method()).append(' ').append(settings.url())
                .append("  (").append(settings.address()).append(")\n");
        out.append(String.format(Locale.ROOT, "%d requests/s for %s, at most %d connections, timeout %d ms%s%n%n",
                settings.rate(), seconds(settings.durationMillis()), settings.connections(),
                settings.timeoutMillis(),
                report.cancelled() ? ", cancelled after " + seconds(report.runMillis()) : ""));

        int width = Long.toString(report.sent()).length();
        String count = "%" + width + "d";
        out.append(String.format(Locale.ROOT, "  sent      " + count + "%n", report.sent()));
        out.append(String.format(Locale.ROOT, "  answered  " + count, report.answeredTotal()));
        if (report.answeredTotal() > 0) {
            out.append("   ").append(answeredDetail(report));
        }
        out.append('\n');
        appendHeaderValues(out, report);
        out.append(String.format(Locale.ROOT, "  failed    " + count, report.failedTotal()));
        if (report.failedTotal() > 0) {
            out.append("   ").append(kinds(report.failed()));
        }
        out.append('\n');
        for (Map.Entry<FailureKind, String> example : report.failureExamples().entrySet()) {
            out.append(String.format(Locale.ROOT, "            %-16s %s%n", example.getKey() + ":", example.getValue()));
        }
        if (!report.protocolViolations().isEmpty()) {
            StringJoiner violations = new StringJoiner(", ");
            report.protocolViolations().forEach((name, n) -> violations.add(name + " " + n));
            out.append("            protocol errors: ").append(violations).append('\n');
        }

        LoadReport.Latency latency = report.latency();
        if (latency.count() > 0) {
            out.append(String.format(Locale.ROOT,
                    "  latency   p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n"
                            + "            (answered requests only, each from its intended start)%n",
                    millis(latency.p50()), millis(latency.p90()), millis(latency.p99()), millis(latency.p999()),
                    millis(latency.max())));
        } else {
            out.append("  latency   none: no request was answered\n");
        }
        out.append(String.format(Locale.ROOT, "  achieved  %.1f answered/s of %d scheduled/s%n", report.achievedRps(),
                settings.rate()));
        if (report.firstFailureMillis().isPresent()) {
            out.append(String.format(Locale.ROOT,
                    "  failures  first at %s, last at %s (failed or 5xx, by intended start); longest outage %s%n",
                    moment(report.firstFailureMillis().getAsLong()), moment(report.lastFailureMillis().getAsLong()),
                    seconds(report.outageMillis())));
        } else {
            out.append("  failures  none\n");
        }
        out.append('\n');
        appendSeconds(out, report.timeline().perSecond());
        return out.toString();
    }

    private static String answeredDetail(LoadReport report) {
        StringJoiner classes = new StringJoiner("  ");
        report.answeredByClass().forEach((name, n) -> {
            if (n > 0) {
                classes.add(name + " " + n);
            }
        });
        StringJoiner statuses = new StringJoiner(", ");
        report.answered().forEach((status, n) -> statuses.add(status + ": " + n));
        return classes + "   (" + statuses + ")";
    }

    /** One line per value of the counted header, with its count, under the answered requests it counts. */
    private static void appendHeaderValues(StringBuilder out, LoadReport report) {
        String name = report.settings().countedHeader();
        if (name == null || report.headerValues().isEmpty()) {
            return;
        }
        int valueWidth = report.headerValues().keySet().stream().mapToInt(String::length).max().orElse(1);
        int countWidth = Long.toString(report.answeredTotal()).length();
        report.headerValues().forEach((value, n) -> {
            out.append(String.format(Locale.ROOT, "            %s: %-" + valueWidth + "s  %" + countWidth + "d",
                    name, value, n));
            if (value.equals(LoadConfig.NO_HEADER_VALUE)) {
                out.append("   (without the header)");
            } else if (value.equals(LoadConfig.OTHER_HEADER_VALUES)) {
                out.append("   (values beyond the first ").append(LoadConfig.MAX_HEADER_VALUES).append(')');
            }
            out.append('\n');
        });
    }

    /** "v1 30, v2 170": the values of the counted header a second's answers carried. */
    private static String values(Map<String, Long> headerValues) {
        StringJoiner values = new StringJoiner(", ");
        headerValues.forEach((value, n) -> values.add(value + " " + n));
        return values.toString();
    }

    /** "refused 160, reset 3": the kinds that happened. */
    private static String kinds(Map<FailureKind, Long> failed) {
        StringJoiner kinds = new StringJoiner(", ");
        failed.forEach((kind, n) -> {
            if (n > 0) {
                kinds.add(kind + " " + n);
            }
        });
        return kinds.toString();
    }

    /**
     * One line per second; runs of clean seconds with the same count folded into one line, as long as their
     * answers carried the same values of the counted header (so that a deploy's switch from v1 to v2 shows).
     */
    private static void appendSeconds(StringBuilder out, List<TimelineBucket> seconds) {
        List<String> labels = new ArrayList<>();
        List<TimelineBucket> rows = new ArrayList<>();
        int i = 0;
        while (i < seconds.size()) {
            TimelineBucket first = seconds.get(i);
            int j = i;
            while (j + 1 < seconds.size() && isClean(first) && isClean(seconds.get(j + 1))
                    && seconds.get(j + 1).sent() == first.sent()
                    && seconds.get(j + 1).headerValues().equals(first.headerValues())) {
                j++;
            }
            long from = first.startMillis() / 1000;
            long to = seconds.get(j).startMillis() / 1000;
            labels.add(from == to ? from + "s" : from + "-" + to + "s");
            rows.add(first);
            i = j + 1;
        }
        int labelWidth = labels.stream().mapToInt(String::length).max().orElse(2);
        long maxSent = seconds.stream().mapToLong(TimelineBucket::sent).max().orElse(0);
        int countWidth = Long.toString(maxSent).length();
        for (int r = 0; r < rows.size(); r++) {
            TimelineBucket row = rows.get(r);
            out.append(String.format(Locale.ROOT, "  %" + labelWidth + "s  %" + countWidth + "d/%-" + countWidth + "d ok",
                    labels.get(r), row.ok(), row.sent()));
            if (row.clientErrors() > 0) {
                out.append("  ").append(row.clientErrors()).append(" 4xx");
            }
            if (row.serverErrors() > 0) {
                out.append("  ").append(row.serverErrors()).append(" 5xx");
            }
            if (row.failedTotal() > 0) {
                out.append("  ").append(row.failedTotal()).append(" failed (").append(kinds(row.failed())).append(')');
            }
            long bad = row.failedTotal() + row.serverErrors();
            if (bad > 0) {
                long blocks = Math.max(1, Math.round(bad * (double) BAR_WIDTH / row.sent()));
                out.append(' ').append("█".repeat((int) blocks));
            }
            if (!row.headerValues().isEmpty()) {
                out.append("  ").append(values(row.headerValues()));
            }
            out.append('\n');
        }
    }

    private static boolean isClean(TimelineBucket second) {
        return second.ok() == second.sent();
    }

    /** "0.412 ms", "12.4 ms", "1530 ms": three significant digits or so, as the histogram keeps them. */
    private static String millis(double ms) {
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.3f ms", ms);
        }
        if (ms < 100) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        return String.format(Locale.ROOT, "%.0f ms", ms);
    }

    /** "20 s", "1.6 s": a length of time, which the timeline knows to a tenth of a second. */
    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /** "12.345 s": a moment of the run, to the millisecond. */
    private static String moment(long millis) {
        return String.format(Locale.ROOT, "%.3f s", millis / 1000.0);
    }
}
