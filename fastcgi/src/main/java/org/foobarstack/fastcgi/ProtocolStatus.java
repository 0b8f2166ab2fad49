package org.foobarstack.fastcgi;

import java.util.Optional;

/**
 * The protocolStatus byte of an END_REQUEST record (§5.5): whether the application handled the request at all.
 * The application's own outcome travels separately, in appStatus.
 */
public enum ProtocolStatus {
    /** Normal end of a request. */
    REQUEST_COMPLETE(0),
    /** The application handles one request per connection and this connection already has one. */
    CANT_MPX_CONN(1),
    /** The application is out of some resource, such as database connections. */
    OVERLOADED(2),
    /** The application does not play the role the web server asked for. */
    UNKNOWN_ROLE(3);

    private final int code;

    ProtocolStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<ProtocolStatus> of(int code) {
        for (ProtocolStatus status : values()) {
            if (status.code == code) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
