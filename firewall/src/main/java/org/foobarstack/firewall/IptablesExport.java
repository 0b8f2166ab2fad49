package org.foobarstack.firewall;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a host's firewall in {@code iptables-restore} format, for a server that still uses iptables: the same
 * rules as {@link NftablesExport}, in the older syntax. Load it with {@code iptables-restore < FILE}.
 *
 * <p>The differences from the nftables version come from iptables itself:
 * <ul>
 *   <li>it covers IPv4 only (IPv6 has its own {@code ip6tables}), so there are no IPv6 lines;</li>
 *   <li>{@code iptables-restore} replaces the whole {@code filter} table, so the file declares all three built-in
 *       chains, as {@code iptables-save} prints them;</li>
 *   <li>a rule matches one source and one protocol at most: a rule with several sources becomes one line per
 *       source, and a rule for both TCP and UDP one line per protocol. {@code iptables-save} prints them so
 *       too;</li>
 *   <li>every rule has a packet and byte counter of its own ({@code iptables -L -v} shows them), so there is no
 *       {@code counter} to write;</li>
 *   <li>a chain's policy, like nftables', is accept or drop: a rejecting default is written as last rules.</li>
 * </ul>
 *
 * <p>Every rule names the host's address ({@code -d}), for the reason {@link NftablesExport} explains.
 */
public final class IptablesExport {

    /** The comment match keeps at most 255 characters. */
    private static final int MAX_COMMENT_CHARS = 255;

    private IptablesExport() {
    }

    /**
     * @param host        the host's name, for the header
     * @param hostAddress the host's address: every rule is about packets sent to it
     */
    public static String render(String host, InetAddress hostAddress, Firewall firewall) {
        String self = hostAddress.getHostAddress() + "/32";
        Action policy = firewall.defaultAction();
        StringBuilder out = new StringBuilder();
        out.append("# The firewall of ").append(host).append(" (").append(hostAddress.getHostAddress())
                .append("), exported from foobar-stack, for iptables (IPv4).\n");
        out.append("# Load it as root with: iptables-restore < FILE. It replaces the whole filter table.\n");
        out.append("#\n");
        out.append("# Every rule says -d ").append(self)
                .append(": in foobar-stack every host is an address on the loopback interface,\n");
        out.append("# where the usual \"-i lo -j ACCEPT\" would let every host in. Only loopback traffic for other"
                + " addresses\n");
        out.append("# passes unjudged; on a real server the rules mean the same.\n");
        out.append("*filter\n");
        out.append(":INPUT ").append(policy == Action.ACCEPT ? "ACCEPT" : "DROP").append(" [0:0]\n");
        out.append(":FORWARD ACCEPT [0:0]\n");
        out.append(":OUTPUT ACCEPT [0:0]\n");
        out.append("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
        out.append("-A INPUT -i lo ! -d ").append(self).append(" -j ACCEPT\n");
        for (Rule rule : firewall.rules()) {
            List<String> sources = new ArrayList<>();
            if (rule.fromAnywhere()) {
                sources.add("");
            } else {
                rule.sources().forEach(s -> sources.add("-s " + s.network().getHostAddress() + "/"
                        + s.prefixLength() + " "));
            }
            List<Protocol> protocols = rule.protocol() == null ? List.of(Protocol.TCP, Protocol.UDP)
                    : List.of(rule.protocol());
            for (String source : sources) {
                for (Protocol protocol : protocols) {
                    out.append("-A INPUT ").append(source).append("-d ").append(self)
                            .append(" -p ").append(protocol.word());
                    if (rule.port() != 0) {
                        out.append(" -m ").append(protocol.word()).append(" --dport ").append(rule.port());
                    }
                    out.append(" -m comment --comment ").append(quoted(rule.describe()))
                            .append(target(rule.action(), protocol)).append('\n');
                }
            }
        }
        String defaultComment = " -m comment --comment " + quoted("default policy: " + policy.word());
        if (policy == Action.REJECT) {
            out.append("-A INPUT -p tcp").append(defaultComment).append(target(Action.REJECT, Protocol.TCP))
                    .append('\n');
            out.append("-A INPUT").append(defaultComment).append(" -j REJECT\n");
        } else {
            out.append("-A INPUT").append(defaultComment).append(target(policy, null)).append('\n');
        }
        out.append("COMMIT\n");
        return out.toString();
    }

    /** " -j ACCEPT", " -j DROP", or a reject: a reset for TCP, ICMP port unreachable (the default) otherwise. */
    private static String target(Action action, Protocol protocol) {
        if (action == Action.REJECT && protocol == Protocol.TCP) {
            return " -j REJECT --reject-with tcp-reset";
        }
        return " -j " + action.name();
    }

    /** A double-quoted argument as iptables-restore splits it: no double quotes or backslashes inside. */
    private static String quoted(String text) {
        String clean = text.replace('"', '\'').replace('\\', '/').replaceAll("[\\p{Cntrl}]", " ");
        if (clean.length() > MAX_COMMENT_CHARS) {
            clean = clean.substring(0, MAX_COMMENT_CHARS - 3) + "...";
        }
        return "\"" + clean + "\"";
    }
}
