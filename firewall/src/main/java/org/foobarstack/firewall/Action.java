package org.foobarstack.firewall;

import java.util.Locale;

/**
 * What a rule, or the default policy, does with what it matches. The three verdicts of a packet filter's
 * {@code input} chain; nftables and iptables spell them {@code accept}, {@code drop} and {@code reject}.
 */
public enum Action {
    /** Let it through to the server. */
    ACCEPT,
    /**
     * Throw it away and say nothing. The client cannot tell a dropped packet from a lost one, so it retries and
     * waits until its own timeout gives up. Firewalls facing the internet often drop: a port scanner cannot tell
     * a filtered port from an address where no machine answers.
     */
    DROP,
    /**
     * Throw it away and tell the sender at once: a TCP reset, or an ICMP "port unreachable" for UDP. The client
     * fails fast with "connection refused", which is kinder inside one's own network, where the client is a
     * colleague's server rather than an attacker.
     */
    REJECT;

    /** The word nftables uses: "accept", "drop" or "reject". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "accepted", "dropped", "rejected": how a log line tells what happened. */
    String pastTense() {
        return switch (this) {
            case ACCEPT -> "accepted";
            case DROP -> "dropped";
            case REJECT -> "rejected";
        };
    }
}
