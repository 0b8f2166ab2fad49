package org.foobarstack.topology;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A host's firewall as the topology file writes it: rules tried in order, the first that matches a connection (or
 * a datagram) decides, and the default policy decides the rest. What a packet filter on the server itself
 * (nftables, iptables) does with its {@code input} chain.
 *
 * <pre>
 * firewall:
 *   default: drop
 *   rules:
 *     - { accept: tcp/8080, from: lb-1, comment: the balancer }
 *     - { accept: tcp/1527, from: [app], comment: the app servers }   # a role: every host that runs it
 *     - { reject: tcp/9000 }                                            # from anywhere
 * </pre>
 *
 * @param defaultPolicy what happens to what no rule matches
 * @param rules         the rules, numbered from 1 in the order written
 */
public record FirewallSpec(Policy defaultPolicy, List<RuleSpec> rules) {

    /** What a rule (or the default) does. */
    public enum Policy {
        /** Let it through. */
        ACCEPT,
        /** Say nothing: the client waits until it gives up. */
        DROP,
        /** Refuse at once: a TCP reset. */
        REJECT;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Policy> fromKey(String key) {
            for (Policy p : values()) {
                if (p.key().equals(key)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One rule.
     *
     * @param action   accept, drop or reject
     * @param protocol "tcp", "udp", or null for both
     * @param port     the destination port, or 0 for every port
     * @param from     where it comes from: host names, role names (every host running that role: "app"), IPv4
     *                 addresses or CIDR blocks; empty for anywhere
     * @param comment  why the rule is there (may be empty)
     */
    public record RuleSpec(Policy action, String protocol, int port, List<String> from, String comment) {
        public RuleSpec {
            Objects.requireNonNull(action, "action");
            from = List.copyOf(from);
            comment = comment == null ? "" : comment;
        }
    }

    public FirewallSpec {
        Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        rules = List.copyOf(rules);
    }
}
