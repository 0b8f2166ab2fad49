package org.foobarstack.launcher.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.foobarstack.admin.Operation;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.StackConfig;
import org.foobarstack.loadgen.LoadConfig;
import org.foobarstack.loadgen.LoadGenerator;
import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.loadgen.RunningLoad;
import org.foobarstack.loadgen.TimelineBucket;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;

/**
 * {@code demo deploy}: the seeds' "downtime when new code is deployed", measured. Under a constant load, version v2
 * is deployed twice: all at once on {@code simple} (the one server restarts: nothing answers meanwhile), then
 * rolling on {@code distributed} (one server at a time behind the balancer). For each: requests sent and failed,
 * how long nothing answered, and which version answered each second.
 *
 * <p>Steps: 1. start the design on its own block of loopback addresses; 2. warm up; 3. start the load, counting the
 * {@code X-App-Version} header of each answer; 4. at second {@code deployAt}, deploy v2 with the strategy, in the
 * stack, and wait for it to end; 5. let the load run out; 6. stop the design.
 */
public final class DeployDemo {

    /** One design's run. */
    public record Run(String topology, String strategy, LoadReport report, long deployStartMillis,
                      long deployEndMillis, List<Operation.Step> steps, long operationStartMillis) {

        long failed() {
            return report.failedTotal() + report.answeredBetween(500, 599);
        }
    }

    private final int rate;
    private final Duration duration;
    private final Duration deployAt;
    private final Consumer<String> progress;

    public DeployDemo(int rate, Duration duration, Duration deployAt, Consumer<String> progress) {
        this.rate = rate;
        this.duration = duration;
        this.deployAt = deployAt;
        this.progress = progress;
    }

    public Run run(String design, String strategy, int thirdOctet) throws InterruptedException {
        Topology topology = ShippedTopologies.load(design).relocated(thirdOctet);
        Path data = SpofDemo.temporaryDirectory();
        try (Stack stack = new Stack(StackConfig.builder().topology(topology).bindAddress(SpofDemo.loopback())
                .adminPort(0).dataDir(data).build())) {
            progress.accept("starting " + design + " on 127.0." + thirdOctet + ".x ...");
            stack.start(line -> { });
            new LoadGenerator().start(LoadConfig.builder(stack.front()).hostHeader("www.foobar.com")
                    .path("/api/messages").rate(Math.max(50, rate)).duration(Duration.ofSeconds(2)).build()).await();
            RunningLoad load = new LoadGenerator().start(LoadConfig.builder(stack.front())
                    .hostHeader("www.foobar.com").path("/api/messages").rate(rate).duration(duration)
                    .connections(16).countHeader("X-App-Version").build());
            progress.accept("  " + rate + " requests/s for " + duration.toSeconds() + " s; deploy v2 " + strategy
                    + " at " + deployAt.toSeconds() + " s");
            SpofDemo.waitUntil(load, deployAt);
            long began = load.elapsedMillis();
            long beganWall = System.currentTimeMillis();
            Operation op = stack.deploy("v2", strategy);
            if (!stack.operations().await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the deploy did not end within 120 s");
            }
            long ended = load.elapsedMillis();
            Operation.Snapshot done = op.snapshot();
            for (Operation.Step step : done.steps()) {
                progress.accept(String.format("  %5.1f s  %-9s %s", (step.atMillis() - beganWall + began) / 1000.0,
                        step.host(), step.text()));
            }
            progress.accept("  " + done.state().name().toLowerCase() + ": " + done.result());
            LoadReport report = load.await();
            return new Run(design, strategy, report, began, ended, done.steps(), beganWall);
        }
    }

    /** The runs side by side, then each one's timeline: a line per second, which version answered, what failed. */
    public static String text(List<Run> runs) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%n%-12s %-12s %8s %8s %10s %14s%n", "design", "strategy", "sent", "failed",
                "downtime", "deploy took"));
        for (Run run : runs) {
            b.append(String.format("%-12s %-12s %8d %8d %8.1f s %12.1f s%n", run.topology(), run.strategy(),
                    run.report().sent(), run.failed(), run.report().outageMillis() / 1000.0,
                    (run.deployEndMillis() - run.deployStartMillis()) / 1000.0));
        }
        for (Run run : runs) {
            b.append(String.format("%n%s, %s: which version answered each second (- = failed)%n", run.topology(),
                    run.strategy()));
            int second = 0;
            for (TimelineBucket bucket : run.report().timeline().perSecond()) {
                Map<String, Long> v = bucket.headerValues();
                long failed = bucket.failedTotal() + bucket.serverErrors();
                b.append(String.format("  %3d s  v1 %4d  v2 %4d  failed %4d  %s%n", second,
                        v.getOrDefault("v1", 0L), v.getOrDefault("v2", 0L), failed,
                        bar(v.getOrDefault("v1", 0L), v.getOrDefault("v2", 0L), failed)));
                second++;
            }
        }
        b.append(String.format("%nEvery host shares this machine's cores; the restart times are this machine's.%n"));
        return b.toString();
    }

    private static String bar(long v1, long v2, long failed) {
        long total = Math.max(1, v1 + v2 + failed);
        int width = 40;
        return "1".repeat((int) (v1 * width / total)) + "2".repeat((int) (v2 * width / total))
                + "-".repeat((int) (failed * width / total));
    }

    /** {@code {"runs":[{"topology":..,"strategy":..,"sent":N,"failed":N,"downtime_ms":..,"timeline":[..]}]}}. */
    public static String json(List<Run> runs) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("demo", "deploy");
        ArrayNode array = root.putArray("runs");
        for (Run run : runs) {
            ObjectNode r = array.addObject();
            r.put("topology", run.topology());
            r.put("strategy", run.strategy());
            r.put("sent", run.report().sent());
            r.put("failed", run.failed());
            r.put("downtime_ms", run.report().outageMillis());
            r.put("deploy_started_ms", run.deployStartMillis());
            r.put("deploy_ended_ms", run.deployEndMillis());
            ArrayNode steps = r.putArray("steps");
            for (Operation.Step step : run.steps()) {
                ObjectNode s = steps.addObject();
                s.put("at_ms", step.atMillis() - run.operationStartMillis() + run.deployStartMillis());
                s.put("host", step.host());
                s.put("text", step.text());
            }
            ArrayNode timeline = r.putArray("timeline");
            int second = 0;
            for (TimelineBucket bucket : run.report().timeline().perSecond()) {
                ObjectNode t = timeline.addObject();
                t.put("second", second++);
                ObjectNode versions = t.putObject("versions");
                bucket.headerValues().forEach(versions::put);
                t.put("failed", bucket.failedTotal() + bucket.serverErrors());
            }
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Run> list(Run... runs) {
        return new ArrayList<>(List.of(runs));
    }
}
