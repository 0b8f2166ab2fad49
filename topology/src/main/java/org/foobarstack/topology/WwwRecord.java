package org.foobarstack.topology;

import java.util.Locale;

/** How the zone publishes {@code www.<domain>}. */
public enum WwwRecord {

    /** {@code www} has its own A records, one per address of {@link Topology#wwwAddresses()}. */
    A,

    /**
     * {@code www} is a CNAME of the apex ({@code www.foobar.com CNAME foobar.com}), and the apex
     * carries the A records: a resolver then asks twice, or once when the server adds the apex's
     * addresses to the answer.
     */
    CNAME;

    /** The word in a topology file: {@code a} or {@code cname}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
