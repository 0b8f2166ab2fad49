package org.foobarstack.vrrp;

/** A datagram that is not a well-formed VRRP v3 advertisement; the message says which check failed and how. */
public final class MalformedAdvertisementException extends Exception {

    private final IgnoreReason reason;

    public MalformedAdvertisementException(IgnoreReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Which receive check of RFC 9568 §7.1 failed, for the counters. */
    public IgnoreReason reason() {
        return reason;
    }
}
