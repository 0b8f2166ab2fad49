package org.foobarstack.topology;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A failure after which a load balancer tries a request again: one condition of HAProxy's
 * {@code retry-on} keyword, with the same names. How many more attempts there are is
 * {@link LbTier#retries()}; whether the last one goes to another server is {@link LbTier#redispatch()}.
 *
 * <p>The two conditions differ in what the server may already have done. A connection that never
 * opened carried nothing, so trying again cannot do anything twice. A request that was sent may
 * have been carried out before the server went silent: posting a message twice is a real harm, so
 * the second condition is limited to requests that are safe to repeat.
 */
public enum RetryOn {

    /**
     * The connection to the server could not be opened: it was refused (nothing listens on the
     * port) or it timed out ({@code timeout connect}). The request never reached the server, so
     * it is safe to retry whatever its method. HAProxy's {@code retry-on conn-failure}, and
     * HAProxy's default.
     */
    CONN_FAILURE,

    /**
     * The server closed the connection after the request was sent and before any byte of a
     * response: typically a server killed while it held the request. The server may have acted on
     * the request, so the balancer retries it only for idempotent methods without a body
     * ({@code GET}, {@code HEAD}, ...): RFC 9110 §9.2.2 forbids a proxy to retry a non-idempotent
     * request ({@code POST}) automatically. HAProxy's {@code retry-on empty-response}.
     */
    EMPTY_RESPONSE;

    /** The word in a topology file: {@code conn-failure} or {@code empty-response}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The condition written as {@code key} in a topology file; empty for any other word (keys are lower case). */
    public static Optional<RetryOn> fromKey(String key) {
        return Arrays.stream(values()).filter(condition -> condition.key().equals(key)).findFirst();
    }
}
