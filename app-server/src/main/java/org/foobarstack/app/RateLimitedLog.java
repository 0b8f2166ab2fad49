package org.foobarstack.app;

import org.slf4j.Logger;

/**
 * Logs bad input at most {@code maxPerWindow} lines per window, then counts what it drops and reports the count
 * with the next line it lets through. A peer that sends garbage in a loop must not fill the disk.
 *
 * <p>One instance per server (no static state), shared by that server's connections.
 */
public final class RateLimitedLog {

    private final Logger logger;
    private final int maxPerWindow;
    private final long windowNanos;
    private long windowStart;
    private int linesInWindow;
    private long suppressed;

    public RateLimitedLog(Logger logger, int maxPerWindow, long windowMillis) {
        this.logger = logger;
        this.maxPerWindow = maxPerWindow;
        this.windowNanos = windowMillis * 1_000_000L;
        this.windowStart = System.nanoTime();
    }

    /** Logs one warning line unless the window's budget is spent. */
    public synchronized void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow >= maxPerWindow) {
            suppressed++;
            return;
        }
        linesInWindow++;
        if (suppressed > 0) {
            logger.warn("({} similar lines suppressed)", suppressed);
            suppressed = 0;
        }
        logger.warn(format, args);
    }
}
