package org.foobarstack.toxics;

import java.util.Locale;

/**
 * Which stream of a connection a toxic acts on: Toxiproxy's {@code stream} attribute.
 *
 * <p>{@link #UPSTREAM} is what the client sends towards the server (a request), {@link #DOWNSTREAM} what the server
 * sends back (a response). Toxiproxy's default, and ours, is downstream.
 */
public enum Direction {
    UPSTREAM, DOWNSTREAM;

    /** {@code upstream} or {@code downstream}, as Toxiproxy spells it in names and JSON. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
