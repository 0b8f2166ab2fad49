package org.foobarstack.monitoring.exposition;

import java.util.List;
import java.util.Map;

/**
 * Writes metric families as text exposition 0.0.4, the inverse of {@link ExpositionParser}: what {@code promtool
 * check metrics} reads and a Prometheus server scrapes. Each family is one group: its HELP line (when it has
 * help), its TYPE line, then its samples.
 */
public final class ExpositionWriter {

    private ExpositionWriter() {
    }

    public static String write(List<MetricFamily> families) {
        StringBuilder out = new StringBuilder();
        for (MetricFamily family : families) {
            write(family, out);
        }
        return out.toString();
    }

    public static void write(MetricFamily family, StringBuilder out) {
        if (family.help() != null) {
            out.append("# HELP ").append(family.name()).append(' ').append(escapeHelp(family.help())).append('\n');
        }
        out.append("# TYPE ").append(family.name()).append(' ').append(family.type().keyword()).append('\n');
        for (Sample sample : family.samples()) {
            out.append(sample.name());
            if (!sample.labels().isEmpty()) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, String> label : sample.labels().entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    out.append(label.getKey()).append("=\"").append(escapeLabelValue(label.getValue())).append('"');
                }
                out.append('}');
            }
            out.append(' ').append(formatValue(sample.value()));
            if (sample.timestampMillis() != null) {
                out.append(' ').append(sample.timestampMillis());
            }
            out.append('\n');
        }
    }

    /** HELP text escapes the backslash and the line break. */
    public static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** A label value also escapes the double quote that would end it. */
    public static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /**
     * "1027" for a whole number (counters mostly are), "0.0235" otherwise, and the format's own words for the three
     * values that are not numbers.
     */
    public static String formatValue(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
