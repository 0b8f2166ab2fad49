package org.foobarstack.trace;

import org.slf4j.Logger;

/**
 * A logger that writes at most a few lines per second, so that a client sending garbage in a loop cannot flood the
 * log: bad input is "logged once", not once per byte. Lines over the budget are counted and the count is reported
 * with the next line that gets through.
 */
public final class RateLimitedLog {

    private static final int LINES_PER_SECOND = 5;

    private final Logger log;
    private long currentSecond;
    private int linesThisSecond;
    private long suppressed;

    public RateLimitedLog(Logger log) {
        this.log = log;
    }

    public void info(String format, Object... args) {
        if (log.isInfoEnabled() && allow()) {
            log.info(prefix() + format, args);
        }
    }

    public void warn(String format, Object... args) {
        if (log.isWarnEnabled() && allow()) {
            log.warn(prefix() + format, args);
        }
    }

    private synchronized String prefix() {
        if (suppressed == 0) {
            return "";
        }
        String p = "(" + suppressed + " similar lines suppressed) ";
        suppressed = 0;
        return p;
    }

    private synchronized boolean allow() {
        long second = System.currentTimeMillis() / 1000;
        if (second != currentSecond) {
            currentSecond = second;
            linesThisSecond = 0;
        }
        if (linesThisSecond < LINES_PER_SECOND) {
            linesThisSecond++;
            return true;
        }
        suppressed++;
        return false;
    }
}
