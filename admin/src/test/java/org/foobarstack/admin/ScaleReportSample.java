package org.foobarstack.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A report in the shape {@code foobar-stack demo scale --json} prints, for the tests: each app server serves at
 * most 50 requests/s (2 workers, 40 ms a request, a queue of 8), emulated; 5 s per step.
 *
 * <pre>
 *   servers  offered/s  served/s  p99 ms  errors
 *   1         25         25.0      49.3       0
 *   1         50         49.8      80.1       0
 *   1        100         50.2     210.7     249    past its capacity: served flattens, the rest refused
 *   2        100         99.6      62.0       0    a second server serves what the first refused
 *   4        200        196.4      70.3       0
 * </pre>
 */
final class ScaleReportSample {

    /** How many steps the report holds. */
    static final int STEPS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScaleReportSample() {
    }

    static String fiveSteps() {
        ObjectNode root = JSON.createObjectNode();
        root.put("demo", "scale");
        ObjectNode capacity = root.putObject("capacity_per_server");
        capacity.put("workers", 2);
        capacity.put("service_time_ms", 40);
        capacity.put("queue", 8);
        capacity.put("max_rps", 50.0);
        capacity.put("emulated", true);
        ArrayNode steps = root.putArray("steps");
        step(steps, 1, 25, 25.0, 49.3, 0);
        step(steps, 1, 50, 49.8, 80.1, 0);
        step(steps, 1, 100, 50.2, 210.7, 249);
        step(steps, 2, 100, 99.6, 62.0, 0);
        step(steps, 4, 200, 196.4, 70.3, 0);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void step(ArrayNode steps, int servers, int offered, double served, double p99, int errors) {
        steps.addObject().put("servers", servers).put("offered_rps", offered).put("served_rps", served)
                .put("p99_ms", p99).put("errors", errors).put("sent", offered * 5);
    }
}
