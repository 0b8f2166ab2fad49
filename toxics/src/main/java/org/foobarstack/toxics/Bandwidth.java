package org.foobarstack.toxics;

/**
 * Toxiproxy's {@code bandwidth}: the stream carries at most {@code rate} kilobytes a second (1 KB = 1,000 bytes,
 * as Toxiproxy counts: {@code rate} bytes a millisecond). Each piece of data waits for its own transmission time
 * before it leaves, so N bytes take at least N / rate; a large chunk leaves in pieces of 100 ms worth, as a slow
 * link delivers it.
 *
 * @param rateKbPerSecond kilobytes a second, at least 1
 */
public record Bandwidth(long rateKbPerSecond) implements Effect {

    public Bandwidth {
        if (rateKbPerSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 KB/s, got " + rateKbPerSecond);
        }
    }

    @Override
    public String type() {
        return "bandwidth";
    }
}
