package org.foobarstack.walk.packet;

import java.util.List;
import java.util.Optional;

/**
 * One captured packet, decoded: its headers from the link layer up, each a field tree tagged with its
 * layer, and the facts a walk needs to place it (who sent it to whom, over which transport).
 *
 * @param number        its number in the capture file (Wireshark's "No." column)
 * @param epochMicros   when it crossed the interface, microseconds since 1970
 * @param wireLength    its length on the wire
 * @param transport     "TCP", "UDP", or what else the IP header named
 * @param tcp           the TCP header, or null
 * @param tcpNumbers    the TCP header's numbers in its connection (relative, window scale)
 * @param udp           the UDP header, or null
 * @param payloadLength bytes of application data the packet carries
 * @param tlsRecords    the TLS records that begin in this segment
 * @param layers        the headers, outermost first
 * @param info          one line, like Wireshark's "Info" column
 */
public record Packet(int number, long epochMicros, int wireLength, String transport, Endpoint source,
                     Endpoint destination, TcpHeader tcp, TcpNumbers tcpNumbers, UdpHeader udp, int payloadLength,
                     List<TlsRecordHeader> tlsRecords, List<PacketLayer> layers, String info) {

    public Packet {
        tlsRecords = List.copyOf(tlsRecords);
        layers = List.copyOf(layers);
    }

    public Optional<TcpHeader> tcpHeader() {
        return Optional.ofNullable(tcp);
    }

    public boolean isTcp() {
        return tcp != null;
    }

    public boolean isUdp() {
        return udp != null;
    }

    /** True when the packet was sent from {@code port} (the walk's side of a flow, or the server's). */
    public boolean sentFrom(int port) {
        return source != null && source.port() == port;
    }

    public boolean hasTcpFlag(int flag) {
        return tcp != null && tcp.has(flag);
    }
}
