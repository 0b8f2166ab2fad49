package org.foobarstack.monitoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.foobarstack.monitoring.exposition.ExpositionWriter;
import org.foobarstack.monitoring.exposition.MetricFamily;
import org.foobarstack.monitoring.exposition.MetricType;
import org.foobarstack.monitoring.exposition.Sample;

/**
 * The page {@code GET /metrics} serves: every host's last push in one exposition, each sample with a {@code host}
 * label added, followed by the server's own view of the hosts and alerts. This is how a push-based system hands its
 * data to a pull-based one: Prometheus's Pushgateway does the same (it keeps the last push of each group and serves
 * them all for Prometheus to scrape), and so does a Prometheus server's own {@code /federate}.
 *
 * <p>The text format asks that one metric's lines form one group with one TYPE line, so the same metric from
 * several hosts is merged into one family. A host whose metric has another type than the first host's is left out
 * of that family (no single TYPE line could describe both). Samples are written without timestamps: the scraper
 * stamps them, and a host that stopped pushing shows up as {@code foobar_monitoring_host_up 0} rather than as old
 * values with old times.
 *
 * <p>The server's own metrics:
 * <pre>
 *   foobar_monitoring_host_up{host}                       1 while the host pushes, 0 once it is silent
 *   foobar_monitoring_last_push_timestamp_seconds{host}   the Pushgateway's push_time_seconds
 *   foobar_monitoring_pushes_total{host}                  pushes received
 *   foobar_monitoring_alerts{alertname,alertstate,subject} 1 per pending or firing alert, like Prometheus's ALERTS
 * </pre>
 */
final class MergedExposition {

    static final String HOST_LABEL = "host";
    static final String HOST_UP = "foobar_monitoring_host_up";
    static final String LAST_PUSH = "foobar_monitoring_last_push_timestamp_seconds";
    static final String PUSHES = "foobar_monitoring_pushes_total";
    static final String ALERTS = "foobar_monitoring_alerts";

    private MergedExposition() {
    }

    static String write(List<HostRecord> records, List<HostStatus> statuses, List<Alert> alerts) {
        Map<String, FamilyBuilder> families = new TreeMap<>();
        List<HostRecord> byHost = new ArrayList<>(records);
        byHost.sort(Comparator.comparing(HostRecord::host));
        for (HostRecord record : byHost) {
            for (MetricFamily family : record.latest()) {
                if (family.name().startsWith("foobar_monitoring_")) {
                    continue; // the server's own names: a host cannot push them
                }
                FamilyBuilder merged = families.computeIfAbsent(family.name(),
                        n -> new FamilyBuilder(n, family.type(), family.help()));
                if (merged.type != family.type()) {
                    continue;
                }
                if (merged.help == null) {
                    merged.help = family.help();
                }
                for (Sample sample : family.samples()) {
                    merged.samples.add(sample.withFirstLabel(HOST_LABEL, record.host()).withoutTimestamp());
                }
            }
        }
        List<MetricFamily> out = new ArrayList<>();
        families.values().forEach(b -> out.add(new MetricFamily(b.name, b.type, b.help, b.samples)));
        // the server's own families; one with no samples (no alert active) is left out
        ownFamilies(statuses, alerts).stream().filter(f -> !f.samples().isEmpty()).forEach(out::add);
        return ExpositionWriter.write(out);
    }

    private static List<MetricFamily> ownFamilies(List<HostStatus> statuses, List<Alert> alerts) {
        List<Sample> up = new ArrayList<>();
        List<Sample> lastPush = new ArrayList<>();
        List<Sample> pushes = new ArrayList<>();
        for (HostStatus status : statuses) {
            Map<String, String> host = Map.of(HOST_LABEL, status.host());
            up.add(new Sample(HOST_UP, host, status.up() ? 1 : 0));
            pushes.add(new Sample(PUSHES, host, status.pushes()));
            if (status.lastPush() != null) {
                lastPush.add(new Sample(LAST_PUSH, host, status.lastPush().toEpochMilli() / 1000.0));
            }
        }
        List<Sample> active = new ArrayList<>();
        for (Alert alert : alerts) {
            if (alert.state() == AlertState.PENDING || alert.state() == AlertState.FIRING) {
                Map<String, String> labels = new LinkedHashMap<>();
                labels.put("alertname", alert.rule());
                labels.put("alertstate", alert.state().word());
                labels.put("subject", alert.subject());
                active.add(new Sample(ALERTS, labels, 1));
            }
        }
        return List.of(
                new MetricFamily(HOST_UP, MetricType.GAUGE, "1 if the host pushed within the last "
                        + "missed-pushes-for-down intervals, else 0", up),
                new MetricFamily(LAST_PUSH, MetricType.GAUGE, "When the host's last push arrived, seconds since "
                        + "the epoch", lastPush),
                new MetricFamily(PUSHES, MetricType.COUNTER, "Pushes received from the host", pushes),
                new MetricFamily(ALERTS, MetricType.GAUGE, "1 for every pending or firing alert", active));
    }

    private static final class FamilyBuilder {
        final String name;
        final MetricType type;
        String help;
        final List<Sample> samples = new ArrayList<>();

        FamilyBuilder(String name, MetricType type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }
    }
}
