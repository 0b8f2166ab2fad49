package org.foobarstack.lb.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How servers are checked, HAProxy's {@code check inter 2s rise 2 fall 3} with {@code option httpchk GET /health}.
 *
 * @param type    TCP: a connect is a success (HAProxy's default check, layer 4); HTTP: {@code GET path} must be
 *                answered 2xx or 3xx (layer 7)
 * @param path    the path of an HTTP check
 * @param inter   time between two checks of one server
 * @param timeout how long one check may take (HAProxy's {@code timeout check})
 * @param rise    consecutive successes that bring a DOWN server UP
 * @param fall    consecutive failures that take an UP server DOWN
 * @param errorLimit consecutive 5xx answers seen on traffic that count as one failed check (HAProxy's
 *                {@code observe layer7} with {@code error-limit}, default 10, and {@code on-error fail-check}): a server
 *                that answers is alive, and one 503 of its application is no reason to take it out
 */
public record HealthCheckConfig(CheckType type, String path, Duration inter, Duration timeout, int rise, int fall,
                                int errorLimit) {

    /** HAProxy's default {@code error-limit}. */
    public static final int DEFAULT_ERROR_LIMIT = 10;

    /** What a check does. */
    public enum CheckType { TCP, HTTP }

    public HealthCheckConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        if (inter.isNegative() || inter.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("inter and timeout must be positive");
        }
        if (rise < 1 || fall < 1 || errorLimit < 1) {
            throw new IllegalArgumentException("rise, fall and error-limit must be at least 1");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("the check path must start with /: " + path);
        }
    }

    /** With HAProxy's default error limit. */
    public HealthCheckConfig(CheckType type, String path, Duration inter, Duration timeout, int rise, int fall) {
        this(type, path, inter, timeout, rise, fall, DEFAULT_ERROR_LIMIT);
    }

    /** HAProxy's defaults, with an HTTP check of /health. */
    public static HealthCheckConfig defaults() {
        return new HealthCheckConfig(CheckType.HTTP, "/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
    }

    public HealthCheckConfig withInter(Duration newInter) {
        return new HealthCheckConfig(type, path, newInter, timeout, rise, fall, errorLimit);
    }

    public HealthCheckConfig withType(CheckType newType) {
        return new HealthCheckConfig(newType, path, inter, timeout, rise, fall, errorLimit);
    }

    public HealthCheckConfig withRiseFall(int newRise, int newFall) {
        return new HealthCheckConfig(type, path, inter, timeout, newRise, newFall, errorLimit);
    }

    public HealthCheckConfig withTimeout(Duration newTimeout) {
        return new HealthCheckConfig(type, path, inter, newTimeout, rise, fall, errorLimit);
    }

    public HealthCheckConfig withErrorLimit(int newErrorLimit) {
        return new HealthCheckConfig(type, path, inter, timeout, rise, fall, newErrorLimit);
    }

    /** "check inter 2s rise 2 fall 3 (HTTP GET /health)", as the stats page and logs show it. */
    public String describe() {
        return "check inter " + inter.toMillis() + "ms rise " + rise + " fall " + fall
                + (type == CheckType.HTTP ? " (HTTP GET " + path + ")" : " (TCP connect)");
    }
}
