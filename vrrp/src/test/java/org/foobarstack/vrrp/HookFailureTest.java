package org.foobarstack.vrrp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.vrrp.BalancerPair.INTERVAL;
import static org.foobarstack.vrrp.BalancerPair.PATIENCE;

/** lb-1 wins the election but cannot take the address: it goes to FAULT, and lb-2 takes over. Over real UDP. */
class HookFailureTest {

    private final BalancerPair pair = new BalancerPair();

    @AfterEach
    void stop() {
        pair.close();
    }

    @Test
    void aMasterThatCannotTakeTheAddressGoesToFaultAndTheBackupTakesIt() throws Exception {
        VrrpInstance lb1 = pair.start("lb-1", new VrrpInstance(pair.lb1Config().build(), address -> {
            throw new IllegalStateException("the balancer is not running");
        }, address -> { }));
        pair.startLb2(pair.lb2Config().build());

        pair.log.await("lb-1", State.MASTER, PATIENCE);
        TransitionLog.Seen fault = pair.log.await("lb-1", State.FAULT, PATIENCE);
        assertThat(fault.transition().reason())
                .startsWith("onAcquire(" + pair.net.virtualAddress().getHostAddress() + ") kept failing for ")
                .endsWith(": IllegalStateException: the balancer is not running");

        TransitionLog.Seen takeover = pair.log.awaitAfter(fault, "lb-2", State.MASTER, PATIENCE);
        assertThat(Duration.ofNanos(takeover.nanos() - fault.nanos()))
                .as("lb-1 said priority 0 on its way out, so lb-2 waited only its Skew_Time")
                .isLessThan(INTERVAL.multipliedBy(3));
        pair.awaitAnswerFrom("lb-2");

        int mark = pair.log.mark();
        long sent = lb1.counters().advertisementsSent();
        BalancerPair.awaitAdvertisements(lb1, 10);
        assertThat(lb1.state()).isEqualTo(State.FAULT);
        assertThat(lb1.counters().advertisementsSent()).as("a FAULT instance says nothing").isEqualTo(sent);
        assertThat(pair.log.since(mark)).isEmpty();
    }
}
