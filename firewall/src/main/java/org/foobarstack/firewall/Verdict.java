package org.foobarstack.firewall;

import java.util.Objects;

/**
 * What the firewall decided for one connection or datagram, and which line of it decided.
 *
 * @param action what happens to it
 * @param rule   the first rule that matched, or null when none did and the default policy decided
 */
public record Verdict(Action action, Rule rule) {

    public Verdict {
        Objects.requireNonNull(action, "action");
    }

    /** Whether it goes through to the server. */
    public boolean accepted() {
        return action == Action.ACCEPT;
    }

    /** "rule 2" or "default policy": who decided, as log lines and counters name it. */
    public String decidedBy() {
        return rule == null ? "default policy" : "rule " + rule.number();
    }
}
