package org.foobarstack.vrrp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.vrrp.BalancerPair.INTERVAL;
import static org.foobarstack.vrrp.BalancerPair.PATIENCE;

/**
 * lb-1 (priority 150) crashes, lb-2 takes the address, and lb-1 comes back: with {@code preempt} it takes the
 * address back; with {@code nopreempt} it waits until lb-2 goes away. Over real UDP.
 */
class PreemptTest {

    private final BalancerPair pair = new BalancerPair();

    @AfterEach
    void stop() {
        pair.close();
    }

    @Test
    void withPreemptTheHigherPriorityComingBackTakesTheAddressBack() throws Exception {
        VrrpConfig lb1Config = pair.lb1Config().build();
        VrrpInstance lb2 = lb2HoldsTheAddressAfterLb1Crashed(lb1Config);

        int mark = pair.log.mark();
        long restarted = System.nanoTime();
        pair.startLb1(lb1Config);

        TransitionLog.Seen back = pair.log.await(mark, "lb-1", State.MASTER, PATIENCE);
        // On a machine too busy to read lb-2's first advertisement before lb-1's timer runs out, lb-1 rightly
        // reports silence instead; the outcome is the same. VrrpStateMachineTest checks the preempt line exactly.
        assertThat(back.transition().reason()).satisfiesAnyOf(
                reason -> assertThat(reason).isEqualTo("preempt: " + pair.net.lb2().getHostAddress()
                        + " advertises priority 100, below ours (150)"),
                reason -> assertThat(reason).startsWith("no advertisement for "));
        assertThat(Duration.ofNanos(back.nanos() - restarted))
                .as("it discards lb-2's advertisements until its own Master_Down_Interval runs out")
                .isGreaterThanOrEqualTo(INTERVAL.multipliedBy(3));
        TransitionLog.Seen stepDown = pair.log.await(mark, "lb-2", State.BACKUP, PATIENCE);
        assertThat(stepDown.transition().reason())
                .isEqualTo("higher priority 150 from " + pair.net.lb1().getHostAddress() + " (ours 100)");
        pair.awaitAnswerFrom("lb-1");

        int settled = pair.log.mark();
        BalancerPair.awaitAdvertisements(lb2, 10);
        assertThat(pair.log.since(settled)).isEmpty();
        assertThat(pair.log.masters()).isEqualTo(1);
    }

    @Test
    void withNopreemptTheHigherPriorityComingBackLeavesTheAddressWhereItIs() throws Exception {
        VrrpConfig lb1Config = pair.lb1Config().nopreempt().build();
        VrrpInstance lb2 = lb2HoldsTheAddressAfterLb1Crashed(lb1Config);

        int mark = pair.log.mark();
        VrrpInstance lb1 = pair.startLb1(lb1Config);
        BalancerPair.awaitAdvertisements(lb1, 10);   // a second: about three of its Master_Down_Intervals

        assertThat(lb1.state()).isEqualTo(State.BACKUP);
        assertThat(pair.log.since(mark)).extracting(s -> s.host() + " " + s.to()).containsExactly("lb-1 BACKUP");
        assertThat(pair.whoAnswers()).isEqualTo("lb-2");

        // it takes over only when lb-2 goes away
        lb2.close();
        pair.log.await(mark, "lb-1", State.MASTER, PATIENCE);
        pair.awaitAnswerFrom("lb-1");
    }

    /** Both start, lb-1 wins, lb-1 crashes, and lb-2 ends up holding the address. */
    private VrrpInstance lb2HoldsTheAddressAfterLb1Crashed(VrrpConfig lb1Config) throws InterruptedException {
        VrrpInstance lb1 = pair.startLb1(lb1Config);
        VrrpInstance lb2 = pair.startLb2(pair.lb2Config().build());
        pair.log.await("lb-1", State.MASTER, PATIENCE);
        pair.awaitAnswerFrom("lb-1");
        BalancerPair.awaitAdvertisements(lb2, 3);

        int mark = pair.log.mark();
        lb1.kill();
        pair.log.await(mark, "lb-2", State.MASTER, PATIENCE);
        pair.awaitAnswerFrom("lb-2");
        return lb2;
    }
}
