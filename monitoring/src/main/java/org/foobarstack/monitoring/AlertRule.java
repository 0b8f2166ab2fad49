package org.foobarstack.monitoring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An alerting rule: a condition over the monitored numbers, checked at every evaluation, and how long it must hold
 * before the alert fires. In Prometheus the same three would be written as rules such as
 *
 * <pre>
 *   - alert: HighRequestRate
 *     expr: sum by (instance) (rate(foobar_http_requests_total[10s])) &gt; 1000
 *     for: 30s
 * </pre>
 *
 * where here each rule is a record whose {@link #breaches} method is the {@code expr}: given the
 * {@link MonitoringSnapshot}, it names every subject for which the condition is true now, with the reason in words.
 * The {@link AlertEvaluator} does the rest (pending, firing, resolved).
 */
public sealed interface AlertRule permits AlertRule.HostDown, AlertRule.HighRequestRate, AlertRule.ReplicationLag {

    /** The rule's name, which every alert it raises carries ("HostDown"). */
    String name();

    /** How long the condition must hold before the alert fires; Prometheus's {@code for}. Zero fires at once. */
    Duration forDuration();

    /** The condition in words, for /api/alerts. */
    String condition();

    /** Subject to reason, for every subject breaching the condition in {@code snapshot}. */
    Map<String, String> breaches(MonitoringSnapshot snapshot);

    /**
     * A host whose pushes stopped: silent for {@code silence} (three push intervals by default). The silence is
     * itself the waiting time, so there is no {@code for}. Prometheus would write {@code up == 0}, where {@code up}
     * is the outcome of its own scrape; a push-based server can only notice an absence, so the rule is about time.
     */
    record HostDown(Duration silence) implements AlertRule {

        public HostDown {
            Objects.requireNonNull(silence, "silence");
        }

        @Override
        public String name() {
            return "HostDown";
        }

        @Override
        public Duration forDuration() {
            return Duration.ZERO;
        }

        @Override
        public String condition() {
            return "no push for " + seconds(silence);
        }

        @Override
        public Map<String, String> breaches(MonitoringSnapshot snapshot) {
            Map<String, String> result = new LinkedHashMap<>();
            for (HostStatus host : snapshot.hosts()) {
                if (host.silence().compareTo(silence) >= 0) {
                    result.put(host.host(), host.lastPush() == null
                            ? "never pushed, expected for " + seconds(host.silence())
                            : "no push for " + seconds(host.silence()));
                }
            }
            return result;
        }
    }

    /** A web instance answering more than {@code requestsPerSecond}, for {@code forDuration}. */
    record HighRequestRate(double requestsPerSecond, Duration forDuration) implements AlertRule {

        public HighRequestRate {
            Objects.requireNonNull(forDuration, "forDuration");
        }

        @Override
        public String name() {
            return "HighRequestRate";
        }

        @Override
        public String condition() {
            return "requests per second above " + number(requestsPerSecond) + " for " + seconds(forDuration);
        }

        @Override
        public Map<String, String> breaches(MonitoringSnapshot snapshot) {
            Map<String, String> result = new LinkedHashMap<>();
            for (InstanceSummary instance : snapshot.instances()) {
                Double rate = instance.requestsPerSecond();
                if (rate != null && rate > requestsPerSecond) {
                    result.put(instance.instance(), number(rate) + " requests/s on " + instance.host()
                            + ", above " + number(requestsPerSecond));
                }
            }
            return result;
        }
    }

    /** A replica more than {@code seconds} behind its primary, for {@code forDuration}. */
    record ReplicationLag(double seconds, Duration forDuration) implements AlertRule {

        public ReplicationLag {
            Objects.requireNonNull(forDuration, "forDuration");
        }

        @Override
        public String name() {
            return "ReplicationLag";
        }

        @Override
        public String condition() {
            return "replication lag above " + number(seconds) + " s for " + AlertRule.seconds(forDuration);
        }

        @Override
        public Map<String, String> breaches(MonitoringSnapshot snapshot) {
            Map<String, String> result = new LinkedHashMap<>();
            for (InstanceSummary instance : snapshot.instances()) {
                Double lag = instance.replicationLagSeconds();
                if (lag != null && lag > seconds) {
                    result.put(instance.instance(), "lag " + number(lag) + " s on " + instance.host()
                            + ", above " + number(seconds) + " s");
                }
            }
            return result;
        }
    }

    /** "3.2 s". */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }

    /** "120", "0.05", "1234.568": three decimals at most, trailing zeros dropped. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        return java.math.BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
