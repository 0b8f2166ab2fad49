package org.foobarstack.monitoring.exposition;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of the exposition: {@code foobar_http_requests_total{instance="web-1",code="200"} 1027 1700000000000}.
 *
 * @param name            the sample's name, which for a histogram is the family's name plus {@code _bucket},
 *                        {@code _sum} or {@code _count}
 * @param labels          label names to values, in the order they were written (two samples with the same labels in
 *                        another order are equal: the order carries no meaning)
 * @param value           the value; NaN, +Inf and -Inf are allowed by the format
 * @param timestampMillis the optional timestamp, milliseconds since the epoch; null when the line has none (the
 *                        usual case: the scraper, or here the monitoring server, stamps the sample when it arrives)
 */
public record Sample(String name, Map<String, String> labels, double value, Long timestampMillis) {

    public Sample {
        Objects.requireNonNull(name, "name");
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** A sample without timestamp. */
    public Sample(String name, Map<String, String> labels, double value) {
        this(name, labels, value, null);
    }

    /** The value of one label, or null. */
    public String label(String labelName) {
        return labels.get(labelName);
    }

    /**
     * A copy with {@code labelName} written first. When the sample already has a label of that name, its value is
     * kept as {@code exported_<labelName>}: what Prometheus does when a scraped sample carries a label the scrape
     * itself attaches ({@code honor_labels: false}).
     */
    public Sample withFirstLabel(String labelName, String labelValue) {
        Map<String, String> copy = new LinkedHashMap<>();
        copy.put(labelName, labelValue);
        labels.forEach((n, v) -> copy.put(n.equals(labelName) ? "exported_" + n : n, v));
        return new Sample(name, copy, value, timestampMillis);
    }

    /** A copy without its timestamp. */
    public Sample withoutTimestamp() {
        return timestampMillis == null ? this : new Sample(name, labels, value, null);
    }
}
