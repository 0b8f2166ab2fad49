package org.foobarstack.trace.faults;

import java.time.Duration;
import java.util.Objects;

/**
 * One fault a server injects into its own connections: WHEN ({@link Trigger}, and for a body how many bytes
 * first) and WHAT ({@link Effect}), and how often ({@link Repeat}). A value: make it once, add it to any number
 * of plans.
 *
 * <pre>{@code
 * Fault.on(Trigger.RESPONSE_BODY).after(512).then(Effect.RESET)     // cut the response after 512 body bytes
 * Fault.on(Trigger.RESPONSE_START).then(Effect.STALL)                // hang after the request was read
 * Fault.on(Trigger.QUERY_OVER_TCP).delay(Duration.ofMillis(300))     // a slow name server, TCP only
 * Fault.on(Trigger.REQUEST_BODY).then(Effect.CLOSE).once()           // the next request only
 * }</pre>
 *
 * @param trigger    when it fires
 * @param afterBytes for {@link Trigger#REQUEST_BODY} and {@link Trigger#RESPONSE_BODY}: how many bytes of the
 *                   body pass before it fires (0: at the first byte); 0 for every other trigger
 * @param effect     what it does
 * @param delay      how long {@link Effect#DELAY} waits; {@link Duration#ZERO} for the other effects
 * @param repeat     once, or every time (the default)
 */
public record Fault(Trigger trigger, long afterBytes, Effect effect, Duration delay, Repeat repeat) {

    public Fault {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(repeat, "repeat");
        if (afterBytes < 0) {
            throw new IllegalArgumentException("afterBytes " + afterBytes + " < 0");
        }
        if (afterBytes > 0 && !trigger.countsBytes()) {
            throw new IllegalArgumentException(trigger + " happens once per request and counts no bytes: "
                    + "after(bytes) goes with REQUEST_BODY or RESPONSE_BODY");
        }
        if (effect == Effect.DELAY && (delay.isZero() || delay.isNegative())) {
            throw new IllegalArgumentException("a DELAY needs a positive delay: use delay(Duration)");
        }
        if (effect != Effect.DELAY && !delay.isZero()) {
            throw new IllegalArgumentException("only a DELAY has a delay, not " + effect);
        }
    }

    /** Starts a fault: when it fires. Finish it with {@link Builder#then} or {@link Builder#delay}. */
    public static Builder on(Trigger trigger) {
        return new Builder(trigger, 0);
    }

    /** This fault, firing only the first time its trigger is reached. */
    public Fault once() {
        return new Fault(trigger, afterBytes, effect, delay, Repeat.ONCE);
    }

    /** This fault, firing every time its trigger is reached (the default). */
    public Fault everyTime() {
        return new Fault(trigger, afterBytes, effect, delay, Repeat.EVERY_TIME);
    }

    /** "RESET on RESPONSE_BODY after 512 bytes, once": for logs and failure messages. */
    public String describe() {
        return (effect == Effect.DELAY ? "DELAY " + delay.toMillis() + " ms" : effect.name()) + " on " + trigger
                + (trigger.countsBytes() ? " after " + afterBytes + " bytes" : "")
                + (repeat == Repeat.ONCE ? ", once" : ", every time");
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * The half-made fault: its trigger, and for a body the byte count. Immutable, like the fault it makes.
     *
     * @param trigger    when the fault fires
     * @param afterBytes how many body bytes pass first
     */
    public record Builder(Trigger trigger, long afterBytes) {

        public Builder {
            Objects.requireNonNull(trigger, "trigger");
        }

        /** For a body trigger: let {@code bytes} bytes of the body pass, then fire. */
        public Builder after(long bytes) {
            if (!trigger.countsBytes()) {
                throw new IllegalArgumentException(trigger + " counts no bytes: after(bytes) goes with REQUEST_BODY "
                        + "or RESPONSE_BODY");
            }
            return new Builder(trigger, bytes);
        }

        /** The fault: do {@code effect} (any but {@link Effect#DELAY}, which is {@link #delay}). */
        public Fault then(Effect effect) {
            if (effect == Effect.DELAY) {
                throw new IllegalArgumentException("a DELAY needs its length: use delay(Duration)");
            }
            return new Fault(trigger, afterBytes, effect, Duration.ZERO, Repeat.EVERY_TIME);
        }

        /** The fault: wait {@code delay}, then carry on ({@link Effect#DELAY}). */
        public Fault delay(Duration delay) {
            return new Fault(trigger, afterBytes, Effect.DELAY, delay, Repeat.EVERY_TIME);
        }
    }
}
