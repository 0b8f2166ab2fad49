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
    READY;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
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
