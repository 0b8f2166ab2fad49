package org.foobarstack.admin;

import java.util.Locale;

/**
 * What {@code foobar-stack ctl} (and the dashboard's buttons) can do to a host of a running topology, through
 * {@code POST /api/hosts/{host}/{action}}.
 */
public enum HostAction {
    /** Stop every tier of the host at once, sockets reset: what a power cut looks like from the network. */
    KILL,
    /** Start the host's tiers again, with their data and on their addresses and ports. */
    START,
    /** At every load balancer: no new requests for this host's web server; those in progress finish. */
    DRAIN,
    /** At every load balancer: this host's web server takes requests again. */
    READY,
    /**
     * This host's database, a replica, becomes the primary: the old primary is fenced if it still runs, and
     * {@code db.<domain>} is made to point here, so the app servers' writes follow.
     */
    PROMOTE,
    /** This host's replica stops applying its primary's log (and goes on measuring how far behind it falls). */
    PAUSE_REPLICATION,
    /** This host's replica applies its primary's log again. */
    RESUME_REPLICATION,
    /**
     * This host's database, a former primary fenced after a failover, is moved aside and replaced by a fresh copy
     * of the current primary, which it then follows as a replica.
     */
    REATTACH;

    /** "pause-replication": the word in {@code ctl} and in the path. */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The action named in a path, or null. */
    public static HostAction fromWord(String word) {
        for (HostAction action : values()) {
            if (action.word().equals(word)) {
                return action;
            }
        }
        return null;
    }
}
