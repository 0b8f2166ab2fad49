package org.foobarstack.topology;

/** The port rules every tier record checks, in one place. */
final class Ports {

    private Ports() {
    }

    /** A port a tier listens on: 0 (any free port, chosen when the tier binds) up to 65535. */
    static int requireValid(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be 0..65535, got " + port);
        }
        return port;
    }

    /** Like {@link #requireValid}, but {@link TierSpec#OFF} is allowed too: that listener is not opened. */
    static int requireValidOrOff(int port, String what) {
        return port == TierSpec.OFF ? port : requireValid(port, what);
    }

    /** The same port for a test run: 0 lets the system choose a free one; a port that is off stays off. */
    static int ephemeral(int port) {
        return port == TierSpec.OFF ? TierSpec.OFF : 0;
    }
}
