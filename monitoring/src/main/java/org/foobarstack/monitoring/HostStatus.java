package org.foobarstack.monitoring;

import java.time.Duration;
import java.time.Instant;

/**
 * One host as {@code /api/hosts} shows it.
 *
 * @param host     its name
 * @param address  where its pushes come from; null if it never pushed
 * @param lastPush when its last push arrived; null if it never pushed (an expected host)
 * @param silence  how long since that push (since the server started, for a host that never pushed)
 * @param up       pushed within the last {@link MonitoringConfig#hostDownAfter()} (3 intervals by default)
 * @param pushes   pushes received
 * @param samples  samples in its last push
 */
public record HostStatus(String host, String address, Instant lastPush, Duration silence, boolean up, long pushes,
                         int samples) {
}
