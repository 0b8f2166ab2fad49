package org.foobarstack.vrrp;

/**
 * Why a received datagram was thrown away. RFC 9568 §7.1 lists the checks a receiver makes; a packet that fails
 * one is discarded, logged, and counted, and changes nothing in the election.
 */
public enum IgnoreReason {

    /** Shorter than the 8-byte header, or not 8 bytes plus 4 per IPv4 address counted (RFC 9568 §7.1). */
    WRONG_LENGTH,
    /** The version field is not 3 (RFC 9568 §5.2.1, §7.1). */
    WRONG_VERSION,
    /** The type field is not 1, ADVERTISEMENT (RFC 9568 §5.2.2). */
    WRONG_TYPE,
    /** The checksum does not add up (RFC 9568 §5.2.8, §7.1). */
    BAD_CHECKSUM,
    /** The Max Adver Int is 0, which no sender can mean (RFC 9568 §5.2.7). */
    BAD_INTERVAL,
    /** Another virtual router's advertisement: its VRID is not ours (RFC 9568 §7.1). */
    WRONG_VRID,
    /** No address, or not the virtual address this instance is configured with (RFC 9568 §7.1). */
    WRONG_ADDRESSES
}
