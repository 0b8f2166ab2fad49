package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.foobarstack.launcher.demo.ScaleDemo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code demo scale}, shortened: past one server's emulated capacity, requests are refused and the served rate
 * flattens at the capacity; a second server serves about twice as much at the same offered load.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ScaleDemoTest {

    @Test
    void aSecondServerServesWhatTheFirstHadToRefuse() throws Exception {
        List<ScaleDemo.Step> steps = new ScaleDemo(List.of(100), 2, Duration.ofSeconds(2), line -> { }).run(86);

        assertThat(steps).extracting(ScaleDemo.Step::servers).containsExactly(1, 2);
        ScaleDemo.Step one = steps.get(0);
        ScaleDemo.Step two = steps.get(1);
        assertThat(one.errors()).as("one server at twice its capacity refuses requests").isPositive();
        assertThat(one.servedRps()).as("and serves about its capacity")
                .isBetween(0.6 * ScaleDemo.CAPACITY.maxPerSecond(), 1.2 * ScaleDemo.CAPACITY.maxPerSecond());
        assertThat(two.servedRps()).as("two serve more").isGreaterThan(1.5 * one.servedRps());

        JsonNode json = new ObjectMapper().readTree(ScaleDemo.json(steps));
        assertThat(json.path("demo").asText()).isEqualTo("scale");
        assertThat(json.path("steps").get(1).path("servers").asInt()).isEqualTo(2);
        assertThat(json.path("capacity_per_server").path("emulated").asBoolean()).isTrue();
        assertThat(ScaleDemo.text(steps)).contains("2 servers served", "emulated");
    }
}
