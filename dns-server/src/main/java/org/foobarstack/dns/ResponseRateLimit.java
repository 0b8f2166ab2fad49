package org.foobarstack.dns;

import java.time.InstantSource;
import java.util.Objects;

/**
 * The settings of Response Rate Limiting (RRL) over UDP, as BIND 9 ({@code rate-limit { ... }}) and NSD
 * ({@code rrl-ratelimit}, {@code rrl-slip}) name them. {@link #OFF} by default; {@link #perSecond(int)} gives BIND's
 * defaults for everything but the rate, which BIND also leaves to the operator. See {@link ResponseRateLimiter}
 * for what is counted and what happens over the limit.
 *
 * @param responsesPerSecond identical responses (same client prefix, same token) allowed per second; 0 turns RRL off
 * @param window seconds over which a flooding client's debt is kept: its balance may go down to
 *     {@code -window * responsesPerSecond}, so it stays limited until its average over the window falls under the
 *     rate (BIND's {@code window}, default 15, 1 to 3600)
 * @param slip over the limit, every {@code slip}-th response is sent truncated (TC set, no records) instead of
 *     dropped, so that a real client behind a spoofed flood retries over TCP and is still answered; 1 truncates
 *     every limited response, 0 drops them all (BIND's and NSD's {@code slip}, default 2)
 * @param ipv4PrefixLength IPv4 clients are grouped by this prefix (BIND's {@code ipv4-prefix-length}, default 24)
 * @param ipv6PrefixLength IPv6 clients are grouped by this prefix (BIND's {@code ipv6-prefix-length}, default 56)
 * @param maxTableSize accounts kept at most; past it the least recently used one is forgotten, so spoofed
 *     sources cannot grow memory without end (BIND's {@code max-table-size}, default 20,000)
 * @param clock where the current second comes from; tests pass a fixed one so that no second boundary falls
 *     into a burst
 */
public record ResponseRateLimit(int responsesPerSecond, int window, int slip, int ipv4PrefixLength,
                                int ipv6PrefixLength, int maxTableSize, InstantSource clock) {

    /** BIND's default window, in seconds. */
    public static final int DEFAULT_WINDOW = 15;
    /** BIND's and NSD's default slip: every second limited response goes out truncated. */
    public static final int DEFAULT_SLIP = 2;
    public static final int DEFAULT_IPV4_PREFIX = 24;
    public static final int DEFAULT_IPV6_PREFIX = 56;
    public static final int DEFAULT_MAX_TABLE_SIZE = 20_000;
    /** BIND's limits on window and slip. */
    static final int MAX_WINDOW = 3600;
    static final int MAX_SLIP = 10;

    /** No rate limiting: every response is sent (the default). */
    public static final ResponseRateLimit OFF = perSecond(0);

    public ResponseRateLimit {
        Objects.requireNonNull(clock, "clock");
        if (responsesPerSecond < 0) {
            throw new IllegalArgumentException("responsesPerSecond must not be negative, got " + responsesPerSecond);
        }
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be 1.." + MAX_WINDOW + " seconds, got " + window);
        }
        if (slip < 0 || slip > MAX_SLIP) {
            throw new IllegalArgumentException("slip must be 0.." + MAX_SLIP + ", got " + slip);
        }
        if (ipv4PrefixLength < 0 || ipv4PrefixLength > 32) {
            throw new IllegalArgumentException("ipv4PrefixLength must be 0..32, got " + ipv4PrefixLength);
        }
        if (ipv6PrefixLength < 0 || ipv6PrefixLength > 128) {
            throw new IllegalArgumentException("ipv6PrefixLength must be 0..128, got " + ipv6PrefixLength);
        }
        if (maxTableSize < 1) {
            throw new IllegalArgumentException("maxTableSize must be at least 1, got " + maxTableSize);
        }
    }

    /** {@code n} responses a second per client prefix and token, BIND's defaults for the rest; 0 is {@link #OFF}. */
    public static ResponseRateLimit perSecond(int n) {
        return new ResponseRateLimit(n, DEFAULT_WINDOW, DEFAULT_SLIP, DEFAULT_IPV4_PREFIX, DEFAULT_IPV6_PREFIX,
                DEFAULT_MAX_TABLE_SIZE, InstantSource.system());
    }

    /** Whether responses are limited at all. */
    public boolean enabled() {
        return responsesPerSecond > 0;
    }

    public ResponseRateLimit withWindow(int seconds) {
        return new ResponseRateLimit(responsesPerSecond, seconds, slip, ipv4PrefixLength, ipv6PrefixLength,
                maxTableSize, clock);
    }

    public ResponseRateLimit withSlip(int every) {
        return new ResponseRateLimit(responsesPerSecond, window, every, ipv4PrefixLength, ipv6PrefixLength,
                maxTableSize, clock);
    }

    public ResponseRateLimit withPrefixLengths(int ipv4, int ipv6) {
        return new ResponseRateLimit(responsesPerSecond, window, slip, ipv4, ipv6, maxTableSize, clock);
    }

    public ResponseRateLimit withMaxTableSize(int entries) {
        return new ResponseRateLimit(responsesPerSecond, window, slip, ipv4PrefixLength, ipv6PrefixLength, entries,
                clock);
    }

    public ResponseRateLimit withClock(InstantSource source) {
        return new ResponseRateLimit(responsesPerSecond, window, slip, ipv4PrefixLength, ipv6PrefixLength,
                maxTableSize, source);
    }

    @Override
    public String toString() {
        return enabled()
                ? responsesPerSecond + "/s, window " + window + " s, slip " + slip + ", /" + ipv4PrefixLength
                        + " and /" + ipv6PrefixLength
                : "off";
    }
}
