package org.foobarstack.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * How a load balancer checks its servers, with HAProxy's keywords and defaults.
 *
 * <p>Every {@code inter}, the balancer checks each server. A server that is up is marked down
 * after {@code fall} failed checks in a row, and a server that is down is marked up again after
 * {@code rise} good ones: one lost check does not take a server out, and a server that has just
 * come back is not given traffic before it has answered twice.
 *
 * @param type a TCP connect or an HTTP request
 * @param path the path asked for by HTTP checks ({@code /health} by default); it must start with {@code /}
 * @param inter time between two checks of one server; HAProxy's {@code inter}, 2s by default
 * @param timeout how long one check may take before it counts as failed; HAProxy's {@code timeout
 *     check}, 1s by default here (without it HAProxy waits up to {@code inter})
 * @param rise good checks in a row that bring a server back up; HAProxy's {@code rise}, 2 by default
 * @param fall failed checks in a row that take a server down; HAProxy's {@code fall}, 3 by default
 */
public record HealthCheckSpec(CheckType type, String path, Duration inter, Duration timeout, int rise, int fall) {

    /** HTTP {@code GET /health} every 2s, 1s to answer, up after 2 good checks, down after 3 failed ones. */
    public static final HealthCheckSpec DEFAULT =
            new HealthCheckSpec(CheckType.HTTP, "/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);

    public HealthCheckSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        requirePositive(inter, "inter");
        requirePositive(timeout, "timeout");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("check path must start with /, got " + path);
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be 1 or more, got " + rise + " and " + fall);
        }
    }

    static Duration requirePositive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        }
        return duration;
    }
}
