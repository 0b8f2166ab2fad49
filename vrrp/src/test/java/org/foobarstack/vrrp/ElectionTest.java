package org.foobarstack.vrrp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.vrrp.BalancerPair.PATIENCE;

/** Two balancers started together over real UDP on loopback: the priority 150 one gets the address. */
class ElectionTest {

    private final BalancerPair pair = new BalancerPair();

    @AfterEach
    void stop() {
        pair.close();
    }

    @Test
    void theHigherPriorityBecomesMasterAndClientsReachIt() throws Exception {
        VrrpInstance lb1 = pair.startLb1(pair.lb1Config().build());
        VrrpInstance lb2 = pair.startLb2(pair.lb2Config().build());
        assertThat(lb1.state()).as("everyone starts as a backup").isEqualTo(State.BACKUP);

        TransitionLog.Seen elected = pair.log.await("lb-1", State.MASTER, PATIENCE);

        assertThat(elected.transition().describe()).startsWith("VRRP_Instance(VI_1) Entering MASTER STATE (");
        pair.awaitAnswerFrom("lb-1");
        BalancerPair.awaitAdvertisements(lb2, 3);
        assertThat(lb2.state()).isEqualTo(State.BACKUP);
        assertThat(lb1.counters().advertisementsSent()).isPositive();
        assertThat(lb2.counters().ignoredTotal()).isZero();
    }

    @Test
    void onceSettledExactlyOneIsMasterAtEveryMoment() throws Exception {
        VrrpInstance lb1 = pair.startLb1(pair.lb1Config().build());
        VrrpInstance lb2 = pair.startLb2(pair.lb2Config().build());
        pair.log.await("lb-1", State.MASTER, PATIENCE);
        pair.awaitAnswerFrom("lb-1");
        BalancerPair.awaitAdvertisements(lb2, 3);

        int mark = pair.log.mark();
        BalancerPair.awaitAdvertisements(lb2, 20);   // two seconds, about six Master_Down_Intervals

        assertThat(pair.log.since(mark)).as("no change of state").isEmpty();
        assertThat(pair.log.mostMastersSinceMark()).isEqualTo(1);
        assertThat(pair.log.fewestMastersSinceMark()).isEqualTo(1);
        assertThat(lb1.state()).isEqualTo(State.MASTER);
        assertThat(lb2.state()).isEqualTo(State.BACKUP);
        assertThat(pair.whoAnswers()).isEqualTo("lb-1");
    }
}
