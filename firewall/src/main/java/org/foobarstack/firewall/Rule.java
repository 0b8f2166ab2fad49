package org.foobarstack.firewall;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One line of a host's firewall: what it matches and what it does.
 *
 * <p>It matches like an nftables rule in an {@code input} chain such as
 * {@code tcp dport 1527 ip saddr { 127.0.0.11, 127.0.0.12 } accept}: every condition written must hold, and a
 * condition left out holds for everything. A rule is judged against the first packet of a connection (or against
 * each datagram); what a rule matched once goes on flowing, as {@code ct state established accept} lets it on a
 * real server.
 *
 * @param number   its place in the firewall, from 1, as the topology file numbers them; logs and counters name it
 * @param action   what it does with what it matches
 * @param protocol TCP or UDP, or null for both
 * @param port     the destination port on this host, or 0 for every port
 * @param sources  where the packet may come from; empty for anywhere
 * @param comment  why the rule is there, for people (nftables keeps one per rule too); may be empty
 */
public record Rule(int number, Action action, Protocol protocol, int port, List<Source> sources, String comment) {

    public Rule {
        Objects.requireNonNull(action, "action");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any) or 1..65535, not " + port);
        }
        sources = List.copyOf(sources);
        comment = comment == null ? "" : comment;
    }

    /**
     * Whether this rule applies to a packet of {@code protocol} from {@code from} to this host's {@code localPort}.
     */
    public boolean matches(Protocol protocol, InetSocketAddress from, int localPort) {
        if (this.protocol != null && this.protocol != protocol) {
            return false;
        }
        if (port != 0 && port != localPort) {
            return false;
        }
        if (sources.isEmpty()) {
            return true;
        }
        for (Source source : sources) {
            if (source.matches(from.getAddress())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the rule matches every source address: none written, or one of them is "any". */
    public boolean fromAnywhere() {
        return sources.isEmpty() || sources.stream().anyMatch(Source::isAny);
    }

    /** What it matches, as the topology file writes it: "tcp/1527", "udp", "port 53" (TCP or UDP) or "any". */
    public String what() {
        if (protocol == null) {
            return port == 0 ? "any" : "port " + port;
        }
        return port == 0 ? protocol.word() : protocol.word() + "/" + port;
    }

    /** "rule 2: accept tcp/1527 from 127.0.0.11, 127.0.0.12 (the app servers)". */
    public String describe() {
        StringBuilder s = new StringBuilder("rule ").append(number).append(": ")
                .append(action.word()).append(' ').append(what()).append(" from ");
        s.append(fromAnywhere() ? "anywhere" : sources.stream().map(Source::toString).collect(Collectors.joining(", ")));
        if (!comment.isBlank()) {
            s.append(" (").append(comment).append(')');
        }
        return s.toString();
    }
}
