package org.foobarstack.fastcgi.client;

/** Why a call to the responder failed; the web tier maps {@link Kind} to 502, 503 or 504. */
public final class FastCgiClientException extends RuntimeException {

    public enum Kind {
        /** The responder could not be reached: refused, unreachable, or the connect timed out. */
        CONNECT_FAILED,
        /** The connection broke before the request ended. */
        CONNECTION_LOST,
        /** The responder stayed silent longer than the response timeout. */
        TIMEOUT,
        /** The responder sent something that is not FastCGI, or not at this point. */
        PROTOCOL_ERROR,
        /** The responder declined the request: END_REQUEST with CANT_MPX_CONN, OVERLOADED or UNKNOWN_ROLE. */
        REJECTED
    }

    private final Kind kind;

    public FastCgiClientException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public FastCgiClientException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
