package org.foobarstack.vrrp;

/**
 * The states of a VRRP instance, as keepalived names them in its log ("Entering MASTER STATE").
 *
 * <p>RFC 9568 §6.3 draws three: Initialize, Backup and Active. "Active" is what RFC 5798 and keepalived call
 * Master; RFC 9568 renamed it, and with it the parameters (Active_Down_Interval was Master_Down_Interval). This
 * module keeps keepalived's words, since keepalived is what runs on a real balancer pair.
 */
public enum State {

    /** Not taking part: before {@code start()} and after {@code close()} or {@code kill()} (RFC 9568 §6.4.1). */
    INITIALIZE,

    /**
     * Listening for the master's advertisements, and ready to take over when they stop (RFC 9568 §6.4.2). A backup
     * does not hold the virtual address.
     */
    BACKUP,

    /**
     * Holding the virtual address and sending an advertisement every {@code advert_int} (RFC 9568 §6.4.3, the
     * Active state).
     */
    MASTER,

    /**
     * Out of the election because something went wrong locally: here, a hook that could not take or let go of the
     * address. Not in the RFC: keepalived enters FAULT when an interface or a tracked script fails. A master that
     * enters FAULT first sends a priority 0 advertisement, so that a backup takes over at once. An instance stays
     * in FAULT until it is closed.
     */
    FAULT
}
