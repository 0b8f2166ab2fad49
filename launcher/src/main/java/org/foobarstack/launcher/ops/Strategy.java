package org.foobarstack.launcher.ops;

import java.util.Arrays;
import java.util.Locale;
import org.foobarstack.admin.StackControl.ControlException;

/**
 * How a new version of the application reaches the servers, from the cure the seeds name for "downtime when new
 * code is deployed".
 */
public enum Strategy {
    /**
     * Every app and web server is stopped, then started again with the new version: what a one-server design can
     * do. Nothing answers in between: downtime.
     */
    ALL_AT_ONCE("all-at-once"),
    /**
     * One server at a time, behind the balancer: drain it, let its requests finish, stop it gracefully, start it
     * with the new version, wait for its health check to pass, put it back; then the next. The others serve
     * meanwhile, so no request fails, but for a while both versions answer.
     */
    ROLLING("rolling"),
    /**
     * A second set of servers (green) is started with the new version beside the live one (blue), checked, and the
     * balancer is switched over to it at once; blue stays running, idle, so that switching back is a rollback of a
     * second. Costs twice the servers.
     */
    BLUE_GREEN("blue-green");

    private final String word;

    Strategy(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** @throws ControlException 400 for a word that is no strategy */
    public static Strategy parse(String word) {
        for (Strategy s : values()) {
            if (s.word.equals(word.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new ControlException(400, "unknown strategy " + word + " (strategies: "
                + String.join(", ", Arrays.stream(values()).map(Strategy::word).toList()) + ")");
    }
}
