package org.foobarstack.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One message crossing one tier: "the web tier (web-1) received an HTTP request head from
 * 127.0.0.1:50412, 0.04 ms, with these fields".
 *
 * <p>Timing: {@code startNanos}/{@code endNanos} are {@link System#nanoTime()} readings (comparable
 * between tiers of one JVM: the stack runs every tier in one process), {@code startEpochMicros} the same
 * start on the wall clock. For a received message start is when its first byte was seen and end when it
 * was decoded; for a sent message, from starting to encode it to handing it to the socket.
 *
 * <p>Built with {@link #builder} or, at a tier, {@link TraceRecorder#hop}, which fills in the tier and
 * instance names and the clock.
 */
public record Hop(String traceId, String tier, String instance, Protocol protocol, Direction direction,
                  String summary, String peer, long startNanos, long endNanos, long startEpochMicros,
                  List<Field> fields) {

    public Hop {
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(summary, "summary");
        peer = peer == null ? "" : peer;
        fields = List.copyOf(fields);
        if (endNanos < startNanos) {
            throw new IllegalArgumentException("hop ends before it starts: " + summary);
        }
    }

    public long durationNanos() {
        return endNanos - startNanos;
    }

    public static Builder builder(String traceId, Protocol protocol, Direction direction) {
        return new Builder(traceId, protocol, direction);
    }

    /** Builds a hop; unset timings default to "now", an unset tier to "unknown". */
    public static final class Builder {
        private final String traceId;
        private final Protocol protocol;
        private final Direction direction;
        private String tier = "unknown";
        private String instance = "unknown";
        private String summary = "";
        private String peer = "";
        private long startNanos = Long.MIN_VALUE;
        private long endNanos = Long.MIN_VALUE;
        private long startEpochMicros = Long.MIN_VALUE;
        private TraceClock clock;
        private final List<Field> fields = new ArrayList<>();

        private Builder(String traceId, Protocol protocol, Direction direction) {
            this.traceId = traceId;
            this.protocol = protocol;
            this.direction = direction;
        }

        public Builder tier(String tier, String instance) {
            this.tier = tier;
            this.instance = instance;
            return this;
        }

        public Builder summary(String summary) {
            this.summary = summary;
            return this;
        }

        /** The other end of the connection, e.g. "127.0.0.1:50412". */
        public Builder peer(String peer) {
            this.peer = peer;
            return this;
        }

        /** Start and end as {@link System#nanoTime()} readings. */
        public Builder timing(long startNanos, long endNanos) {
            this.startNanos = startNanos;
            this.endNanos = endNanos;
            return this;
        }

        /** The wall-clock start, when it is known better than the clock's estimate (as when read from JSON). */
        public Builder startEpochMicros(long micros) {
            this.startEpochMicros = micros;
            return this;
        }

        public Builder clock(TraceClock clock) {
            this.clock = clock;
            return this;
        }

        public Builder field(Field field) {
            fields.add(field);
            return this;
        }

        public Builder fields(List<Field> more) {
            fields.addAll(more);
            return this;
        }

        public Hop build() {
            long now = System.nanoTime();
            long start = startNanos == Long.MIN_VALUE ? now : startNanos;
            long end = endNanos == Long.MIN_VALUE ? start : endNanos;
            long wall = startEpochMicros;
            if (wall == Long.MIN_VALUE) {
                wall = clock != null ? clock.epochMicros(start)
                        : System.currentTimeMillis() * 1000L - (now - start) / 1000L;
            }
            return new Hop(traceId, tier, instance, protocol, direction, summary, peer, start, end, wall, fields);
        }
    }
}
