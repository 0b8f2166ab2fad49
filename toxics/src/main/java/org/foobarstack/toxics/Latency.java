package org.foobarstack.toxics;

import java.time.Duration;
import java.util.Objects;

/**
 * Toxiproxy's {@code latency}: every chunk of data is held for {@code latency ± jitter} from when it reached the
 * toxic, and no chunk overtakes the one before it. The end of the stream follows the last chunk, with no delay of
 * its own (that is {@link SlowClose}).
 *
 * @param latency the delay added to each chunk
 * @param jitter  a chunk's delay is drawn uniformly from {@code latency - jitter} to {@code latency + jitter}
 *                (never below zero)
 */
public record Latency(Duration latency, Duration jitter) implements Effect {

    public Latency {
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(jitter, "jitter");
        if (latency.isNegative() || jitter.isNegative()) {
            throw new IllegalArgumentException("latency and jitter must not be negative: " + latency + ", " + jitter);
        }
    }

    @Override
    public String type() {
        return "latency";
    }
}
