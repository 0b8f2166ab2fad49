package org.foobarstack.monitoring.exposition;

import java.util.Locale;

/**
 * The five types a {@code # TYPE} line can name in the text format 0.0.4. A metric without a TYPE line is
 * {@link #UNTYPED}.
 */
public enum MetricType {
    /** Only goes up (or back to zero when its process restarts); read it through a rate. */
    COUNTER,
    /** Goes up and down; read it as it is. */
    GAUGE,
    /** Observations counted into buckets: {@code _bucket{le="..."}}, {@code _sum}, {@code _count}. */
    HISTOGRAM,
    /** Quantiles computed by the client: {@code {quantile="..."}}, {@code _sum}, {@code _count}. */
    SUMMARY,
    UNTYPED;

    /** The word in the TYPE line: "counter". */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type a TYPE line names, or null when the word is not one of the five (the format is case-sensitive). */
    public static MetricType fromKeyword(String keyword) {
        for (MetricType type : values()) {
            if (type.keyword().equals(keyword)) {
                return type;
            }
        }
        return null;
    }
}
