package org.foobarstack.monitoring;

import java.util.Locale;

/**
 * The life of one alert, with the names Prometheus and Alertmanager give its stages:
 *
 * <pre>
 *   INACTIVE ──condition true──► PENDING ──still true after "for"──► FIRING ──condition false──► RESOLVED
 *      ▲                            │                                  ▲                           │
 *      └──────condition false───────┘        (for = 0: straight to) ───┘        condition true ────┘
 * </pre>
 *
 * Prometheus has the first three (an alert rule's {@code for} is the pending time); "resolved" is what
 * Alertmanager calls an alert that stopped firing, which it announces once ({@code send_resolved}). A pending
 * alert whose condition clears before its {@code for} simply goes back to inactive: nobody was told about it.
 */
public enum AlertState {
    INACTIVE,
    PENDING,
    FIRING,
    RESOLVED;

    /** "firing", as in the log line and the JSON. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
