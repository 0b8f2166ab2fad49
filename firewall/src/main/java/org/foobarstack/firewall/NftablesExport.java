package org.foobarstack.firewall;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes a host's firewall as an nftables ruleset that a learner can load on a real server with
 * {@code nft -f FILE}, to see the same rules enforced by the kernel.
 *
 * <p>The ruleset is one table, {@code inet foobar_<host>}, with one base chain hooked on {@code input}:
 * <ol>
 *   <li>{@code ct state established,related accept}: a packet of a connection already accepted goes through
 *       without being judged again. This is what the emulation does too: a connection is judged once, when it is
 *       accepted. It also lets in the replies to this host's own outgoing connections.</li>
 *   <li>loopback traffic for other addresses is accepted: see below.</li>
 *   <li>ICMPv6 is accepted, because an {@code inet} table also sees IPv6, and without neighbour discovery IPv6
 *       stops working altogether. The emulation has no IPv6 and no ICMP to judge.</li>
 *   <li>one line per rule, in order, each with a {@code counter} and a {@code comment} naming the rule;</li>
 *   <li>the default policy, as a last counted rule. A chain's {@code policy} can only be accept or drop, so a
 *       rejecting default is written as rules that reject, over a {@code policy drop}.</li>
 * </ol>
 *
 * <p>Why every rule says {@code ip daddr HOST}: the usual first rule of a server's firewall,
 * {@code iif lo accept}, trusts whatever comes over the loopback interface. In foobar-stack every host is an
 * address on the loopback interface (127.0.0.x), so that rule would let every host in and defeat every other
 * rule. The rules here name the host's address instead, and only loopback traffic to other addresses is waved
 * through (another host's table judges it). On a real server the rules mean the same, since there the host's
 * address is its own.
 */
public final class NftablesExport {

    /** nftables refuses a comment longer than 128 bytes. */
    private static final int MAX_COMMENT_BYTES = 128;

    private NftablesExport() {
    }

    /**
     * @param host        the host's name: it names the table ({@code foobar_server_1} for "server-1")
     * @param hostAddress the host's address: every rule is about packets sent to it
     */
    public static String render(String host, InetAddress hostAddress, Firewall firewall) {
        String table = "inet foobar_" + host.replaceAll("[^A-Za-z0-9_]", "_");
        String self = hostAddress.getHostAddress();
        Action policy = firewall.defaultAction();
        StringBuilder out = new StringBuilder();
        out.append("#!/usr/sbin/nft -f\n");
        out.append("# The firewall of ").append(host).append(" (").append(self)
                .append("), exported from foobar-stack.\n");
        out.append("# Load it as root with: nft -f FILE. Loading it again replaces this table and no other.\n");
        out.append("#\n");
        out.append("# Every rule says ip daddr ").append(self)
                .append(": in foobar-stack every host is an address on the loopback\n");
        out.append("# interface, where the usual \"iif lo accept\" would let every host in. Only loopback traffic"
                + " for other\n");
        out.append("# addresses passes unjudged; on a real server the rules mean the same.\n");
        // creating the table first makes the delete succeed when it does not exist yet; all three lines are one
        // transaction, so the host is never without its firewall in between
        out.append("table ").append(table).append('\n');
        out.append("delete table ").append(table).append('\n');
        out.append("table ").append(table).append(" {\n");
        out.append("\tchain input {\n");
        out.append("\t\ttype filter hook input priority 0; policy ")
                .append(policy == Action.ACCEPT ? "accept" : "drop").append(";\n");
        out.append("\t\tct state established,related accept comment \"connections already accepted, and replies\"\n");
        out.append("\t\tiif lo ip daddr != ").append(self)
                .append(" accept comment \"loopback traffic for other addresses: theirs to judge\"\n");
        out.append("\t\tiif lo ip6 daddr ::1 accept comment \"IPv6 loopback\"\n");
        out.append("\t\tmeta l4proto ipv6-icmp accept comment \"IPv6 neighbour discovery\"\n");
        for (Rule rule : firewall.rules()) {
            out.append("\t\tip daddr ").append(self).append(sourceMatch(rule)).append(protocolMatch(rule))
                    .append(" counter ").append(verdict(rule.action(), rule.protocol()))
                    .append(" comment ").append(quoted(rule.describe())).append('\n');
        }
        String defaultComment = quoted("default policy: " + policy.word());
        if (policy == Action.REJECT) {
            out.append("\t\t# a chain's policy can only be accept or drop: a rejecting default is these two rules\n");
            out.append("\t\tmeta l4proto tcp counter reject with tcp reset comment ").append(defaultComment)
                    .append('\n');
            out.append("\t\tcounter reject comment ").append(defaultComment).append('\n');
        } else {
            out.append("\t\tcounter ").append(policy.word()).append(" comment ").append(defaultComment)
                    .append('\n');
        }
        out.append("\t}\n");
        out.append("}\n");
        return out.toString();
    }

    /** " ip saddr 127.0.0.10", " ip saddr { 127.0.0.11, 127.0.0.12 }", or nothing for anywhere. */
    private static String sourceMatch(Rule rule) {
        if (rule.fromAnywhere()) {
            return "";
        }
        List<Source> sources = rule.sources();
        if (sources.size() == 1) {
            return " ip saddr " + sources.get(0);
        }
        return " ip saddr { " + sources.stream().map(Source::toString).collect(Collectors.joining(", ")) + " }";
    }

    /**
     * " tcp dport 1527", " meta l4proto udp", or for a rule about both protocols
     * " meta l4proto { tcp, udp } th dport 53" ({@code th}: the transport header, whichever it is).
     */
    private static String protocolMatch(Rule rule) {
        if (rule.protocol() == null) {
            return " meta l4proto { tcp, udp }" + (rule.port() == 0 ? "" : " th dport " + rule.port());
        }
        return rule.port() == 0
                ? " meta l4proto " + rule.protocol().word()
                : " " + rule.protocol().word() + " dport " + rule.port();
    }

    /**
     * A TCP reject answers with a reset, as the emulation does; any other reject with ICMP port unreachable,
     * nftables' default, which a client's kernel also reports as "connection refused".
     */
    private static String verdict(Action action, Protocol protocol) {
        if (action == Action.REJECT && protocol == Protocol.TCP) {
            return "reject with tcp reset";
        }
        return action.word();
    }

    /** A string nftables reads back: no double quotes inside (it has no escape), at most 128 bytes. */
    private static String quoted(String text) {
        String clean = text.replace('"', '\'').replaceAll("[\\p{Cntrl}]", " ");
        if (clean.getBytes(StandardCharsets.UTF_8).length > MAX_COMMENT_BYTES) {
            while (clean.getBytes(StandardCharsets.UTF_8).length > MAX_COMMENT_BYTES - 3) {
                clean = clean.substring(0, clean.offsetByCodePoints(clean.length(), -1));
            }
            clean += "...";
        }
        return "\"" + clean + "\"";
    }
}
