/**
 * Packets: what a walk's messages look like on the wire, one layer inside the other.
 *
 * <p>{@code walk --packets} has tcpdump write the packets of the walk's own connections on the loopback
 * interface to a pcap file ({@link org.foobarstack.walk.packet.TcpdumpCapture}); this package reads that
 * file ({@link org.foobarstack.walk.packet.PcapFile}) and decodes each packet's headers with code written
 * to be read, one class per header:
 * <ol>
 *   <li>link layer: {@link org.foobarstack.walk.packet.LinkHeader} (Ethernet II, Linux cooked capture);</li>
 *   <li>internet layer: {@link org.foobarstack.walk.packet.Ipv4Header} (RFC 791 §3.1),
 *       {@link org.foobarstack.walk.packet.Ipv6Header} (RFC 8200 §3);</li>
 *   <li>transport layer: {@link org.foobarstack.walk.packet.TcpHeader} (RFC 9293 §3.1),
 *       {@link org.foobarstack.walk.packet.UdpHeader} (RFC 768);</li>
 *   <li>application layer: {@link org.foobarstack.walk.packet.TlsRecordHeader} (RFC 8446 §5.1), a DNS
 *       message (the trace module's {@code DnsFields}), or the first line of the bytes.</li>
 * </ol>
 * {@link org.foobarstack.walk.packet.PacketDecoder} puts them together into a
 * {@link org.foobarstack.walk.packet.Packet}. Every field carries its offset and length in the captured
 * frame, counted from the frame's first byte, as Wireshark counts them.
 */
package org.foobarstack.walk.packet;
