package org.foobarstack.trace;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * A log for lines a peer can provoke (bad input, refused connections, broken answers), written at most
 * {@link Policy#linesPerWindow} lines of each kind per {@link Policy#window}. Bad input is cheap to send: a server
 * that logged every bad packet would let anyone fill its disk.
 *
 * <p>A window opens with the first line of its kind. Lines over the window's budget are counted, not written; the
 * next line of that kind that gets through, in a later window, ends with how many were left out:
 * {@code "bad 4 (2 more of this kind in the last minute)"}.
 *
 * <p>{@link #warn(String, Object...)} and {@link #info(String, Object...)} share one kind, so one budget, between
 * all their lines. {@link #warnOfKind} names the kind, so that a flood of one problem does not hide another. A kind
 * is a fixed word (an enum constant's name, {@code "tcp-exception"}), never text from the peer: each kind keeps a
 * small window for as long as the log lives.
 *
 * <p>Messages use SLF4J's {@code {}} placeholders. Each server owns one instance (no static state), shared by its
 * connections; it is safe to use from any thread.
 */
public final class RateLimitedLog {

    /**
     * How much a {@link RateLimitedLog} writes: at most {@code linesPerWindow} lines of each kind per
     * {@code window}.
     */
    public record Policy(int linesPerWindow, Duration window) {

        /** Five lines a second: the policy of a log made with {@link RateLimitedLog#RateLimitedLog(Logger)}. */
        public static final Policy FIVE_PER_SECOND = perSecond(5);

        public Policy {
            Objects.requireNonNull(window, "window");
            if (linesPerWindow < 1) {
                throw new IllegalArgumentException("linesPerWindow must be at least 1, got " + linesPerWindow);
            }
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window must be positive, got " + window);
            }
        }

        public static Policy perSecond(int lines) {
            return new Policy(lines, Duration.ofSeconds(1));
        }

        public static Policy perMinute(int lines) {
            return new Policy(lines, Duration.ofMinutes(1));
        }

        /** The window in words, for the count of left-out lines: "minute", "second", "1500 ms". */
        String windowInWords() {
            if (window.equals(Duration.ofMinutes(1))) {
                return "minute";
            }
            if (window.equals(Duration.ofSeconds(1))) {
                return "second";
            }
            return window.toMillis() + " ms";
        }
    }

    /** Where the lines that get through go: a logger, or a list in a test. */
    @FunctionalInterface
    public interface Sink {

        void write(Level level, String line);

        /** False when the line would be thrown away anyway; such lines then spend no budget. */
        default boolean enabled(Level level) {
            return true;
        }
    }

    /** The kind of every line written through {@link #warn(String, Object...)} and {@link #info}. */
    private static final String ANY_KIND = "";

    private final Sink sink;
    private final Policy policy;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** One kind's window: when it opened, the lines written in it, and the lines left out since the last one. */
    private static final class Window {
        long openedAt;
        int written;
        long leftOut;

        Window(long openedAt) {
            this.openedAt = openedAt;
        }
    }

    /** A log with {@link Policy#FIVE_PER_SECOND}. */
    public RateLimitedLog(Logger logger) {
        this(logger, Policy.FIVE_PER_SECOND);
    }

    public RateLimitedLog(Logger logger, Policy policy) {
        this(sinkOf(logger), policy, System::nanoTime);
    }

    /** {@code nanoClock} is normally {@code System::nanoTime}; a test passes a clock it moves by hand. */
    public RateLimitedLog(Sink sink, Policy policy, LongSupplier nanoClock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.windowNanos = policy.window().toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public Policy policy() {
        return policy;
    }

    /** Writes a warning unless this window's budget for lines without a kind is spent. */
    public void warn(String format, Object... args) {
        write(Level.WARN, ANY_KIND, format, args);
    }

    /** Writes an info line unless this window's budget for lines without a kind is spent. */
    public void info(String format, Object... args) {
        write(Level.INFO, ANY_KIND, format, args);
    }

    /** Writes a warning unless this window's budget for {@code kind} is spent. */
    public void warnOfKind(String kind, String format, Object... args) {
        write(Level.WARN, Objects.requireNonNull(kind, "kind"), format, args);
    }

    private void write(Level level, String kind, String format, Object[] args) {
        if (!sink.enabled(level)) {
            return;
        }
        long leftOut = admit(kind);
        if (leftOut < 0) {
            return;
        }
        // Every argument fills its placeholder, a Throwable too (as its toString): the line stays one line.
        String line = MessageFormatter.arrayFormat(format, args, null).getMessage();
        sink.write(level, leftOut == 0 ? line
                : line + " (" + leftOut + " more of this kind in the last " + policy.windowInWords() + ")");
    }

    /** -1 if the line must be left out; otherwise how many lines of its kind were left out before it. */
    private long admit(String kind) {
        long now = nanoClock.getAsLong();
        Window window = windows.computeIfAbsent(kind, k -> new Window(now));
        synchronized (window) {
            if (now - window.openedAt >= windowNanos) {
                window.openedAt = now;
                window.written = 0;
            }
            if (window.written >= policy.linesPerWindow()) {
                window.leftOut++;
                return -1;
            }
            window.written++;
            long leftOut = window.leftOut;
            window.leftOut = 0;
            return leftOut;
        }
    }

    private static Sink sinkOf(Logger logger) {
        Objects.requireNonNull(logger, "logger");
        return new Sink() {
            @Override
            public void write(Level level, String line) {
                switch (level) {
                    case ERROR -> logger.error(line);
                    case WARN -> logger.warn(line);
                    case INFO -> logger.info(line);
                    case DEBUG -> logger.debug(line);
                    case TRACE -> logger.trace(line);
                }
            }

            @Override
            public boolean enabled(Level level) {
                return logger.isEnabledForLevel(level);
            }
        };
    }
}
