package org.foobarstack.admin;

import java.util.Objects;

/**
 * A database's place in replication, as {@code ctl status}, the dashboard and {@code /api/topology} show it: its
 * role, and for a replica how far it has applied its primary's log and how far behind it is.
 *
 * @param role            "standalone", "primary", "replica" or "fenced"
 * @param state           a replica's client: "streaming", "paused", "connecting", "failed", "stopped"; for the
 *                        others "-"
 * @param source          the primary a replica follows (its host), or null
 * @param appliedSeq      the last change this database logged (primary) or applied (replica)
 * @param appliedTxn      the transaction of that change
 * @param sourceSeq       the primary's head as a replica last saw it; -1 when not a replica or never seen
 * @param sourceTxn       the transaction of that head; -1 likewise
 * @param lagTransactions the primary's transactions not applied here yet
 * @param lagMillis       how long the oldest change not applied here has waited; 0 when caught up
 * @param lastError       the replication client's last failure, or null
 */
public record ReplicationView(String role, String state, String source, long appliedSeq, long appliedTxn,
                              long sourceSeq, long sourceTxn, long lagTransactions, long lagMillis,
                              String lastError) {

    public ReplicationView {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(state, "state");
    }

    /** "replica of server-1, streaming, 0 behind" and the like: one phrase for a table cell. */
    public String summary() {
        if (!role.equals("replica")) {
            return role + (role.equals("primary") ? " at seq " + appliedSeq : "");
        }
        return "replica of " + source + ", " + state + ", " + lagTransactions + " txn / " + lagMillis + " ms behind";
    }
}
