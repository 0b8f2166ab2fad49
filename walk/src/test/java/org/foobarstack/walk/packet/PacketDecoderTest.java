package org.foobarstack.walk.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.foobarstack.walk.packet.CapturedFrames.ACK;
import static org.foobarstack.walk.packet.CapturedFrames.DNS_QUERY;
import static org.foobarstack.walk.packet.CapturedFrames.SYN;
import static org.foobarstack.walk.packet.CapturedFrames.SYN_ACK;
import static org.foobarstack.walk.packet.CapturedFrames.pcap;

import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.foobarstack.trace.Field;
import org.junit.jupiter.api.Test;

/**
 * The pcap reader and the header decoders on known bytes: a DNS query in a UDP datagram and a TCP
 * three-way handshake, captured by tcpdump on Linux's loopback ({@code -i lo}, link type Ethernet), written
 * here into a pcap file of the test's own making.
 */
class PacketDecoderTest {

    private static final HexFormat HEX = HexFormat.of();

    private static Field child(Field parent, String name) {
        Field field = parent.child(name);
        assertThat(field).as(name + " under " + parent.name()).isNotNull();
        return field;
    }

    private static Field layer(Packet packet, Layer layer) {
        return packet.layers().stream().filter(l -> l.layer() == layer).findFirst().orElseThrow().field();
    }

    @Test
    void readsAPcapFileInEitherByteOrder() {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            PcapFile file = PcapFile.read(pcap(order, LinkHeader.ETHERNET, DNS_QUERY, SYN));

            assertThat(file.linkType()).isEqualTo(LinkHeader.ETHERNET);
            assertThat(file.snapLength()).isEqualTo(262144);
            assertThat(file.records()).hasSize(2);
            assertThat(file.records().get(0).number()).isEqualTo(1);
            assertThat(file.records().get(0).epochMicros()).isEqualTo(1796461993_875280L);
            assertThat(file.records().get(1).epochMicros()).isEqualTo(1796461993_875293L);
            assertThat(file.records().get(0).bytes()).isEqualTo(HEX.parseHex(DNS_QUERY));
            assertThat(file.truncatedTail()).isZero();
        }
    }

    @Test
    void aRecordStillBeingWrittenIsLeftOutAndCounted() {
        byte[] whole = pcap(ByteOrder.LITTLE_ENDIAN, LinkHeader.ETHERNET, DNS_QUERY, SYN);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 10);

        PcapFile file = PcapFile.read(cut);

        assertThat(file.records()).hasSize(1);
        assertThat(file.truncatedTail()).isEqualTo(16 + 74 - 10);
    }

    @Test
    void aFileThatIsNotPcapIsRefusedWithItsMagicNumber() {
        byte[] pcapng = new byte[24];
        pcapng[0] = 0x0a;
        pcapng[1] = 0x0d;
        pcapng[2] = 0x0d;
        pcapng[3] = 0x0a;
        assertThatThrownBy(() -> PcapFile.read(pcapng)).hasMessageContaining("0x0a0d0d0a");
    }

    @Test
    void aDnsQueryInAUdpDatagramIsDecodedLayerByLayerWithItsOffsets() {
        PcapFile file = PcapFile.read(pcap(ByteOrder.LITTLE_ENDIAN, LinkHeader.ETHERNET, DNS_QUERY));
        Packet packet = PacketDecoder.decodeAll(file, Set.of(5300)).get(0);

        assertThat(packet.layers()).extracting(PacketLayer::layer)
                .containsExactly(Layer.LINK, Layer.INTERNET, Layer.TRANSPORT, Layer.APPLICATION);
        Field ethernet = layer(packet, Layer.LINK);
        assertThat(ethernet.offset()).isZero();
        assertThat(ethernet.length()).isEqualTo(14);
        assertThat(child(ethernet, "Type").value()).isEqualTo("IPv4 (0x0800)");
        assertThat(child(ethernet, "Type").offset()).isEqualTo(12);

        Field ip = layer(packet, Layer.INTERNET);
        assertThat(ip.offset()).isEqualTo(14);
        assertThat(ip.length()).isEqualTo(20);
        assertThat(child(ip, "Total length").offset()).isEqualTo(16);
        assertThat(child(ip, "Total length").value()).startsWith("60 ");
        assertThat(child(ip, "Time to live").offset()).isEqualTo(22);
        assertThat(child(ip, "Protocol").value()).isEqualTo("17 (UDP)");
        assertThat(child(ip, "Protocol").offset()).isEqualTo(23);
        assertThat(child(ip, "Header checksum").value()).isEqualTo("0xfaf9 [correct]");
        assertThat(child(ip, "Source address").offset()).isEqualTo(26);
        assertThat(child(ip, "Source address").value()).isEqualTo("127.0.0.1");
        assertThat(child(ip, "Destination address").offset()).isEqualTo(30);

        Field udp = layer(packet, Layer.TRANSPORT);
        assertThat(udp.name()).isEqualTo("Transport layer: User Datagram Protocol");
        assertThat(udp.offset()).isEqualTo(34);
        assertThat(udp.length()).isEqualTo(8);
        assertThat(child(udp, "Source port").value()).isEqualTo("54374");
        assertThat(child(udp, "Destination port").value()).isEqualTo("5300");
        assertThat(child(udp, "Destination port").offset()).isEqualTo(36);
        assertThat(child(udp, "Length").offset()).isEqualTo(38);
        assertThat(child(udp, "Length").value()).startsWith("40 ");
        assertThat(packet.isUdp()).isTrue();
        assertThat(packet.source()).isEqualTo(new Endpoint("127.0.0.1", 54374));
        assertThat(packet.destination()).isEqualTo(new Endpoint("127.0.0.1", 5300));
        assertThat(packet.payloadLength()).isEqualTo(32);

        // the DNS message begins after 14 + 20 + 8 bytes, and its fields are where they are in the frame
        Field dns = layer(packet, Layer.APPLICATION);
        assertThat(dns.offset()).isEqualTo(42);
        assertThat(dns.length()).isEqualTo(32);
        assertThat(dns.value()).startsWith("query id 0xa700");
        Field header = child(dns, "Header");
        assertThat(header.offset()).isEqualTo(42);
        assertThat(header.length()).isEqualTo(12);
        assertThat(packet.info()).isEqualTo("UDP 54374 -> 5300 Len=32 | DNS query id 0xa700");
    }

    @Test
    void aTcpThreeWayHandshakeShowsFlagsRelativeAndAbsoluteNumbersAndTheScaledWindow() {
        PcapFile file = PcapFile.read(pcap(ByteOrder.LITTLE_ENDIAN, LinkHeader.ETHERNET, SYN, SYN_ACK, ACK));
        List<Packet> packets = PacketDecoder.decodeAll(file, Set.of());

        Packet syn = packets.get(0);
        assertThat(syn.tcp().flagNames()).isEqualTo("SYN");
        assertThat(syn.tcp().sequenceNumber()).isEqualTo(0x08617aedL);
        Field tcp = layer(syn, Layer.TRANSPORT);
        assertThat(tcp.offset()).isEqualTo(34);
        assertThat(tcp.length()).isEqualTo(40);
        assertThat(child(tcp, "Source port").value()).isEqualTo("57312");
        assertThat(child(tcp, "Sequence number").offset()).isEqualTo(38);
        assertThat(child(tcp, "Sequence number").value()).isEqualTo("0 (relative), 140606189 (absolute)");
        assertThat(child(tcp, "Acknowledgment number").offset()).isEqualTo(42);
        Field flags = child(tcp, "Flags");
        assertThat(flags.offset()).isEqualTo(46);
        assertThat(flags.length()).isEqualTo(2);
        assertThat(flags.value()).isEqualTo("0x002 (SYN)");
        assertThat(child(flags, "SYN").value()).startsWith(".... .... .... ..1. = ");
        assertThat(child(tcp, "Window").offset()).isEqualTo(48);
        assertThat(child(tcp, "Window").value()).startsWith("65495 ");
        Field options = child(tcp, "Options");
        assertThat(options.offset()).isEqualTo(54);
        assertThat(options.length()).isEqualTo(20);
        assertThat(child(options, "Maximum segment size").offset()).isEqualTo(54);
        assertThat(child(options, "Maximum segment size").value()).isEqualTo("65495 bytes");
        assertThat(child(options, "Timestamps").offset()).isEqualTo(60);
        assertThat(child(options, "Window scale").offset()).isEqualTo(71);
        assertThat(child(options, "Window scale").value()).isEqualTo("shift 10 (multiply by 1024)");
        assertThat(syn.info()).isEqualTo("TCP 57312 -> 8080 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM"
                + " TSval=2408518793 TSecr=0 WS=1024");

        Packet synAck = packets.get(1);
        assertThat(synAck.tcp().flagNames()).isEqualTo("SYN, ACK");
        Field synAckTcp = layer(synAck, Layer.TRANSPORT);
        assertThat(child(synAckTcp, "Sequence number").value()).isEqualTo("0 (relative), 2169039870 (absolute)");
        assertThat(child(synAckTcp, "Acknowledgment number").value()).isEqualTo("1 (relative), 140606190 (absolute)");

        Packet ack = packets.get(2);
        assertThat(ack.tcp().flagNames()).isEqualTo("ACK");
        assertThat(ack.tcp().dataOffset()).isEqualTo(32);
        Field ackTcp = layer(ack, Layer.TRANSPORT);
        assertThat(child(ackTcp, "Sequence number").value()).startsWith("1 (relative)");
        assertThat(child(ackTcp, "Acknowledgment number").value()).startsWith("1 (relative)");
        // the field says 64; both SYNs carried window scale 10, so it means 64 * 1024 bytes (RFC 7323 §2.3)
        assertThat(child(ackTcp, "Window").value()).startsWith("64 (x 1024 = 65536 bytes");
        assertThat(ack.info()).startsWith("TCP 57312 -> 8080 [ACK] Seq=1 Ack=1 Win=65536 Len=0");
    }

    @Test
    void tlsRecordHeadersAreFoundInTheSegmentsOfAStream() {
        // a ClientHello record (handshake type 1) split over two segments, then a change_cipher_spec record
        String clientHello = "160301" + "0008" + "01" + "000004" + "0303" + "abcd";
        String syn = "00000000000000000000000008004500002c00014000400600007f0000017f000001"
                + "c0001f9000000064000000005002ffff00000000";
        String first = segment(clientHello.substring(0, 18), 0x65);
        String second = segment(clientHello.substring(18) + "140303000101", 0x65 + 9);
        PcapFile file = PcapFile.read(pcap(ByteOrder.LITTLE_ENDIAN, LinkHeader.ETHERNET, syn, first, second));

        List<Packet> packets = PacketDecoder.decodeAll(file, Set.of());

        Packet hello = packets.get(1);
        assertThat(hello.tlsRecords()).hasSize(1);
        TlsRecordHeader record = hello.tlsRecords().get(0);
        assertThat(record.offset()).isEqualTo(54);
        assertThat(record.contentType()).isEqualTo(TlsRecordHeader.HANDSHAKE);
        assertThat(record.version()).isEqualTo(0x0301);
        assertThat(record.length()).isEqualTo(8);
        assertThat(record.handshakeTypes()).containsExactly("ClientHello");
        Field field = record.field();
        assertThat(child(field, "Content type").offset()).isEqualTo(54);
        assertThat(child(field, "Content type").value()).isEqualTo("22 (Handshake)");
        assertThat(child(field, "Legacy record version").offset()).isEqualTo(55);
        assertThat(child(field, "Legacy record version").value()).isEqualTo("0x0301 (TLS 1.0)");
        assertThat(child(field, "Length").offset()).isEqualTo(57);
        Field handshake = child(field, "Handshake message");
        assertThat(child(handshake, "Handshake type").offset()).isEqualTo(59);
        assertThat(child(handshake, "Handshake type").value()).isEqualTo("1 (ClientHello)");
        assertThat(hello.info()).endsWith("| TLS: Handshake ClientHello");
        assertThat(layer(hello, Layer.APPLICATION).name()).isEqualTo("Application layer: Transport Layer Security");

        // the next segment first ends the ClientHello's fragment (4 bytes), then a new record begins
        Packet next = packets.get(2);
        assertThat(next.tlsRecords()).hasSize(1);
        assertThat(next.tlsRecords().get(0).offset()).isEqualTo(54 + 4);
        assertThat(next.tlsRecords().get(0).contentType()).isEqualTo(TlsRecordHeader.CHANGE_CIPHER_SPEC);
    }

    /** A frame from 49152 to 8080 carrying {@code payloadHex}, with the PSH and ACK flags. */
    private static String segment(String payloadHex, long sequence) {
        int payload = payloadHex.length() / 2;
        String total = String.format("%04x", 20 + 20 + payload);
        return "000000000000000000000000080045" + "00" + total + "00014000400600007f0000017f000001"
                + "c0001f90" + String.format("%08x", sequence) + "00000001" + "5018ffff00000000" + payloadHex;
    }

    @Test
    void ipv6InALinuxCookedCaptureV2Frame() {
        // SLL2: protocol 0x86dd, reserved, interface index 1, ARPHRD 772 (loopback), packet type 0, address length 6
        String sll2 = "86dd" + "0000" + "00000001" + "0304" + "00" + "06" + "0000000000000000";
        String ipv6 = "60000000" + "0008" + "11" + "40" + "00000000000000000000000000000001"
                + "00000000000000000000000000000001";
        String udp = "c350" + "14b4" + "0008" + "0000";
        PcapFile file = PcapFile.read(pcap(ByteOrder.LITTLE_ENDIAN, LinkHeader.LINUX_SLL2, sll2 + ipv6 + udp));

        Packet packet = PacketDecoder.decodeAll(file, Set.of()).get(0);

        Field link = layer(packet, Layer.LINK);
        assertThat(link.length()).isEqualTo(20);
        assertThat(child(link, "Link-layer address type").value()).isEqualTo("772 (loopback)");
        Field ip = layer(packet, Layer.INTERNET);
        assertThat(ip.offset()).isEqualTo(20);
        assertThat(ip.length()).isEqualTo(40);
        assertThat(child(ip, "Next header").offset()).isEqualTo(26);
        assertThat(child(ip, "Next header").value()).isEqualTo("17 (UDP)");
        assertThat(child(ip, "Source address").offset()).isEqualTo(28);
        assertThat(child(ip, "Source address").value()).isEqualTo("::1");
        assertThat(layer(packet, Layer.TRANSPORT).offset()).isEqualTo(60);
        assertThat(packet.source()).isEqualTo(new Endpoint("::1", 50000));
        assertThat(packet.source().toString()).isEqualTo("[::1]:50000");
    }

    @Test
    void aCutShortFrameEndsWithAMalformedFieldNotAnException() {
        String cut = SYN.substring(0, (14 + 20 + 10) * 2);
        PcapFile file = PcapFile.read(pcap(ByteOrder.LITTLE_ENDIAN, LinkHeader.ETHERNET, cut));

        Packet packet = PacketDecoder.decodeAll(file, Set.of()).get(0);

        PacketLayer last = packet.layers().get(packet.layers().size() - 1);
        assertThat(last.layer()).isEqualTo(Layer.TRANSPORT);
        assertThat(last.field().name()).isEqualTo("Malformed");
        assertThat(last.field().offset()).isEqualTo(34);
        assertThat(packet.info()).contains("Malformed");
    }
}
