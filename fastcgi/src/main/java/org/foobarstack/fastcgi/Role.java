package org.foobarstack.fastcgi;

import java.util.Optional;

/**
 * The role a web server asks an application to play for one request (§6). Web servers in practice ask only for
 * RESPONDER, the role of a CGI program: params and a body in, an HTTP response out.
 */
public enum Role {
    /** §6.2: receives params and STDIN, writes the response on STDOUT. */
    RESPONDER(1),
    /** §6.3: decides whether a request may proceed. */
    AUTHORIZER(2),
    /** §6.4: like a responder, plus a DATA stream (a file) to transform. */
    FILTER(3);

    private final int code;

    Role(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<Role> of(int code) {
        for (Role role : values()) {
            if (role.code == code) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
