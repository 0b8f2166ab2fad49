package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.foobarstack.admin.Operation;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.launcher.hosts.AppTierRuntime;
import org.foobarstack.loadgen.LoadConfig;
import org.foobarstack.loadgen.LoadGenerator;
import org.foobarstack.loadgen.LoadReport;
import org.foobarstack.loadgen.RunningLoad;
import org.foobarstack.loadgen.TimelineBucket;
import java.util.List;
import org.foobarstack.topology.Role;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-server design can only deploy all at once: its web and app servers stop and start again with the new
 * version, which answers from then on (requests sent while they restart fail; here the restart is too short to
 * count on catching one). A rolling deploy is refused there, with the reason.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AllAtOnceDeployTest {

    @TempDir
    Path data;

    @Test
    void onTheOneServerDesignEveryServerSwitchesAtOnceAndRollingIsRefused() throws Exception {
        try (Stack stack = new Stack(StackConfig.builder()
                .topology(ShippedTopologies.load("simple").relocated(98).withEphemeralPorts())
                .adminPort(0).dataDir(data).build())) {
            stack.start(line -> { });
            RunningLoad load = new LoadGenerator().start(LoadConfig.builder(stack.front())
                    .hostHeader("www.foobar.com").path("/api/messages").rate(200).duration(Duration.ofSeconds(60))
                    .connections(8).timeout(Duration.ofSeconds(5)).countHeader("X-App-Version").build());
            Operation op;
            try {
                runFor(load, 1000); // v1 answers for a second
                op = stack.deploy("v2", "all-at-once");
                assertThat(stack.operations().await(60, TimeUnit.SECONDS)).isTrue();
                runFor(load, load.elapsedMillis() + 1000); // then v2 for a second
            } finally {
                load.cancel();
            }
            LoadReport report = load.await();

            assertThat(op.snapshot().state()).isEqualTo(Operation.State.DONE);
            // all at once: once v2 has answered, v1 never answers again (a 100 ms slice may hold both, the last v1
            // answers before the stop and the first v2 after the start, never a slice after it)
            assertThat(report.headerValues()).containsKeys("v1", "v2");
            List<TimelineBucket> buckets = report.timeline().buckets();
            int firstV2 = 0;
            while (buckets.get(firstV2).headerValues().getOrDefault("v2", 0L) == 0) {
                firstV2++;
            }
            assertThat(buckets.subList(firstV2 + 1, buckets.size()))
                    .allSatisfy(b -> assertThat(b.headerValues()).doesNotContainKey("v1"));
            assertThat(((AppTierRuntime) stack.context().tiers(Role.APP).get(0)).version()).isEqualTo(AppVersion.V2);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> stack.deploy("v1", "rolling")))
                    .hasMessageContaining("rolling needs a load balancer");

            // the same through the admin server, as `foobar-stack deploy` asks it
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI base = java.net.URI.create("http://" + stack.admin().address().getAddress().getHostAddress()
                    + ":" + stack.admin().address().getPort());
            java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> post = (path, token) -> {
                java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(base.resolve(path))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
                if (token != null) {
                    b.header("Authorization", "Bearer " + token);
                }
                try {
                    return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            assertThat(post.apply("/api/deploy?version=v1&strategy=all-at-once", null).statusCode()).isEqualTo(401);
            java.net.http.HttpResponse<String> unknown = post.apply("/api/deploy?version=v3", stack.token());
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("v3");
            java.net.http.HttpResponse<String> accepted = post.apply("/api/deploy?version=v1&strategy=all-at-once",
                    stack.token());
            assertThat(accepted.statusCode()).isEqualTo(202);
            assertThat(accepted.headers().firstValue("Location")).contains("/api/operation");
            assertThat(stack.operations().await(60, TimeUnit.SECONDS)).isTrue();
            java.net.http.HttpResponse<String> operation = http.send(java.net.http.HttpRequest.newBuilder(
                    base.resolve("/api/operation")).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(operation.body());
            assertThat(json.path("state").asText()).isEqualTo("done");
            assertThat(json.path("description").asText()).isEqualTo("deploy v1 to simple, all-at-once");
            assertThat(json.path("steps").toString()).contains("started with v1");
        }
    }

    /** Lets the load run until its own clock reads {@code millis}: a measured stretch, not a synchronisation. */
    private static void runFor(RunningLoad load, long millis) throws InterruptedException {
        while (load.elapsedMillis() < millis && !load.isDone()) {
            Thread.sleep(10);
        }
    }
}
