package org.foobarstack.launcher.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.foobarstack.admin.Operation;
import org.foobarstack.launcher.Stack;
import org.foobarstack.launcher.StackConfig;
import org.foobarstack.loadgen.LoadConfig;
import org.foobarstack.loadgen.LoadGenerator;
import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.topology.AppTier;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;

/**
 * {@code demo scale}: the seeds' "one server cannot take more traffic than it can serve", measured, and its cure.
 *
 * <p>Every host of this machine shares the same two cores, so a server's capacity is emulated: each app server
 * serves {@link #CAPACITY} (2 workers, each request holding one for at least 40 ms: 50 requests/s), queues 8 more
 * and refuses the rest with 503 and {@code Retry-After}, as a saturated server does.
 *
 * <p>Steps: 1. start the distributed design with one server behind the balancer (server-1, with the database), each
 * app server at that capacity; 2. offer a load stepped up past the server's capacity (served requests flatten, p99
 * climbs, 503s appear); 3. at the highest load, add servers one at a time up to four ({@code scale web=N}), measuring
 * a step at each count; 4. stop.
 */
public final class ScaleDemo {

    /** What each app server can serve here: 2 workers x 40 ms = 50 requests/s, 8 more waiting. */
    public static final AppTier.Capacity CAPACITY = new AppTier.Capacity(2, Duration.ofMillis(40), 8);

    /** One measured step. */
    public record Step(int servers, int offeredRps, double servedRps, double p99Millis, long errors, long sent) {
    }

    private final List<Integer> rates;
    private final int maxServers;
    private final Duration stepLength;
    private final Consumer<String> progress;

    public ScaleDemo(List<Integer> rates, int maxServers, Duration stepLength, Consumer<String> progress) {
        this.rates = List.copyOf(rates);
        this.maxServers = maxServers;
        this.stepLength = stepLength;
        this.progress = progress;
    }

    public List<Step> run(int thirdOctet) throws InterruptedException {
        Topology topology = ShippedTopologies.load("distributed").withoutHost("server-2").withAppCapacity(CAPACITY)
                .relocated(thirdOctet);
        Path data = SpofDemo.temporaryDirectory();
        List<Step> steps = new ArrayList<>();
        try (Stack stack = new Stack(StackConfig.builder().topology(topology).bindAddress(SpofDemo.loopback())
                .adminPort(0).dataDir(data).build())) {
            progress.accept("starting distributed with one server on 127.0." + thirdOctet + ".x; each app server: "
                    + String.format("%d workers x %d ms = %.0f requests/s, queue %d (emulated)", CAPACITY.workers(),
                    CAPACITY.serviceTime().toMillis(), CAPACITY.maxPerSecond(), CAPACITY.queue()));
            stack.start(line -> { });
            measure(stack, 1, 20, Duration.ofSeconds(2)); // warm-up, not reported
            for (int rate : rates) {
                steps.add(step(stack, 1, rate));
            }
            int top = rates.get(rates.size() - 1);
            for (int servers = 2; servers <= maxServers; servers++) {
                Operation op = stack.scale("web", servers);
                if (!stack.operations().await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("scaling did not end within 120 s");
                }
                Operation.Snapshot done = op.snapshot();
                for (Operation.Step s : done.steps()) {
                    progress.accept("  scale    " + s.host() + "  " + s.text());
                }
                if (done.state() != Operation.State.DONE) {
                    throw new IllegalStateException(done.result());
                }
                steps.add(step(stack, servers, top));
            }
        }
        return steps;
    }

    private Step step(Stack stack, int servers, int rate) throws InterruptedException {
        Step step = measure(stack, servers, rate, stepLength);
        progress.accept(String.format("  %d server%s  offered %4d/s  served %6.1f/s  p99 %7.1f ms  errors %5d",
                servers, servers == 1 ? " " : "s", rate, step.servedRps(), step.p99Millis(), step.errors()));
        return step;
    }

    private static Step measure(Stack stack, int servers, int rate, Duration length) throws InterruptedException {
        LoadReport report = new LoadGenerator().start(LoadConfig.builder(stack.front()).hostHeader("www.foobar.com")
                .path("/api/messages").rate(rate).duration(length).connections(128)
                .timeout(Duration.ofSeconds(5)).build()).await();
        double seconds = length.toMillis() / 1000.0;
        long served = report.answeredBetween(200, 299);
        long errors = report.failedTotal() + report.answeredBetween(500, 599);
        return new Step(servers, rate, served / seconds, report.latency().p99(), errors, report.sent());
    }

    public static String text(List<Step> steps) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%n%-8s %12s %12s %10s %8s%n", "servers", "offered/s", "served/s", "p99 ms", "errors"));
        for (Step s : steps) {
            b.append(String.format("%-8d %12d %12.1f %10.1f %8d  %s%n", s.servers(), s.offeredRps(), s.servedRps(),
                    s.p99Millis(), s.errors(), "#".repeat((int) Math.round(s.servedRps() / 5))));
        }
        Step one = steps.stream().filter(s -> s.servers() == 1).reduce((a, c) -> c).orElse(null);
        Step last = steps.get(steps.size() - 1);
        if (one != null && last.servers() > 1 && one.offeredRps() == last.offeredRps() && one.servedRps() > 0) {
            b.append(String.format("%nAt %d requests/s offered: %d servers served %.1fx what one served.%n",
                    last.offeredRps(), last.servers(), last.servedRps() / one.servedRps()));
        }
        b.append(String.format("Capacity is emulated (every host shares this machine's two cores): each app server "
                + "serves at most %.0f requests/s here.%n", CAPACITY.maxPerSecond()));
        return b.toString();
    }

    /** {@code {"steps":[{"servers":N,"offered_rps":X,"served_rps":Y,"p99_ms":Z,"errors":N},...]}}. */
    public static String json(List<Step> steps) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("demo", "scale");
        ObjectNode capacity = root.putObject("capacity_per_server");
        capacity.put("workers", CAPACITY.workers());
        capacity.put("service_time_ms", CAPACITY.serviceTime().toMillis());
        capacity.put("queue", CAPACITY.queue());
        capacity.put("max_rps", CAPACITY.maxPerSecond());
        capacity.put("emulated", true);
        ArrayNode array = root.putArray("steps");
        for (Step s : steps) {
            ObjectNode node = array.addObject();
            node.put("servers", s.servers());
            node.put("offered_rps", s.offeredRps());
            node.put("served_rps", Math.round(s.servedRps() * 10) / 10.0);
            node.put("p99_ms", Math.round(s.p99Millis() * 10) / 10.0);
            node.put("errors", s.errors());
            node.put("sent", s.sent());
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
