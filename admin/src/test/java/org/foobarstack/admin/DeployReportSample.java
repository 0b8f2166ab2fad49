package org.foobarstack.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A report in the shape {@code foobar-stack demo deploy --json} prints, for the tests: 16 s of load at 100
 * requests a second, version v2 deployed at 3.0 s.
 *
 * <ul>
 *   <li>{@code simple}, all at once: the one server restarts in 53 ms; in second 3, 1 request is answered by v1,
 *       94 by v2, and the 5 in flight during the restart fail.</li>
 *   <li>{@code distributed}, rolling: server-1 then server-2 drained, restarted and put back, from 3.0 s to
 *       5.4 s; v1 and v2 both answer in seconds 3 to 5, nothing fails.</li>
 * </ul>
 */
final class DeployReportSample {

    static final int SECONDS = 16;
    static final int PER_SECOND = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeployReportSample() {
    }

    /** The two runs the command makes, simple then distributed. */
    static String twoRuns() {
        ObjectNode root = JSON.createObjectNode();
        root.put("demo", "deploy");
        ArrayNode runs = root.putArray("runs");
        runs.add(simple());
        runs.add(distributed());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode simple() {
        ObjectNode run = run("simple", "all-at-once", 5, 3053);
        ArrayNode steps = run.putArray("steps");
        step(steps, 3001, "", "stopping every web and app server at once: nothing answers until they are back");
        step(steps, 3004, "server-1", "stopped gracefully: web-1, app-1");
        step(steps, 3052, "server-1", "started with v2 in 48 ms");
        ArrayNode timeline = run.putArray("timeline");
        for (int second = 0; second < SECONDS; second++) {
            if (second < 3) {
                second(timeline, second, PER_SECOND, 0, 0);
            } else if (second == 3) {
                second(timeline, second, 1, 94, 5);
            } else {
                second(timeline, second, 0, PER_SECOND, 0);
            }
        }
        return run;
    }

    private static ObjectNode distributed() {
        ObjectNode run = run("distributed", "rolling", 0, 5400);
        ArrayNode steps = run.putArray("steps");
        int at = 3001;
        for (String host : new String[] {"server-1", "server-2"}) {
            step(steps, at, host, "drain at lb-1: no new requests, those in progress finish");
            step(steps, at + 12, host, "no request in progress (waited 11 ms)");
            step(steps, at + 30, host, "stopped gracefully: web-" + host.charAt(7) + ", app-" + host.charAt(7));
            step(steps, at + 80, host, "started with v2 in 50 ms");
            step(steps, at + 1080, host, "health check passed at lb-1 after 1000 ms: UP");
            step(steps, at + 1100, host, "ready at lb-1: takes requests again");
            at += 1200;
        }
        ArrayNode timeline = run.putArray("timeline");
        int[][] mixed = {{80, 20}, {45, 55}, {10, 90}};
        for (int second = 0; second < SECONDS; second++) {
            if (second < 3) {
                second(timeline, second, PER_SECOND, 0, 0);
            } else if (second < 6) {
                second(timeline, second, mixed[second - 3][0], mixed[second - 3][1], 0);
            } else {
                second(timeline, second, 0, PER_SECOND, 0);
            }
        }
        return run;
    }

    private static ObjectNode run(String topology, String strategy, int failed, long ended) {
        ObjectNode run = JSON.createObjectNode();
        run.put("topology", topology);
        run.put("strategy", strategy);
        run.put("sent", SECONDS * PER_SECOND);
        run.put("failed", failed);
        run.put("downtime_ms", 0);
        run.put("deploy_started_ms", 3000);
        run.put("deploy_ended_ms", ended);
        return run;
    }

    private static void step(ArrayNode steps, long at, String host, String text) {
        steps.addObject().put("at_ms", at).put("host", host).put("text", text);
    }

    /** One second of the timeline: how many answers each version gave, and how many requests failed. */
    private static void second(ArrayNode timeline, int second, int v1, int v2, int failed) {
        ObjectNode node = timeline.addObject();
        node.put("second", second);
        ObjectNode versions = node.putObject("versions");
        if (v1 > 0) {
            versions.put("v1", v1);
        }
        if (v2 > 0) {
            versions.put("v2", v2);
        }
        node.put("failed", failed);
    }
}
