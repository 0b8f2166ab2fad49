package org.foobarstack.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

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
public final class Hop {

    private final String traceId;
    private final String tier;
    private final String instance;
    private final Protocol protocol;
    private final Direction direction;
    private final String summary;
    private final String peer;
    private final long startNanos;
    private final long endNanos;
    private final long startEpochMicros;
    /**
     * The decoded fields, built on first read. Decoding a message into a field tree costs more than handling
     * the message (tens of microseconds for a DNS answer), and most recorded hops are never looked at: the
     * ring overwrites them first. So a tier hands over the raw bytes inside a supplier and the tree is built
     * when the dashboard, the trace API or a test asks for it.
     */
    private Supplier<List<Field>> pendingFields;
    private volatile List<Field> fields;

    public Hop(String traceId, String tier, String instance, Protocol protocol, Direction direction,
               String summary, String peer, long startNanos, long endNanos, long startEpochMicros,
               List<Field> fields) {
        this(traceId, tier, instance, protocol, direction, summary, peer, startNanos, endNanos, startEpochMicros,
                List.copyOf(fields), null);
    }

    private Hop(String traceId, String tier, String instance, Protocol protocol, Direction direction,
                String summary, String peer, long startNanos, long endNanos, long startEpochMicros,
                List<Field> fields, Supplier<List<Field>> pendingFields) {
        this.traceId = Objects.requireNonNull(traceId, "traceId");
        this.tier = Objects.requireNonNull(tier, "tier");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.summary = Objects.requireNonNull(summary, "summary");
        this.peer = peer == null ? "" : peer;
        if (endNanos < startNanos) {
            throw new IllegalArgumentException("hop ends before it starts: " + summary);
        }
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.startEpochMicros = startEpochMicros;
        this.fields = fields;
        this.pendingFields = pendingFields;
    }

    public String traceId() {
        return traceId;
    }

    public String tier() {
        return tier;
    }

    public String instance() {
        return instance;
    }

    public Protocol protocol() {
        return protocol;
    }

    public Direction direction() {
        return direction;
    }

    public String summary() {
        return summary;
    }

    public String peer() {
        return peer;
    }

    public long startNanos() {
        return startNanos;
    }

    public long endNanos() {
        return endNanos;
    }

    public long startEpochMicros() {
        return startEpochMicros;
    }

    /** The decoded fields; the first call decodes them if the tier handed them over undecoded. */
    public List<Field> fields() {
        List<Field> result = fields;
        if (result == null) {
            synchronized (this) {
                result = fields;
                if (result == null) {
                    List<Field> decoded;
                    try {
                        decoded = List.copyOf(pendingFields.get());
                    } catch (RuntimeException e) {
                        decoded = List.of(Field.info("Fields", "could not be decoded: " + e.getMessage()));
                    }
                    fields = result = decoded;
                    pendingFields = null;
                }
            }
        }
        return result;
    }

    public long durationNanos() {
        return endNanos - startNanos;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Hop h && traceId.equals(h.traceId) && tier.equals(h.tier)
                && instance.equals(h.instance) && protocol == h.protocol && direction == h.direction
                && summary.equals(h.summary) && peer.equals(h.peer) && startNanos == h.startNanos
                && endNanos == h.endNanos && startEpochMicros == h.startEpochMicros && fields().equals(h.fields());
    }

    @Override
    public int hashCode() {
        return Objects.hash(traceId, tier, instance, protocol, direction, summary, peer, startNanos, endNanos,
                startEpochMicros);
    }

    @Override
    public String toString() {
        return "Hop[" + tier + "/" + instance + " " + protocol + " " + direction + " " + summary + " trace "
                + traceId + "]";
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
        private final List<Supplier<List<Field>>> lazyFields = new ArrayList<>();

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

        /**
         * Fields decoded only when someone reads the hop ({@link Hop#fields()}): pass the message's bytes in
         * the supplier, e.g. {@code .fields(() -> DnsFields.of(wire))}. They follow any fields given directly.
         * The bytes must not change afterwards: copy them out of a pooled buffer first.
         */
        public Builder fields(Supplier<List<Field>> decodeLater) {
            lazyFields.add(decodeLater);
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
            if (lazyFields.isEmpty()) {
                return new Hop(traceId, tier, instance, protocol, direction, summary, peer, start, end, wall, fields);
            }
            List<Field> eager = List.copyOf(fields);
            List<Supplier<List<Field>>> later = List.copyOf(lazyFields);
            return new Hop(traceId, tier, instance, protocol, direction, summary, peer, start, end, wall, null, () -> {
                List<Field> all = new ArrayList<>(eager);
                for (Supplier<List<Field>> supplier : later) {
                    all.addAll(supplier.get());
                }
                return all;
            });
        }
    }
}
