package org.foobarstack.dns;

/** The transport a query arrived on: it decides the size limit and whether transfers are allowed. */
enum Transport {
    /** RFC 1035 §4.2.1: 512 bytes without EDNS, the EDNS size otherwise (RFC 6891 §6.2.3). */
    UDP,
    /** RFC 1035 §4.2.2 and RFC 7766: two-byte length prefix, up to 65535 bytes per message. */
    TCP
}
