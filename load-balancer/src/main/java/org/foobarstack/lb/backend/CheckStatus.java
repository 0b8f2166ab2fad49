package org.foobarstack.lb.backend;

/**
 * The outcome of one health check, with HAProxy's codes: a HAProxy user reads {@code L4CON} on our stats page and
 * knows it is "connection refused or reset", as on theirs.
 */
public enum CheckStatus {
    /** Not checked yet. */
    INI("initializing", true),
    /** The server is not checked (no {@code check} on its line): assumed up. */
    NONE("no check", true),
    /** Layer 4: the TCP connection opened. */
    L4OK("Layer4 check passed", true),
    /** Layer 4: no answer to the connect within the check timeout. */
    L4TOUT("Layer4 timeout", false),
    /** Layer 4: the connection was refused or reset. */
    L4CON("Layer4 connection problem", false),
    /** Layer 6: the TLS handshake finished and the server's certificate verified ({@code check-ssl}). */
    L6OK("Layer6 check passed", true),
    /** Layer 6: connected, but the TLS handshake did not finish in time. */
    L6TOUT("Layer6 timeout", false),
    /**
     * Layer 6: the TLS handshake failed: the certificate is not trusted or not for the expected name, or the
     * server does not speak TLS at all.
     */
    L6RSP("Layer6 invalid response", false),
    /** Layer 7: the check request was answered 2xx or 3xx. */
    L7OK("Layer7 check passed", true),
    /** Layer 7: connected, but no complete response within the check timeout. */
    L7TOUT("Layer7 timeout", false),
    /** Layer 7: the answer was not HTTP. */
    L7RSP("Layer7 invalid response", false),
    /** Layer 7: the answer had a status other than 2xx or 3xx. */
    L7STS("Layer7 wrong status", false);

    private final String description;
    private final boolean success;

    CheckStatus(String description, boolean success) {
        this.description = description;
        this.success = success;
    }

    /** "Layer4 connection problem", as HAProxy's logs say it. */
    public String description() {
        return description;
    }

    public boolean success() {
        return success;
    }
}
