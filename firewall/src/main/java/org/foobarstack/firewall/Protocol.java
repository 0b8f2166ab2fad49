package org.foobarstack.firewall;

import java.util.Locale;

/** The transport protocols a rule can name: what nftables matches with {@code tcp dport} and {@code udp dport}. */
public enum Protocol {
    TCP,
    UDP;

    /** The word nftables and iptables use: "tcp" or "udp". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
