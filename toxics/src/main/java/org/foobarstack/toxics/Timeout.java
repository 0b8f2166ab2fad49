package org.foobarstack.toxics;

import java.time.Duration;
import java.util.Objects;

/**
 * Toxiproxy's {@code timeout}: no data gets through (it is dropped), and {@code timeout} after the toxic began on
 * a connection the stream is closed, which closes the connection. A timeout of zero never closes: the connection
 * hangs, as a server that stopped answering. Removing the toxic closes the connections it held (their data is
 * lost, so they cannot go on), as Toxiproxy does.
 *
 * @param timeout how long until the close; {@link Duration#ZERO} for never
 */
public record Timeout(Duration timeout) implements Effect {

    public Timeout {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
    }

    @Override
    public String type() {
        return "timeout";
    }
}
