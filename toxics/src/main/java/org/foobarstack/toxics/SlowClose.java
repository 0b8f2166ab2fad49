package org.foobarstack.toxics;

import java.time.Duration;
import java.util.Objects;

/**
 * Toxiproxy's {@code slow_close}: data passes at once, but the end of the stream (the sender's close) is passed on
 * only {@code delay} later, as a peer that is slow to close its socket.
 *
 * @param delay how long the close is held
 */
public record SlowClose(Duration delay) implements Effect {

    public SlowClose {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
    }

    @Override
    public String type() {
        return "slow_close";
    }
}
