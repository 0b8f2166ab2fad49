package org.foobarstack.monitoring;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import org.foobarstack.monitoring.exposition.MetricFamily;

/**
 * What the server knows of one host from its last push.
 *
 * @param host      the name in the push's {@code X-Monitoring-Host} header
 * @param address   the address the push came from (the host's own, as its client binds it)
 * @param lastPush  when the last push arrived, on the server's clock
 * @param pushes    how many pushes arrived since the server started
 * @param latest    the last push's metric families, as they were sent: {@code /metrics} serves these
 */
public record HostRecord(String host, InetAddress address, Instant lastPush, long pushes, List<MetricFamily> latest) {

    public HostRecord {
        latest = List.copyOf(latest);
    }

    /** How many samples the last push carried. */
    public int sampleCount() {
        return latest.stream().mapToInt(f -> f.samples().size()).sum();
    }
}
