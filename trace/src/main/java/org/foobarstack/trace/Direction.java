package org.foobarstack.trace;

import java.util.Locale;

/** Whether the recording tier received the message or sent it. */
public enum Direction {
    RECEIVED,
    SENT;

    /** The lower-case word used in JSON and in printed journeys. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Direction fromWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
