package org.foobarstack.vrrp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A transition written as keepalived logs it. */
class TransitionTest {

    @Test
    void describeReadsLikeKeepalivedsLog() {
        Transition takeover = new Transition("VI_1", State.BACKUP, State.MASTER,
                "no advertisement from 127.0.0.11 for 3.6 s", 0);

        assertThat(takeover.describe())
                .isEqualTo("VRRP_Instance(VI_1) Entering MASTER STATE (no advertisement from 127.0.0.11 for 3.6 s)");
    }

    @Test
    void withoutAReasonThereAreNoParentheses() {
        assertThat(new Transition("VI_1", State.MASTER, State.BACKUP, "", 0).describe())
                .isEqualTo("VRRP_Instance(VI_1) Entering BACKUP STATE");
    }
}
