package org.foobarstack.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Reports in the shape {@code foobar-stack demo spof --json} prints, for the tests: 12 s of load at 100 requests
 * a second (25 per 250 ms slice), a server killed at 3.0 s and started again at 8.0 s.
 *
 * <ul>
 *   <li>{@code simple}: server-1 runs every tier, so from the kill until it is up again (8.11 s) every request
 *       fails: 20 whole slices and 12 requests of the next, 512 of 1200.</li>
 *   <li>{@code distributed}: server-2 is killed behind the balancer, which notices 49 ms later; 3 requests in
 *       flight on it fail.</li>
 * </ul>
 */
final class SpofReportSample {

    static final long SLICE_MILLIS = 250;
    static final int SLICES = 48;
    static final int PER_SLICE = 25;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SpofReportSample() {
    }

    /** The simple design, then the distributed one: what the command sends when it runs both. */
    static String twoRuns() {
        return write(List.of(simple(), distributed()));
    }

    /** The distributed design alone ({@code demo spof --only distributed}). */
    static String distributedOnly() {
        return write(List.of(distributed()));
    }

    private static String write(List<ObjectNode> runs) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("runs");
        runs.forEach(array::add);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode simple() {
        ObjectNode run = run("simple", "server-1", List.of("dns-1", "web-1", "app-1", "db-1"), 8110, 512, 5100,
                false, null, true);
        ArrayNode slices = run.putArray("slices");
        for (int i = 0; i < SLICES; i++) {
            long start = i * SLICE_MILLIS;
            int failed = start >= 3000 && start < 8000 ? PER_SLICE : start == 8000 ? 12 : 0;
            slice(slices, start, failed);
        }
        events(run, "server-1 killed", "server-1 started again (asked at 8.0 s)", 8110);
        return run;
    }

    private static ObjectNode distributed() {
        ObjectNode run = run("distributed", "server-2", List.of("web-2", "app-2", "db-2"), 8090, 3, 0, true, 49L,
                false);
        ArrayNode slices = run.putArray("slices");
        for (int i = 0; i < SLICES; i++) {
            long start = i * SLICE_MILLIS;
            slice(slices, start, start == 3000 ? 3 : 0);
        }
        ArrayNode events = events(run, "server-2 killed", "server-2 started again (asked at 8.0 s)", 8090);
        events.insert(1, JSON.createObjectNode().put("at_ms", 3050).put("what", "lb-1 took web-2 out (DOWN)"));
        return run;
    }

    private static ObjectNode run(String topology, String killed, List<String> tiers, long upAgain, long failed,
                                  long outage, boolean balanced, Long noticedAfter, boolean holdsDatabase) {
        ObjectNode run = JSON.createObjectNode();
        run.put("topology", topology);
        run.put("killed", killed);
        ArrayNode killedTiers = run.putArray("killed_tiers");
        tiers.forEach(killedTiers::add);
        run.put("kill_at_ms", 3001);
        run.put("restart_at_ms", 8002);
        run.put("up_again_ms", upAgain);
        run.put("sent", SLICES * PER_SLICE);
        run.put("failed", failed);
        run.put("failed_before_kill", 0);
        run.put("outage_ms", outage);
        run.put("first_failure_ms", 3000);
        run.put("last_failure_ms", failed > 100 ? 8100 : 3010);
        run.put("balanced", balanced);
        if (noticedAfter == null) {
            run.putNull("noticed_after_ms");
        } else {
            run.put("noticed_after_ms", noticedAfter);
        }
        run.put("killed_host_holds_database", holdsDatabase);
        return run;
    }

    private static void slice(ArrayNode slices, long start, int failed) {
        slices.addObject().put("start_ms", start).put("sent", PER_SLICE).put("ok", PER_SLICE - failed)
                .put("failed", failed);
    }

    /** The events, then the load generator's report (shortened), which comes last in the command's output. */
    private static ArrayNode events(ObjectNode run, String kill, String start, long upAgain) {
        ArrayNode events = run.putArray("events");
        events.addObject().put("at_ms", 3001).put("what", kill);
        events.addObject().put("at_ms", upAgain).put("what", start);
        ObjectNode load = run.putObject("load");
        load.put("sent", run.get("sent").asLong());
        load.put("failed_total", run.get("failed").asLong());
        load.putObject("latency_ms").put("p50", 1.2).put("p99", 8.5).put("max", 41.0);
        return events;
    }
}
