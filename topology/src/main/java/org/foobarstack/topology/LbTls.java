package org.foobarstack.topology;

/**
 * HTTPS at the load balancer, HAProxy's {@code bind :8443 ssl crt ...}: the balancer holds the site's certificate,
 * decrypts what browsers send, and (by default) speaks plain HTTP to the web servers behind it.
 *
 * <pre>
 * lb:
 *   https: { port: 8443, redirect: true, hsts-max-age: 31536000, to-servers: tls }
 * </pre>
 *
 * @param port       the HTTPS port, or {@link TierSpec#OFF} for a balancer that speaks plain HTTP only (the default)
 * @param redirect   whether plain-HTTP requests are answered {@code 301} to the same URL in https
 *                   ({@code http-request redirect scheme https})
 * @param hstsMaxAge seconds a browser must use HTTPS only for this site ({@code Strict-Transport-Security}, RFC
 *                   6797); 0 sends no such header
 * @param toServers  whether the balancer encrypts again to the web servers (TLS, their certificates verified:
 *                   HAProxy's {@code server ... ssl verify required}) instead of plain HTTP behind it
 */
public record LbTls(int port, boolean redirect, long hstsMaxAge, boolean toServers) {

    public static final int DEFAULT_PORT = 8443;
    /** A year, what browsers' preload lists ask for. */
    public static final long DEFAULT_HSTS_MAX_AGE = 31_536_000L;
    /** No HTTPS at the balancer. */
    public static final LbTls OFF = new LbTls(TierSpec.OFF, false, 0, false);

    public LbTls {
        Ports.requireValidOrOff(port, "lb https port");
        if (hstsMaxAge < 0) {
            throw new IllegalArgumentException("hsts-max-age must be 0 or more, got " + hstsMaxAge);
        }
        if (port == TierSpec.OFF && (redirect || hstsMaxAge > 0 || toServers)) {
            throw new IllegalArgumentException("redirect, hsts-max-age and to-servers need an https port");
        }
    }

    public boolean enabled() {
        return port != TierSpec.OFF;
    }

    LbTls withEphemeralPort() {
        return enabled() ? new LbTls(0, redirect, hstsMaxAge, toServers) : this;
    }
}
