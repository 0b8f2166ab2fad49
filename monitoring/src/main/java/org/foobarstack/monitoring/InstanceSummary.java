package org.foobarstack.monitoring;

/**
 * One tier instance's headline numbers, as {@code /api/summary} shows them and the alert rules read them. A
 * number the pushed series cannot give (not a web instance, fewer than two points in the window, no requests) is
 * null, not zero: "no data" and "nothing happened" are different answers.
 *
 * @param host                 the host it runs on
 * @param instance             its {@code instance} label ("web-1", "db-2")
 * @param hostUp               whether its host pushes
 * @param requestsPerSecond    {@code sum(rate(foobar_http_requests_total[window]))}
 * @param errorRate            the share of those with a 5xx code, 0 to 1
 * @param p99LatencySeconds    {@code histogram_quantile(0.99, sum by (le) (rate(..._duration_seconds_bucket[window])))}
 * @param replicationLagSeconds the last {@code foobar_db_replication_lag_seconds} (a replica's)
 */
public record InstanceSummary(String host, String instance, boolean hostUp, Double requestsPerSecond,
                              Double errorRate, Double p99LatencySeconds, Double replicationLagSeconds) {
}
