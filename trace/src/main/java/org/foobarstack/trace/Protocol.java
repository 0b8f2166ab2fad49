package org.foobarstack.trace;

/** The protocol of the message a hop carries: one per layer a learner can see crossing a tier. */
public enum Protocol {
    DNS,
    TCP,
    TLS,
    HTTP,
    FASTCGI,
    SQL
}
