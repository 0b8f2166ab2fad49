package org.foobarstack.firewall;

import java.net.InetSocketAddress;

/**
 * One connection or datagram the firewall stopped: what a packet filter's log line says
 * ({@code nft ... log prefix "server-1 drop: "}), as an object that listeners (a dashboard, a test) receive.
 *
 * @param host     the host whose firewall stopped it
 * @param verdict  drop or reject, and the rule that decided (null rule: the default policy)
 * @param protocol TCP (a connection) or UDP (a datagram)
 * @param from     the sender's address and port
 * @param to       this host's address and port it was sent to
 * @param atMillis when, in milliseconds since the epoch
 */
public record Block(String host, Verdict verdict, Protocol protocol, InetSocketAddress from, InetSocketAddress to,
                    long atMillis) {

    /** "server-1 firewall rule 2 dropped 127.0.0.10:51234 -> 127.0.0.11:1527". */
    public String describe() {
        return host + " firewall " + verdict.decidedBy() + " " + verdict.action().pastTense() + " "
                + hostAndPort(from) + " -> " + hostAndPort(to);
    }

    static String hostAndPort(InetSocketAddress address) {
        return address.getAddress() == null
                ? address.getHostString() + ":" + address.getPort()
                : address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
