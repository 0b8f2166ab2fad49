package org.foobarstack.monitoring.exposition;

import java.util.List;
import java.util.Objects;

/**
 * One metric of the exposition: its {@code # HELP} and {@code # TYPE} lines and the samples that follow them.
 * The text format asks that a metric's lines form one group; a histogram's family holds its {@code _bucket},
 * {@code _sum} and {@code _count} samples together.
 *
 * @param name    the name in the HELP and TYPE lines ({@code foobar_http_request_duration_seconds})
 * @param type    from the TYPE line; {@link MetricType#UNTYPED} when there was none
 * @param help    the HELP text, unescaped; null when there was no HELP line
 * @param samples in the order they were written
 */
public record MetricFamily(String name, MetricType type, String help, List<Sample> samples) {

    public MetricFamily {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        samples = List.copyOf(samples);
    }

    /** A copy with other samples (same name, type and help). */
    public MetricFamily withSamples(List<Sample> newSamples) {
        return new MetricFamily(name, type, help, newSamples);
    }
}
