package org.foobarstack.toxics;

import java.time.Duration;
import java.util.Objects;

/**
 * Toxiproxy's {@code slicer}: each chunk is cut into slices of {@code averageSize ± sizeVariation} bytes, sent one
 * at a time with {@code delay} between them, as TCP may deliver one write in many reads. A reader that assumes one
 * read per message breaks on it.
 *
 * @param averageSize   the average slice, at least 1 byte
 * @param sizeVariation how far a slice may differ from the average; less than {@code averageSize}
 * @param delay         the pause after each slice (Toxiproxy gives it in microseconds)
 */
public record Slicer(int averageSize, int sizeVariation, Duration delay) implements Effect {

    public Slicer {
        Objects.requireNonNull(delay, "delay");
        if (averageSize < 1 || sizeVariation < 0 || sizeVariation >= averageSize) {
            throw new IllegalArgumentException("need average_size >= 1 and 0 <= size_variation < average_size, got "
                    + averageSize + " and " + sizeVariation);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
    }

    @Override
    public String type() {
        return "slicer";
    }
}
