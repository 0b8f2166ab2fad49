package org.foobarstack.loadgen;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a load run sent and what came back: the result of {@link RunningLoad#await()}. Read it as an account of
 * every request: {@code sent == answeredTotal() + failedTotal()}.
 *
 * <p>Latencies are measured from each request's <em>intended</em> start (see {@link LoadGenerator} for why), and
 * only over answered requests: a refused connection has no latency worth averaging with the others, it is counted
 * in {@link #failed()} instead.
 *
 * @param settings           what was asked of the run
 * @param sent               requests scheduled: rate × duration, less any dropped by {@link RunningLoad#cancel()}
 * @param answered           answered requests by exact status code, in code order
 * @param failed             requests that got no response, by kind, every kind present (0 when it did not happen)
 * @param protocolViolations for {@link FailureKind#PROTOCOL} failures, which rule the server's bytes broke, e.g.
 *                           "MALFORMED_STATUS_LINE" (see the http-codec's {@code HttpViolation}), with its count
 * @param failureExamples    the first error message seen for each kind that happened, e.g. "connection refused:
 *                           /127.0.0.1:8080", for a person to see what actually went wrong
 * @param latency            percentiles of the answered requests' latencies
 * @param achievedRps        answered requests per second of the run: equal to the rate when everything was
 *                           answered, lower by the share that failed
 * @param timeline           what became of the requests scheduled in each 100 ms of the run
 * @param firstFailureMillis the intended start of the first request that failed or was answered 5xx, in
 *                           milliseconds since the run's start; empty when none did
 * @param lastFailureMillis  the same for the last such request
 * @param outageMillis       the longest stretch during which every request failed or was answered 5xx
 *                           ({@link Timeline#outageMillis()})
 * @param runMillis          how long requests were scheduled for: the duration, or less when cancelled
 * @param cancelled          true when {@link RunningLoad#cancel()} ended the run early
 * @param headerValues       when the run counts a response header ({@link Settings#countedHeader()}), the answered
 *                           requests by the value of that header, e.g. {v1=612, v2=264, -=12}: "-" for the answers
 *                           without it, "other" for values beyond the first {@link LoadConfig#MAX_HEADER_VALUES};
 *                           the counts add up to {@link #answeredTotal()}. Empty when no header is counted; each
 *                           slice of the {@code timeline} has its own ({@link TimelineBucket#headerValues()})
 */
public record LoadReport(Settings settings, long sent, SortedMap<Integer, Long> answered,
                         Map<FailureKind, Long> failed, Map<String, Long> protocolViolations,
                         Map<FailureKind, String> failureExamples, Latency latency, double achievedRps,
                         Timeline timeline, OptionalLong firstFailureMillis, OptionalLong lastFailureMillis,
                         long outageMillis, long runMillis, boolean cancelled, Map<String, Long> headerValues) {

    /**
     * The run's configuration as the report shows it.
     *
     * @param url            the URL requested, e.g. "http://www.foobar.com:8080/"
     * @param address        the address connected to, e.g. "127.0.0.1:8080"
     * @param method         the request method
     * @param rate           requests per second
     * @param durationMillis how long requests were to be scheduled for
     * @param connections    the most connections open at once
     * @param timeoutMillis  the request timeout
     * @param countedHeader  the response header whose values were counted, as the configuration spelled it, or
     *                       null when none was
     */
    public record Settings(String url, String address, String method, int rate, long durationMillis,
                           int connections, long timeoutMillis, String countedHeader) {

        /** The settings of a run that counts no response header. */
        public Settings(String url, String address, String method, int rate, long durationMillis, int connections,
                        long timeoutMillis) {
            this(url, address, method, rate, durationMillis, connections, timeoutMillis, null);
        }

        public static Settings of(LoadConfig config) {
            String host = config.target().getAddress().getHostAddress();
            String address = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + config.target().getPort();
            return new Settings(config.url(), address, config.method(), config.rate(),
                    config.duration().toMillis(), config.connections(), config.timeout().toMillis(),
                    config.countedHeader());
        }
    }

    /**
     * Latency percentiles in milliseconds, of answered requests only, each measured from the request's intended
     * start to the last byte of its response. All 0 when nothing was answered ({@code count == 0}).
     *
     * @param count the number of latencies measured: the answered requests
     * @param p50   half the requests took at most this long
     * @param p90   90 % took at most this long
     * @param p99   99 %: one user in a hundred waited longer
     * @param p999  99.9 %
     * @param max   the longest
     */
    public record Latency(long count, double p50, double p90, double p99, double p999, double max) {
    }

    public LoadReport {
        answered = Collections.unmodifiableSortedMap(new TreeMap<>(answered));
        EnumMap<FailureKind, Long> allKinds = new EnumMap<>(FailureKind.class);
        for (FailureKind kind : FailureKind.values()) {
            allKinds.put(kind, failed.getOrDefault(kind, 0L));
        }
        failed = Collections.unmodifiableMap(allKinds);
        protocolViolations = Collections.unmodifiableMap(new LinkedHashMap<>(protocolViolations));
        EnumMap<FailureKind, String> examples = new EnumMap<>(FailureKind.class);
        examples.putAll(failureExamples);
        failureExamples = Collections.unmodifiableMap(examples);
        headerValues = HeaderCounter.ordered(headerValues == null ? Map.of() : headerValues);
    }

    /** The report of a run that counts no response header. */
    public LoadReport(Settings settings, long sent, SortedMap<Integer, Long> answered, Map<FailureKind, Long> failed,
                      Map<String, Long> protocolViolations, Map<FailureKind, String> failureExamples,
                      Latency latency, double achievedRps, Timeline timeline, OptionalLong firstFailureMillis,
                      OptionalLong lastFailureMillis, long outageMillis, long runMillis, boolean cancelled) {
        this(settings, sent, answered, failed, protocolViolations, failureExamples, latency, achievedRps, timeline,
                firstFailureMillis, lastFailureMillis, outageMillis, runMillis, cancelled, Map.of());
    }

    public long answeredTotal() {
        return answered.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Answered requests by class, "1xx" to "5xx", each class present. */
    public Map<String, Long> answeredByClass() {
        Map<String, Long> classes = new LinkedHashMap<>();
        for (int c = 1; c <= 5; c++) {
            classes.put(c + "xx", 0L);
        }
        answered.forEach((status, n) -> classes.merge(status / 100 + "xx", n, Long::sum));
        return classes;
    }

    /** Requests answered with a status in {@code [from, to]}, e.g. {@code answeredBetween(500, 599)}. */
    public long answeredBetween(int from, int to) {
        return answered.subMap(from, to + 1).values().stream().mapToLong(Long::longValue).sum();
    }

    public long failedTotal() {
        return failed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when some request failed or was answered 5xx: the run saw the server fail. */
    public boolean sawFailures() {
        return failedTotal() > 0 || answeredBetween(500, 599) > 0;
    }

    /** The report for a person: a summary, then one line per second. */
    public String toText() {
        return TextReport.render(this);
    }

    /** The report for a program, as JSON with snake_case keys (see the module's README for the format). */
    public String toJson() {
        return JsonReport.render(this);
    }
}
