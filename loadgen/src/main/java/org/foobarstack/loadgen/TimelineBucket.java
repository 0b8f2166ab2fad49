package org.foobarstack.loadgen;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What became of the requests whose intended start fell in one slice of the run. Requests are placed by when they
 * were <em>meant</em> to start, not by when they were answered, so that a slice shows what a user arriving at that
 * moment experienced: a server that stalls from 12.0 s to 13.0 s marks the slices 12.0 to 13.0 s, even though the
 * late answers all arrive after 13.0 s.
 *
 * <p>Once a run is over, every request is answered or failed: {@code sent == ok + clientErrors + serverErrors +
 * failedTotal()}.
 *
 * @param startMillis      where the slice begins, in milliseconds since the run's start
 * @param lengthMillis     the slice's length: 100 ms, or 1000 ms in {@link Timeline#perSecond()}
 * @param sent             requests scheduled in the slice
 * @param ok               answered 2xx or 3xx
 * @param clientErrors     answered 4xx
 * @param serverErrors     answered 5xx
 * @param failed           requests that got no response, by kind; kinds that did not happen may be absent
 * @param maxLatencyMillis the longest latency of the slice's answered requests, 0 when none was answered
 * @param headerValues     when the run counts a response header ({@link LoadConfig#countedHeader()}), the slice's
 *                         answered requests by the value of that header, e.g. {v1=12, v2=8}: those without it
 *                         under "-", values beyond the first {@link LoadConfig#MAX_HEADER_VALUES} under "other";
 *                         the counts add up to {@link #answered()}. Values that did not occur are absent, and the
 *                         map is empty when no header is counted
 */
public record TimelineBucket(long startMillis, long lengthMillis, long sent, long ok, long clientErrors,
                             long serverErrors, Map<FailureKind, Long> failed, double maxLatencyMillis,
                             Map<String, Long> headerValues) {

    public TimelineBucket {
        EnumMap<FailureKind, Long> copy = new EnumMap<>(FailureKind.class);
        copy.putAll(failed);
        failed = Collections.unmodifiableMap(copy);
        headerValues = HeaderCounter.ordered(headerValues == null ? Map.of() : headerValues);
    }

    /** A slice of a run that counts no response header. */
    public TimelineBucket(long startMillis, long lengthMillis, long sent, long ok, long clientErrors,
                          long serverErrors, Map<FailureKind, Long> failed, double maxLatencyMillis) {
        this(startMillis, lengthMillis, sent, ok, clientErrors, serverErrors, failed, maxLatencyMillis, Map.of());
    }

    /** The requests of this slice that failed with {@code kind}. */
    public long failed(FailureKind kind) {
        return failed.getOrDefault(kind, 0L);
    }

    public long failedTotal() {
        return failed.values().stream().mapToLong(Long::longValue).sum();
    }

    public long answered() {
        return ok + clientErrors + serverErrors;
    }

    /**
     * True when requests were scheduled in this slice and not one of them got a useful answer: each failed or was
     * answered 5xx. A 4xx does not count as down: the server is up and answering, if only to say no.
     */
    public boolean isDown() {
        return sent > 0 && failedTotal() + serverErrors == sent;
    }

    /** This slice and the one that follows it, as one longer slice. */
    public TimelineBucket plus(TimelineBucket next) {
        EnumMap<FailureKind, Long> sum = new EnumMap<>(FailureKind.class);
        sum.putAll(failed);
        next.failed.forEach((kind, n) -> sum.merge(kind, n, Long::sum));
        return new TimelineBucket(startMillis, lengthMillis + next.lengthMillis, sent + next.sent, ok + next.ok,
                clientErrors + next.clientErrors, serverErrors + next.serverErrors, sum,
                Math.max(maxLatencyMillis, next.maxLatencyMillis),
                HeaderCounter.sum(headerValues, next.headerValues));
    }
}
