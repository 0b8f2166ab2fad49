package org.foobarstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.foobarstack.launcher.demo.SpofDemo;
import org.foobarstack.launcher.demo.SpofReport;
import org.foobarstack.launcher.demo.SpofRun;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The scaled design's balancer pair (on 127.0.85.x): www points at the pair's virtual address, the active balancer
 * is killed under a constant HTTPS load, and the passive one takes the address over; requests fail only inside
 * the takeover window, which is measured, and at the moment the first balancer comes back and takes it again.
 */
class BalancerPairTest {

    @Test
    void killingTheActiveBalancerCostsOnlyTheTakeoverWindow() throws Exception {
        SpofDemo demo = new SpofDemo(new SpofDemo.Settings(50, Duration.ofSeconds(12), Duration.ofMillis(2000),
                Duration.ofMillis(6500), "/api/messages", 8), line -> { });
        SpofRun run = demo.run("scaled", null, 85);

        assertThat(run.killedHost()).as("the master of the pair").isEqualTo("lb-1");
        assertThat(run.failedBeforeKill()).as("healthy before the kill (kill at %d ms; failing buckets %s)",
                run.killedAtMillis(), run.load().timeline().buckets().stream()
                        .filter(b -> b.failedTotal() + b.serverErrors() > 0).toList()).isZero();
        assertThat(run.takeoverAfterMillis()).as("lb-2 took the virtual address").isPresent();
        long takeover = run.takeoverAfterMillis().getAsLong();
        // lb-2 (priority 100, advert_int 1 s) waits Master_Down_Interval = 3.609 s after the last advertisement it
        // heard, which lb-1 sent up to 1 s before it was killed
        assertThat(takeover).isBetween(2_400L, 4_500L);
        assertThat(run.failed()).as("requests sent while nobody held the address").isPositive();
        assertThat(run.load().firstFailureMillis().getAsLong()).isGreaterThanOrEqualTo(run.killedAtMillis() - 100);
        long preemptedAt = run.events().stream()
                .filter(e -> e.what().startsWith("lb-1: " + SpofRun.TOOK_THE_ADDRESS) && e.what().contains("preempt"))
                .mapToLong(SpofRun.Event::atMillis).findFirst().orElseThrow();
        // a request fails only while nobody holds the address, or when it changes hands again (lb-2 letting go
        // resets the connections made to it); never in between
        for (org.foobarstack.loadgen.TimelineBucket bucket : run.load().timeline().buckets()) {
            long failed = bucket.failedTotal() + bucket.serverErrors();
            boolean inTakeover = bucket.startMillis() >= run.killedAtMillis() - 100
                    && bucket.startMillis() <= run.killedAtMillis() + takeover + 1_000;
            boolean atPreemption = bucket.startMillis() >= preemptedAt - 1_000 && bucket.startMillis() <= preemptedAt + 500;
            if (!inTakeover && !atPreemption) {
                assertThat(failed).as("failures at %d ms (kill %d, takeover +%d, preempted %d)", bucket.startMillis(),
                        run.killedAtMillis(), takeover, preemptedAt).isZero();
            }
        }
        assertThat(SpofReport.text(List.of(run))).contains("virtual address taken over")
                .contains("took the virtual address " + takeover + " ms later");
    }

    @Test
    void wwwIsTheVirtualAddressAndTheZoneSaysSo() throws Exception {
        org.foobarstack.topology.Topology scaled = org.foobarstack.topology.ShippedTopologies.load("scaled")
                .relocated(87);
        java.nio.file.Path data = java.nio.file.Files.createTempDirectory("balancer-pair-");
        Stack stack = new Stack(StackConfig.builder().topology(scaled).adminPort(0).dataDir(data).build());
        try {
            stack.start(line -> { });
            SimpleResolver resolver = new SimpleResolver(InetAddress.getByName("127.0.87.2"));
            resolver.setPort(5300);
            Message answer = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."),
                    Type.A, DClass.IN)));
            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answer.getSection(Section.ANSWER)).filteredOn(r -> r instanceof ARecord)
                    .extracting(r -> ((ARecord) r).getAddress().getHostAddress()).containsExactly("127.0.87.100");
            assertThat(stack.front().getAddress().getHostAddress()).isEqualTo("127.0.87.100");
            // what the dashboard draws: each member's VRRP state, and the design as text
            org.foobarstack.admin.TopologyStatus status = stack.topology();
            assertThat(status.balancers()).extracting(b -> b.instance() + " " + b.vrrp().state() + " "
                    + b.vrrp().virtualAddress()).containsExactly("lb-1 MASTER 127.0.87.100", "lb-2 BACKUP 127.0.87.100");
            assertThat(status.balancers().get(0).vrrp().transitions()).last().asString()
                    .contains("Entering MASTER STATE");
            assertThat(status.drawing()).isEqualTo(org.foobarstack.topology.Drawing.of(scaled));
        } finally {
            stack.close();
        }
    }
}
