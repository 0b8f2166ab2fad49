package org.foobarstack.app;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * How much work one app server takes, <em>emulated</em>: {@code workers} threads, each request holding its worker
 * for at least {@code serviceTime}, and at most {@code queue} requests waiting for a worker; one more is refused
 * with FastCGI OVERLOADED (§5.5), which the web server answers 503.
 *
 * <p>Why emulated: every host of this stack is an address on one machine, and all of them share its cores (two on
 * the build machine). Ten app servers here do not serve ten times what one serves, so a lesson about adding
 * capacity would show nothing. A declared capacity makes each server behave like a machine of its own: at most
 * {@link #maxPerSecond()} requests a second, whatever the real machine could do. The real cost of each request is
 * measured and shown next to it (the passport's {@code capacity.real_cost_ms}); while it stays below the service
 * time, the declared figure is what limits.
 *
 * <p>Written as {@code WORKERSxTIME[,queue=N]} ({@link #parse}):
 * <pre>
 *   capacity = workers "x" time [ ",queue=" queue ]
 *   workers  = 1*DIGIT                 1..1024
 *   time     = 1*DIGIT ( "ms" / "s" )  more than zero
 *   queue    = 1*DIGIT                 0..1000000; default 4 x workers
 * </pre>
 * e.g. {@code 4x25ms} (4 workers, 25 ms each, so 160 requests/s, queue 16), {@code 1x200ms,queue=1},
 * {@code 2x1s,queue=0} (no waiting at all).
 *
 * @param workers     threads that run the application, 1..1024
 * @param serviceTime the least time a request holds its worker; positive
 * @param queue       requests that may wait for a worker, 0..1,000,000
 */
public record Capacity(int workers, Duration serviceTime, int queue) {

    /** The same bounds as the worker pool's own settings ({@link AppServerConfig#workerThreads()}). */
    static final int MAX_WORKERS = 1024;
    static final int MAX_QUEUE = 1_000_000;
    /**
     * Without {@code ,queue=N}, four waiting requests per worker: a request then waits at most four service times
     * for a worker before it starts, long enough to ride out a burst, short enough that a queue never hides an
     * overload for seconds.
     */
    static final int DEFAULT_QUEUE_PER_WORKER = 4;
    private static final String GRAMMAR = "expected WORKERSxTIME[,queue=N], e.g. 4x25ms or 4x25ms,queue=16";

    public Capacity {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("capacity: workers must be 1.." + MAX_WORKERS + ", got " + workers);
        }
        if (serviceTime == null || serviceTime.isNegative() || serviceTime.isZero()) {
            throw new IllegalArgumentException("capacity: the service time must be more than zero, got "
                    + serviceTime);
        }
        if (queue < 0 || queue > MAX_QUEUE) {
            throw new IllegalArgumentException("capacity: queue must be 0.." + MAX_QUEUE + ", got " + queue);
        }
    }

    /** The most requests a second this server answers: each worker finishes one per service time. */
    public double maxPerSecond() {
        return workers * 1e9 / serviceTime.toNanos();
    }

    /** "4 workers x 25 ms = 160 requests/s, queue 16 (emulated)". */
    public String describe() {
        return workers + (workers == 1 ? " worker" : " workers") + " x " + millis(serviceTime) + " ms = "
                + perSecond(maxPerSecond()) + " requests/s, queue " + queue + " (emulated)";
    }

    /** The service time in milliseconds, fractions kept: "25", "0.5". */
    static String millis(Duration duration) {
        return BigDecimal.valueOf(duration.toNanos(), 6).stripTrailingZeros().toPlainString();
    }

    private static String perSecond(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : String.format(Locale.ROOT, "%.1f", rate);
    }

    /**
     * Reads {@code WORKERSxTIME[,queue=N]} (see the class comment); spaces around the whole and around its parts
     * are ignored.
     *
     * @throws IllegalArgumentException saying which part is wrong and what was expected
     */
    public static Capacity parse(String text) {
        String spec = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (spec.isEmpty()) {
            throw new IllegalArgumentException("capacity is empty: " + GRAMMAR);
        }
        String[] parts = spec.split(",", -1);
        if (parts.length > 2) {
            throw invalid(text, "has " + (parts.length - 1) + " commas; queue=N is the only option");
        }
        String[] workersAndTime = parts[0].split("x", -1);
        if (workersAndTime.length != 2) {
            throw invalid(text, "does not start with WORKERSxTIME");
        }
        int workers = number(text, "workers", workersAndTime[0]);
        Duration serviceTime = duration(text, workersAndTime[1].strip());
        int queue = DEFAULT_QUEUE_PER_WORKER * workers;
        if (parts.length == 2) {
            String[] option = parts[1].split("=", -1);
            if (option.length != 2 || !option[0].strip().equals("queue")) {
                throw invalid(text, "has the option '" + parts[1].strip() + "'; the only option is queue=N");
            }
            queue = number(text, "queue", option[1]);
        }
        try {
            return new Capacity(workers, serviceTime, queue);
        } catch (IllegalArgumentException outOfRange) {
            throw new IllegalArgumentException(outOfRange.getMessage() + " (in '" + text + "')", outOfRange);
        }
    }

    /** "25ms" or "1s": a whole number, then the unit, milliseconds or seconds. */
    private static Duration duration(String text, String time) {
        int unitStart = 0;
        while (unitStart < time.length() && Character.isDigit(time.charAt(unitStart))) {
            unitStart++;
        }
        String unit = time.substring(unitStart).strip();
        if (unit.isEmpty()) {
            throw invalid(text, "gives the service time '" + time + "' without a unit; write it as 25ms or 1s");
        }
        if (!unit.equals("ms") && !unit.equals("s")) {
            throw invalid(text, "gives the service time in '" + unit + "'; the units are ms and s");
        }
        long amount = number(text, "the service time", time.substring(0, unitStart));
        return unit.equals("ms") ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
    }

    private static int number(String text, String what, String digits) {
        String value = digits.strip();
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(text, "gives " + what + " as '" + value + "', not a whole number");
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException tooLong) {
            throw invalid(text, "gives " + what + " as " + value + ", too large");
        }
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("capacity '" + text + "' " + why + ": " + GRAMMAR);
    }
}
