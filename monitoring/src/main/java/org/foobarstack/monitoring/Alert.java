package org.foobarstack.monitoring;

import java.time.Instant;

/**
 * One alert: a rule applied to one subject (a host for HostDown, an instance for the others), and where it is in
 * its life.
 *
 * @param rule         the rule's name ("HostDown")
 * @param subject      what it is about ("web-server-2", "web-1")
 * @param state        pending, firing or resolved (an inactive alert is forgotten)
 * @param since        when it entered that state
 * @param activeSince  when its condition last became true (the start of the {@code for} wait)
 * @param description  why, in words, as of the last evaluation ("no push for 3.2 s")
 */
public record Alert(String rule, String subject, AlertState state, Instant since, Instant activeSince,
                    String description) {
}
