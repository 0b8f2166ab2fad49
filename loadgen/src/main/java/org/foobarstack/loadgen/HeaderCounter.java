package org.foobarstack.loadgen;

import org.foobarstack.httpcodec.parser.HttpFields;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of the response header a run counts ({@link LoadConfig#countedHeader()}), in each 100 ms slice of
 * the timeline: which application version, or which server, answered the requests scheduled in that slice. Like
 * the rest of {@link Tally}, it is written and read on the run's event loop thread only.
 *
 * <p>Each value counted has an array of counts, one per slice, made when the value is first seen. There are at
 * most {@link LoadConfig#MAX_HEADER_VALUES} of them, plus "-" and "other", so the memory is bounded whatever the
 * server sends: a value beyond the first 32 joins "other" rather than getting an array of its own.
 */
final class HeaderCounter {

    /**
     * The order in which values are listed in a report: the server's values in alphabetical order ("v1" before
     * "v2", "web1" before "web2"), then "other", then "-", the answers without the header.
     */
    private static final Comparator<String> ORDER = Comparator
            .comparingInt((String value) -> value.equals(LoadConfig.NO_HEADER_VALUE) ? 2
                    : value.equals(LoadConfig.OTHER_HEADER_VALUES) ? 1 : 0)
            .thenComparing(Comparator.naturalOrder());

    private final int bucketCount;
    private final Map<String, long[]> countsByValue = new HashMap<>();
    /** The server's values counted under their own name so far, up to {@link LoadConfig#MAX_HEADER_VALUES}. */
    private int distinct;

    HeaderCounter(int bucketCount) {
        this.bucketCount = bucketCount;
    }

    /**
     * The value of the field {@code lowerName} in {@code fields}, or null when the response does not carry it. A
     * field sent on several lines gives their values joined by ", ", which is how RFC 9110 §5.3 says to combine
     * them. The parser lower-cases field names, so one name compared with {@code equals} matches every spelling.
     */
    static String valueIn(HttpFields fields, String lowerName) {
        List<HttpFields.Field> list = fields.asList();
        String value = null;
        StringBuilder combined = null;
        // an indexed loop and no list of values: this runs for every response of the run
        for (int i = 0; i < list.size(); i++) {
            HttpFields.Field field = list.get(i);
            if (!field.name().equals(lowerName)) {
                continue;
            }
            if (value == null) {
                value = field.value();
            } else {
                if (combined == null) {
                    combined = new StringBuilder(value);
                }
                combined.append(", ").append(field.value());
            }
        }
        return combined == null ? value : combined.toString();
    }

    /** One answer to a request scheduled in slice {@code bucket}, carrying {@code value} (null: no such header). */
    void count(int bucket, String value) {
        countsByValue.computeIfAbsent(keyFor(value), key -> new long[bucketCount])[bucket]++;
    }

    private String keyFor(String value) {
        if (value == null) {
            return LoadConfig.NO_HEADER_VALUE;
        }
        if (countsByValue.containsKey(value)) {
            return value;
        }
        if (distinct >= LoadConfig.MAX_HEADER_VALUES) {
            return LoadConfig.OTHER_HEADER_VALUES;
        }
        distinct++;
        return value;
    }

    /** The counts of slice {@code bucket}, values that did not occur in it left out. */
    Map<String, Long> bucket(int bucket) {
        Map<String, Long> counts = new HashMap<>();
        countsByValue.forEach((value, perBucket) -> {
            if (perBucket[bucket] > 0) {
                counts.put(value, perBucket[bucket]);
            }
        });
        return ordered(counts);
    }

    /** The counts over the whole run. */
    Map<String, Long> totals() {
        Map<String, Long> counts = new HashMap<>();
        countsByValue.forEach((value, perBucket) -> {
            long sum = 0;
            for (long n : perBucket) {
                sum += n;
            }
            counts.put(value, sum);
        });
        return ordered(counts);
    }

    /**
     * {@code counts} as a report holds them: unmodifiable, in the order of {@link #ORDER}, so that a report lists
     * them the same way however they were added up.
     */
    static Map<String, Long> ordered(Map<String, Long> counts) {
        List<String> values = new ArrayList<>(counts.keySet());
        values.sort(ORDER);
        Map<String, Long> inOrder = new LinkedHashMap<>();
        for (String value : values) {
            inOrder.put(value, counts.get(value));
        }
        return Collections.unmodifiableMap(inOrder);
    }

    /** The counts of two slices, as one. */
    static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> sum = new HashMap<>(a);
        b.forEach((value, n) -> sum.merge(value, n, Long::sum));
        return ordered(sum);
    }
}
