package org.foobarstack.firewall;

/**
 * How much one line of a firewall matched: the {@code counter} of an nftables rule, which
 * {@code nft list ruleset} prints as {@code counter packets 12 bytes 720}. Here it counts connections and
 * datagrams, not packets.
 *
 * @param rule    the rule, or null for the default policy
 * @param action  what that line does
 * @param matched how many connections and datagrams it decided
 */
public record RuleCount(Rule rule, Action action, long matched) {

    /** How many of them it stopped: all it matched if it drops or rejects, none if it accepts. */
    public long blocked() {
        return action == Action.ACCEPT ? 0 : matched;
    }

    /** "rule 2" or "default policy". */
    public String name() {
        return rule == null ? "default policy" : "rule " + rule.number();
    }
}
