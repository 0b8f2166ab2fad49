package org.foobarstack.toxics;

import java.time.Duration;
import java.util.Objects;

/**
 * Toxiproxy's {@code reset_peer}: once data (or the close) arrives on the stream, it is dropped, and
 * {@code timeout} later both sides of the connection are reset: closed with SO_LINGER 0, so the kernel sends a TCP
 * RST and each peer reads "Connection reset".
 *
 * @param timeout how long after the first data the reset comes; zero for at once
 */
public record ResetPeer(Duration timeout) implements Effect {

    public ResetPeer {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
    }

    @Override
    public String type() {
        return "reset_peer";
    }
}
