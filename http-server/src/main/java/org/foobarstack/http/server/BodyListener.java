package org.foobarstack.http.server;

import org.foobarstack.httpcodec.parser.HttpBodyPart;

/** Receives a request body as it arrives, part by part, on the connection's event loop. */
public interface BodyListener {

    /** One piece of the body; the listener owns it and must release it. The last piece is marked. */
    void onPart(HttpBodyPart part);

    /** The body broke off: the client sent bytes that break a framing rule, or went away. */
    default void onAbort(String reason) {
    }

    /** A body that was not asked for is released unread. */
    static BodyListener discard() {
        return part -> part.release();
    }
}
