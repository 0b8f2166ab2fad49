package org.foobarstack.monitoring;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.foobarstack.monitoring.exposition.MetricFamily;
import org.foobarstack.monitoring.exposition.Sample;

/**
 * Every host's series for the last {@code retention}, one {@link RingBuffer} per (host, sample name, labels), and
 * each host's last push as it was sent.
 *
 * <p>Each point is stamped with the moment its push arrived, on the server's clock, even when the sample carried
 * a timestamp of its own: one host with a wrong clock then cannot scatter its points across the timeline, and
 * every series of one push shares one instant, which keeps rates and ratios between them exact.
 *
 * <p>One lock guards everything: pushes arrive on the server's worker threads, the alert evaluator and the HTTP
 * routes read, and each operation is short.
 */
public final class SeriesStore {

    private final Duration retention;
    private final int ringCapacity;
    private final Map<String, HostData> hosts = new LinkedHashMap<>();

    private static final class HostData {
        HostRecord record;
        final Map<SeriesKey, RingBuffer> rings = new HashMap<>();
    }

    /**
     * @param pushInterval sizes the rings: a retention's worth of pushes, twice over, so that a client catching up
     *                     after a stall (fixed-rate schedules run missed pushes back to back) does not push the
     *                     oldest points out early; points older than the retention are never read anyway
     */
    public SeriesStore(Duration retention, Duration pushInterval) {
        this.retention = retention;
        long perRetention = (retention.toNanos() + pushInterval.toNanos() - 1) / pushInterval.toNanos();
        this.ringCapacity = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(2, perRetention * 2));
    }

    /** Stores one push: a point per sample, and the push itself as the host's latest. */
    public synchronized void record(String host, InetAddress from, Instant at, List<MetricFamily> families) {
        HostData data = hosts.computeIfAbsent(host, h -> new HostData());
        long pushes = data.record == null ? 1 : data.record.pushes() + 1;
        data.record = new HostRecord(host, from, at, pushes, families);
        for (MetricFamily family : families) {
            for (Sample sample : family.samples()) {
                SeriesKey key = new SeriesKey(host, sample.name(), sample.labels());
                data.rings.computeIfAbsent(key, k -> new RingBuffer(ringCapacity)).add(new Point(at, sample.value()));
            }
        }
        // a series the host stopped sending (a label value gone) is dropped once its last point is past retention
        Instant oldest = at.minus(retention);
        data.rings.values().removeIf(ring -> !ring.latest().at().isAfter(oldest));
    }

    /** Drops everything {@code host} pushed: it was taken out of the design. */
    public synchronized void forget(String host) {
        hosts.remove(host);
    }

    /** Every host that has pushed, in the order they first did. */
    public synchronized List<HostRecord> hosts() {
        List<HostRecord> result = new ArrayList<>();
        hosts.values().forEach(d -> result.add(d.record));
        return result;
    }

    public synchronized Optional<HostRecord> host(String host) {
        HostData data = hosts.get(host);
        return data == null ? Optional.empty() : Optional.of(data.record);
    }

    /**
     * The series whose key {@code matches}, with their points in {@code (now - range, now]}, sorted by host, name
     * and labels. Series without a point in the range are left out.
     */
    public synchronized List<Series> select(Predicate<SeriesKey> matches, Instant now, Duration range) {
        Instant after = now.minus(range);
        List<Series> result = new ArrayList<>();
        for (HostData data : hosts.values()) {
            data.rings.forEach((key, ring) -> {
                if (matches.test(key)) {
                    List<Point> points = ring.since(after);
                    points.removeIf(p -> p.at().isAfter(now));
                    if (!points.isEmpty()) {
                        result.add(new Series(key, points));
                    }
                }
            });
        }
        result.sort(Comparator.comparing((Series s) -> s.key().host()).thenComparing(s -> s.key().name())
                .thenComparing(s -> s.key().labels().toString()));
        return result;
    }

    /** The series of one sample name, over the whole retention. */
    public List<Series> select(String sampleName, Instant now) {
        return select(key -> key.name().equals(sampleName), now, retention);
    }

    public Duration retention() {
        return retention;
    }
}
