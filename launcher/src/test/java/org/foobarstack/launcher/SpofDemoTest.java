package org.foobarstack.launcher;

import org.foobarstack.launcher.demo.DatabaseAct;
import org.foobarstack.launcher.demo.DatabaseActRun;
import org.foobarstack.launcher.demo.SpofDemo;
import org.foobarstack.launcher.demo.SpofReport;
import org.foobarstack.launcher.demo.SpofRun;
import org.foobarstack.launcher.demo.Writes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code demo spof}, shortened: the one-server design loses the requests sent while its server is down, and only
 * those; the distributed design loses none when one of its servers dies under the same load.
 */
class SpofDemoTest {

    @Test
    void theSingleServerIsASinglePointOfFailureAndTheBalancedPairIsNot() throws Exception {
        SpofDemo demo = new SpofDemo(new SpofDemo.Settings(40, Duration.ofSeconds(5), Duration.ofMillis(1500),
                Duration.ofMillis(3500), "/api/messages", 8), line -> { });
        SpofRun simple = demo.run("simple", null, 93);
        SpofRun distributed = demo.run("distributed", null, 94);

        assertThat(simple.killedHost()).isEqualTo("server-1");
        assertThat(simple.failedBeforeKill()).as("healthy before the kill").isZero();
        assertThat(simple.failed()).as("requests sent while the one server was down").isGreaterThan(40);
        assertThat(simple.load().firstFailureMillis().getAsLong()).isGreaterThanOrEqualTo(simple.killedAtMillis() - 100);
        assertThat(simple.load().lastFailureMillis().getAsLong()).isLessThanOrEqualTo(simple.upAgainMillis() + 1000);
        assertThat(simple.load().outageMillis()).isGreaterThanOrEqualTo(1000);

        assertThat(distributed.killedHost()).isEqualTo("server-2");
        assertThat(distributed.holdsDatabase()).isFalse();
        assertThat(distributed.failed()).as("redispatched, nobody failed").isZero();
        assertThat(distributed.noticedAfterMillis()).isPresent();
        assertThat(distributed.sent()).isEqualTo(200);

        String text = SpofReport.text(List.of(simple, distributed));
        assertThat(text).contains("single point of failure").contains("balancer noticed");
        String json = SpofReport.json(List.of(simple, distributed));
        assertThat(json).contains("\"topology\" : \"simple\"").contains("\"topology\" : \"distributed\"")
                .contains("\"failed\" : 0");
    }

    @Test
    void losingThePrimaryDatabaseStopsWritesNotReadsUntilTheReplicaIsPromoted() throws Exception {
        DatabaseActRun run = new DatabaseAct(new DatabaseAct.Settings(40, 10, Duration.ofSeconds(5),
                Duration.ofMillis(1500), Duration.ofMillis(3000)), line -> { }).run(96);

        assertThat(run.reads().sent()).isEqualTo(200);
        assertThat(run.reads().failedTotal() + run.reads().answeredBetween(500, 599))
                .as("reads go on from the replica (answered %s, failed %s, e.g. %s)", run.reads().answered(),
                        run.reads().failed(), run.reads().failureExamples()).isZero();
        assertThat(run.refused()).as("writes without a primary get 503").isPositive();
        assertThat(run.writes()).filteredOn(w -> w.atMillis() >= run.killedAtMillis() + 200
                        && w.atMillis() < run.promotedAtMillis() - 100)
                .as("no write is acknowledged while there is no primary").noneMatch(Writes.Write::acknowledged);
        assertThat(run.writesBackMillis()).as("writes come back after the promotion").isPresent();
        assertThat(run.lostIds()).as("a lost write is one that was acknowledged")
                .isSubsetOf(run.writes().stream().filter(Writes.Write::acknowledged).map(Writes.Write::id).toList());
        assertThat(SpofReport.text(List.of(), run)).contains("acknowledged write").contains("asynchronous");
        assertThat(SpofReport.json(List.of(), run)).contains("\"acknowledged_writes_lost\"");
    }
}
