package org.foobarstack.monitoring;

import java.time.Instant;

/**
 * An alert moving from one state to another: what {@link MonitoringServer#onAlert} listeners receive, once per
 * transition, and what the server logs.
 */
public record AlertEvent(String rule, String subject, AlertState from, AlertState to, Instant at,
                         String description) {

    /** "ALERT firing: HostDown web-server-2 (no push for 3.2 s)". */
    public String logLine() {
        return "ALERT " + to.word() + ": " + rule + " " + subject + " (" + description + ")";
    }
}
