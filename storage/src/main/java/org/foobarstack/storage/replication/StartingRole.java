package org.foobarstack.storage.replication;

/**
 * The role a database starts in, from the role it is configured for and the role it has stored. The stored role
 * wins where it protects data: a former primary is never made to follow, nor to take writes, on a configuration's
 * word, because its log may hold writes the current primary never received (a "split brain" would otherwise keep
 * them apart for good).
 *
 * <table>
 *   <caption>configured × stored</caption>
 *   <tr><th></th><th>none, STANDALONE</th><th>PRIMARY</th><th>REPLICA</th><th>FENCED</th></tr>
 *   <tr><td>STANDALONE, PRIMARY</td><td>as configured</td><td>as configured</td>
 *       <td>as configured (a promotion)</td><td>refused</td></tr>
 *   <tr><td>REPLICA</td><td>fresh copy</td><td>FENCED</td><td>REPLICA</td><td>FENCED</td></tr>
 * </table>
 */
public record StartingRole(DatabaseRole role, Action action, String why) {

    /** What the server does before it serves. */
    public enum Action {
        /** Store the role and go on. */
        START,
        /** Move the database aside (it is not a copy of the primary) and start from a fresh copy. */
        PROVISION,
        /** Start read-only, without following anyone; say why. */
        FENCE,
        /** Do not start. */
        REFUSE
    }

    /**
     * @param configured the role of the configuration: STANDALONE, PRIMARY or REPLICA
     * @param stored     the role the database has stored; null when there is no database yet, or it predates the
     *                   change log
     * @param copied     whether the database was just made as a copy of the primary (then it is a replica,
     *                   whatever role the copy carried over)
     */
    public static StartingRole decide(DatabaseRole configured, DatabaseRole stored, boolean copied) {
        if (configured == DatabaseRole.REPLICA) {
            if (copied) {
                return new StartingRole(DatabaseRole.REPLICA, Action.START, "a fresh copy of the primary");
            }
            if (stored == null || stored == DatabaseRole.STANDALONE) {
                return new StartingRole(DatabaseRole.REPLICA, Action.PROVISION,
                        stored == null ? "no database yet" : "the database here is not a copy of the primary");
            }
            return switch (stored) {
                case REPLICA -> new StartingRole(DatabaseRole.REPLICA, Action.START, "a replica, resuming");
                case PRIMARY -> new StartingRole(DatabaseRole.FENCED, Action.FENCE, "it was a primary: its log may "
                        + "hold writes the current primary never received, so it cannot simply follow it");
                default -> new StartingRole(DatabaseRole.FENCED, Action.FENCE, "it was fenced after a failover");
            };
        }
        if (stored == DatabaseRole.FENCED) {
            return new StartingRole(DatabaseRole.FENCED, Action.REFUSE, "it was fenced after a failover");
        }
        if (stored == DatabaseRole.REPLICA) {
            return new StartingRole(configured, Action.START, "a replica, now configured as " + configured.key()
                    + ": promoted at start");
        }
        return new StartingRole(configured, Action.START, stored == null ? "a new database" : "as before");
    }
}
