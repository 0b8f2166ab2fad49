package org.foobarstack.monitoring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What tells one time series from another: the host that pushed it, the sample's name and its labels. Prometheus
 * identifies a series by its name and labels alone; here the host is part of the key because the server has no
 * target of its own to attach (it becomes the {@code host} label at {@code /metrics}).
 *
 * @param host   the pushing host ("web-server-1")
 * @param name   the sample's name: for a histogram, {@code ..._bucket}, {@code ..._sum} or {@code ..._count}
 * @param labels the sample's labels (order does not matter for equality)
 */
public record SeriesKey(String host, String name, Map<String, String> labels) {

    public SeriesKey {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    public String label(String labelName) {
        return labels.get(labelName);
    }
}
