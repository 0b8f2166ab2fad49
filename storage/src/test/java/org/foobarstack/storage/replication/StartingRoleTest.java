package org.foobarstack.storage.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.storage.replication.DatabaseRole.FENCED;
import static org.foobarstack.storage.replication.DatabaseRole.PRIMARY;
import static org.foobarstack.storage.replication.DatabaseRole.REPLICA;
import static org.foobarstack.storage.replication.DatabaseRole.STANDALONE;
import static org.foobarstack.storage.replication.StartingRole.Action.FENCE;
import static org.foobarstack.storage.replication.StartingRole.Action.PROVISION;
import static org.foobarstack.storage.replication.StartingRole.Action.REFUSE;
import static org.foobarstack.storage.replication.StartingRole.Action.START;

import org.junit.jupiter.api.Test;

/** The table in {@link StartingRole}'s comment, row by row: what a configuration may and may not make of a database. */
class StartingRoleTest {

    @Test
    void aReplicaStartsFromACopyAndResumesAsAReplica() {
        assertThat(StartingRole.decide(REPLICA, null, false).action()).isEqualTo(PROVISION);
        assertThat(StartingRole.decide(REPLICA, STANDALONE, false).action()).isEqualTo(PROVISION);
        assertThat(StartingRole.decide(REPLICA, PRIMARY, true)).extracting(StartingRole::role, StartingRole::action)
                .containsExactly(REPLICA, START);
        assertThat(StartingRole.decide(REPLICA, REPLICA, false)).extracting(StartingRole::role, StartingRole::action)
                .containsExactly(REPLICA, START);
    }

    @Test
    void aFormerPrimaryNeverFollowsNorTakesWritesOnAConfigurationsWord() {
        assertThat(StartingRole.decide(REPLICA, PRIMARY, false)).extracting(StartingRole::role, StartingRole::action)
                .containsExactly(FENCED, FENCE);
        assertThat(StartingRole.decide(REPLICA, FENCED, false)).extracting(StartingRole::role, StartingRole::action)
                .containsExactly(FENCED, FENCE);
        assertThat(StartingRole.decide(PRIMARY, FENCED, false).action()).isEqualTo(REFUSE);
        assertThat(StartingRole.decide(STANDALONE, FENCED, false).action()).isEqualTo(REFUSE);
    }

    @Test
    void aPrimaryOrStandaloneStartsAsConfiguredAndAReplicaConfiguredSoIsPromoted() {
        assertThat(StartingRole.decide(PRIMARY, null, false)).extracting(StartingRole::role, StartingRole::action)
                .containsExactly(PRIMARY, START);
        assertThat(StartingRole.decide(STANDALONE, PRIMARY, false).role()).isEqualTo(STANDALONE);
        assertThat(StartingRole.decide(PRIMARY, STANDALONE, false).role()).isEqualTo(PRIMARY);
        StartingRole promoted = StartingRole.decide(PRIMARY, REPLICA, false);
        assertThat(promoted.role()).isEqualTo(PRIMARY);
        assertThat(promoted.why()).contains("promoted");
    }
}
