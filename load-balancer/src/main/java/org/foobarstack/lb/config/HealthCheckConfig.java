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
 */
public record HealthCheckConfig(CheckType type, String path, Duration inter, Duration timeout, int rise, int fall) {

    /** What a check does. */
    public enum CheckType { TCP, HTTP }

    public HealthCheckConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        if (inter.isNegative() || inter.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("inter and timeout must be positive");
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("the check path must start with /: " + path);
        }
    }

    /** HAProxy's defaults, with an HTTP check of /health. */
    public static HealthCheckConfig defaults() {
        return new HealthCheckConfig(CheckType.HTTP, "/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
    }

    public HealthCheckConfig withInter(Duration newInter) {
        return new HealthCheckConfig(type, path, newInter, timeout, rise, fall);
    }

    public HealthCheckConfig withType(CheckType newType) {
        return new HealthCheckConfig(newType, path, inter, timeout, rise, fall);
    }

    public HealthCheckConfig withRiseFall(int newRise, int newFall) {
        return new HealthCheckConfig(type, path, inter, timeout, newRise, newFall);
    }

    public HealthCheckConfig withTimeout(Duration newTimeout) {
        return new HealthCheckConfig(type, path, inter, newTimeout, rise, fall);
    }

    /** "check inter 2s rise 2 fall 3 (HTTP GET /health)", as the stats page and logs show it. */
    public String describe() {
        return "check inter " + inter.toMillis() + "ms rise " + rise + " fall " + fall
                + (type == CheckType.HTTP ? " (HTTP GET " + path + ")" : " (TCP connect)");
    }
}
