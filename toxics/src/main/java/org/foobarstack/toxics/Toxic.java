package org.foobarstack.toxics;

import java.time.Duration;
import java.util.Objects;

/**
 * One toxic as Toxiproxy defines it: a name, the stream it acts on, its toxicity and its effect.
 *
 * <pre>
 *   Toxic.latency(Duration.ofMillis(200))                  // "latency_downstream", every connection
 *   Toxic.bandwidth(64).upstream().named("slow-uploads")    // 64 KB/s from the client to the server
 *   Toxic.resetPeer(Duration.ZERO).toxicity(0.25)           // a quarter of the connections get it
 * </pre>
 *
 * <p>As in Toxiproxy the name defaults to {@code <type>_<stream>} ({@code latency_downstream}), the stream to
 * downstream and the toxicity to 1. A proxy holds at most one toxic of a name; that name removes it again.
 *
 * @param name     unique on a proxy
 * @param stream   which stream of each connection it acts on
 * @param toxicity the probability, from 0 to 1, that a connection gets the toxic; drawn once per connection from
 *                 the proxy's seeded random, so a test is repeatable
 * @param effect   what it does
 */
public record Toxic(String name, Direction stream, double toxicity, Effect effect) {

    public Toxic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(effect, "effect");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a toxic needs a name");
        }
        if (!(toxicity >= 0 && toxicity <= 1)) {
            throw new IllegalArgumentException("toxicity must lie in 0..1, got " + toxicity);
        }
    }

    /** A toxic with Toxiproxy's defaults: downstream, toxicity 1, named {@code <type>_downstream}. */
    public static Toxic of(Effect effect) {
        return new Toxic(defaultName(effect, Direction.DOWNSTREAM), Direction.DOWNSTREAM, 1.0, effect);
    }

    /** {@code latency}: each chunk delayed by {@code latency}. */
    public static Toxic latency(Duration latency) {
        return of(new Latency(latency, Duration.ZERO));
    }

    /** {@code latency}: each chunk delayed by {@code latency ± jitter}. */
    public static Toxic latency(Duration latency, Duration jitter) {
        return of(new Latency(latency, jitter));
    }

    /** {@code bandwidth}: at most {@code rateKbPerSecond} KB (1,000 bytes) a second. */
    public static Toxic bandwidth(long rateKbPerSecond) {
        return of(new Bandwidth(rateKbPerSecond));
    }

    /** {@code slow_close}: the close passed on {@code delay} late. */
    public static Toxic slowClose(Duration delay) {
        return of(new SlowClose(delay));
    }

    /** {@code timeout}: all data stopped; closed after {@code timeout}, never for zero. */
    public static Toxic timeout(Duration timeout) {
        return of(new Timeout(timeout));
    }

    /** {@code reset_peer}: reset (TCP RST) {@code timeout} after the first data. */
    public static Toxic resetPeer(Duration timeout) {
        return of(new ResetPeer(timeout));
    }

    /** {@code slicer}: data cut into slices of {@code averageSize ± sizeVariation} bytes, {@code delay} apart. */
    public static Toxic slicer(int averageSize, int sizeVariation, Duration delay) {
        return of(new Slicer(averageSize, sizeVariation, delay));
    }

    /** {@code limit_data}: closed after {@code bytes} bytes. */
    public static Toxic limitData(long bytes) {
        return of(new LimitData(bytes));
    }

    /** The same toxic under another name. */
    public Toxic named(String newName) {
        return new Toxic(newName, stream, toxicity, effect);
    }

    /** The same toxic on the client-to-server stream; a default name follows the stream. */
    public Toxic upstream() {
        return on(Direction.UPSTREAM);
    }

    /** The same toxic on the server-to-client stream; a default name follows the stream. */
    public Toxic downstream() {
        return on(Direction.DOWNSTREAM);
    }

    /** The same toxic on {@code direction}; a default name ({@code <type>_<stream>}) follows the stream. */
    public Toxic on(Direction direction) {
        String newName = name.equals(defaultName(effect, stream)) ? defaultName(effect, direction) : name;
        return new Toxic(newName, direction, toxicity, effect);
    }

    /** The same toxic given to a connection with probability {@code probability}. */
    public Toxic toxicity(double probability) {
        return new Toxic(name, stream, probability, effect);
    }

    /** Toxiproxy's {@code type}. */
    public String type() {
        return effect.type();
    }

    private static String defaultName(Effect effect, Direction stream) {
        return effect.type() + "_" + stream.key();
    }
}
