package org.foobarstack.walk.packet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.fields.DnsFields;

/**
 * Decodes the packets of one capture, in order, layer by layer: link header, IPv4 or IPv6, TCP or UDP,
 * and the application's bytes (a DNS message, TLS records, or the first line of text).
 *
 * <p>It remembers what a single packet cannot tell: each TCP connection's initial sequence numbers and
 * window scale ({@link TcpNumbers}), and where in each direction's byte stream the next TLS record header
 * begins (a record can span segments, and a segment can hold several records). So it decodes one capture
 * from its first packet on; make a new one for another capture.
 *
 * <p>Like the field builders, it never throws on bad bytes: a header that does not decode ends the packet's
 * layers with a field named "Malformed" saying where and why.
 */
public final class PacketDecoder {

    private static final int IP_TCP = 6;
    private static final int IP_UDP = 17;
    /** How much of a text payload the summary shows. */
    private static final int SHOWN_TEXT = 72;

    private final int linkType;
    private final Set<Integer> dnsPorts;
    private final Map<String, Long> initialSequence = new HashMap<>();
    private final Map<String, Integer> windowScale = new HashMap<>();
    private final Map<String, TlsStream> tlsStreams = new HashMap<>();

    /**
     * @param linkType the capture file's link type
     * @param dnsPorts ports whose UDP and TCP payloads are DNS messages (53, and our server's 5300)
     */
    public PacketDecoder(int linkType, Set<Integer> dnsPorts) {
        this.linkType = linkType;
        this.dnsPorts = Set.copyOf(dnsPorts);
    }

    public static List<Packet> decodeAll(PcapFile file, Set<Integer> dnsPorts) {
        PacketDecoder decoder = new PacketDecoder(file.linkType(), dnsPorts);
        List<Packet> packets = new ArrayList<>();
        for (PcapRecord record : file.records()) {
            packets.add(decoder.decode(record));
        }
        return packets;
    }

    public Packet decode(PcapRecord record) {
        byte[] frame = record.bytes();
        Builder packet = new Builder(record);
        try {
            LinkHeader link = LinkHeader.decode(linkType, frame);
            packet.layer(Layer.LINK, link.field());
            int at = link.length();
            switch (link.etherType()) {
                case LinkHeader.ETHERTYPE_IPV4 -> {
                    Ipv4Header ip = Ipv4Header.decode(frame, at);
                    packet.layer(Layer.INTERNET, ip.field());
                    if (ip.fragmentOffset() != 0 || ip.moreFragments()) {
                        packet.info = "IPv4 fragment";
                    } else {
                        transport(packet, frame, ip.protocol(), ip.source(), ip.destination(),
                                ip.offset() + ip.headerLength(), Math.min(frame.length, ip.payloadEnd()));
                    }
                }
                case LinkHeader.ETHERTYPE_IPV6 -> {
                    Ipv6Header ip = Ipv6Header.decode(frame, at);
                    packet.layer(Layer.INTERNET, ip.field());
                    transport(packet, frame, ip.nextHeader(), ip.source(), ip.destination(),
                            ip.offset() + Ipv6Header.LENGTH, Math.min(frame.length, ip.payloadEnd()));
                }
                default -> packet.info = "not IP: " + LinkHeader.etherTypeText(link.etherType());
            }
        } catch (MalformedPacketException e) {
            packet.layer(packet.nextLayer(), Field.of("Malformed", Math.min(e.offset(), frame.length),
                    Math.max(0, frame.length - e.offset()), e.getMessage()));
            packet.info = (packet.info.isEmpty() ? "" : packet.info + " ") + "[Malformed: " + e.getMessage() + "]";
        }
        return packet.build();
    }

    private void transport(Builder packet, byte[] frame, int protocol, String source, String destination,
                           int at, int end) {
        if (protocol == IP_TCP) {
            TcpHeader tcp = TcpHeader.decode(frame, at, end);
            packet.source = new Endpoint(source, tcp.sourcePort());
            packet.destination = new Endpoint(destination, tcp.destinationPort());
            packet.transport = "TCP";
            TcpNumbers numbers = numbers(frame, packet.source, packet.destination, tcp);
            packet.tcp = tcp;
            packet.tcpNumbers = numbers;
            packet.layer(Layer.TRANSPORT, tcp.field(numbers));
            packet.payloadLength = tcp.payloadLength();
            packet.info = "TCP " + tcp.sourcePort() + " -> " + tcp.destinationPort() + " [" + tcp.flagNames() + "] "
                    + numbers.summary(tcp);
            if (tcp.payloadLength() > 0) {
                tcpPayload(packet, frame, tcp.payloadOffset(), end);
            }
        } else if (protocol == IP_UDP) {
            UdpHeader udp = UdpHeader.decode(frame, at, end);
            packet.source = new Endpoint(source, udp.sourcePort());
            packet.destination = new Endpoint(destination, udp.destinationPort());
            packet.transport = "UDP";
            packet.udp = udp;
            packet.layer(Layer.TRANSPORT, udp.field());
            packet.payloadLength = udp.payloadLength();
            packet.info = "UDP " + udp.sourcePort() + " -> " + udp.destinationPort() + " Len=" + udp.payloadLength();
            int payload = udp.payloadOffset();
            byte[] bytes = Arrays.copyOfRange(frame, payload, payload + udp.payloadLength());
            if (isDns(udp.sourcePort(), udp.destinationPort())) {
                dns(packet, bytes, payload, "");
            } else {
                packet.layer(Layer.APPLICATION, data(frame, payload, payload + udp.payloadLength()));
            }
        } else {
            packet.transport = Ipv4Header.protocolName(protocol);
            packet.info = "IP protocol " + Ipv4Header.protocolName(protocol);
        }
    }

    private void tcpPayload(Builder packet, byte[] frame, int payload, int end) {
        String direction = packet.source + ">" + packet.destination;
        TlsStream stream = tlsStreams.get(direction);
        if (stream == null && looksLikeTls(frame, payload, end)) {
            stream = new TlsStream();
            tlsStreams.put(direction, stream);
        }
        if (stream != null) {
            List<TlsRecordHeader> records = stream.next(frame, payload, end);
            List<Field> fields = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (TlsRecordHeader record : records) {
                fields.add(record.field());
                names.add(record.summary());
            }
            packet.tlsRecords = records;
            String value = records.isEmpty() ? (end - payload) + " bytes continuing a TLS record"
                    : records.size() + (records.size() == 1 ? " record: " : " records: ") + String.join(", ", names);
            packet.layer(Layer.APPLICATION, Field.group("Application layer: Transport Layer Security", payload,
                    end - payload, value, fields));
            packet.info += " | TLS: " + (names.isEmpty() ? "continuation" : String.join(", ", names));
            return;
        }
        if (isDns(packet.source.port(), packet.destination.port()) && end - payload >= 2
                && Bytes.u16(frame, payload) == end - payload - 2) {
            // DNS over TCP: a 2-byte length, then the message (RFC 1035 §4.2.2)
            dns(packet, Arrays.copyOfRange(frame, payload + 2, end), payload + 2,
                    "length prefix " + (end - payload - 2) + ", ");
            return;
        }
        Field data = data(frame, payload, end);
        packet.layer(Layer.APPLICATION, data);
        packet.info += " | " + data.value();
    }

    private void dns(Builder packet, byte[] message, int at, String prefix) {
        List<Field> fields = new ArrayList<>();
        for (Field field : DnsFields.of(message)) {
            fields.add(field.shifted(at));
        }
        String kind = message.length >= 4 ? ((Bytes.u8(message, 2) & 0x80) != 0 ? "response" : "query")
                + String.format(" id 0x%04x", Bytes.u16(message, 0)) : "too short";
        packet.layer(Layer.APPLICATION, Field.group("Application layer: Domain Name System", at, message.length,
                prefix + kind + ", " + message.length + " bytes (the DNS hop's fields, at their place in the frame)",
                fields));
        packet.info += " | DNS " + kind;
    }

    /** Application bytes this decoder does not take apart: their length and, when they are text, their first line. */
    private static Field data(byte[] frame, int from, int to) {
        int lineEnd = from;
        boolean text = true;
        while (lineEnd < to && frame[lineEnd] != '\r' && frame[lineEnd] != '\n') {
            int c = frame[lineEnd] & 0xff;
            if (c < 0x20 && c != '\t' || c >= 0x7f) {
                text = false;
                break;
            }
            lineEnd++;
        }
        String shown;
        if (text && lineEnd > from) {
            String line = new String(frame, from, Math.min(lineEnd - from, SHOWN_TEXT), StandardCharsets.US_ASCII);
            shown = "\"" + line + (lineEnd - from > SHOWN_TEXT ? "..." : "") + "\"";
        } else {
            shown = Bytes.hex(frame, from, Math.min(to - from, 16), " ") + (to - from > 16 ? " ..." : "");
        }
        return Field.of("Application layer: data", from, to - from, (to - from) + " bytes: " + shown);
    }

    private boolean isDns(int sourcePort, int destinationPort) {
        return dnsPorts.contains(sourcePort) || dnsPorts.contains(destinationPort);
    }

    /** A stream whose first bytes are a handshake record header with a 3.x version is TLS (what Wireshark guesses too). */
    private static boolean looksLikeTls(byte[] frame, int payload, int end) {
        return end - payload >= TlsRecordHeader.HEADER_LENGTH && frame[payload] == TlsRecordHeader.HANDSHAKE
                && frame[payload + 1] == 3;
    }

    /** Remembers ISNs and window scales from SYNs and gives this segment its relative numbers. */
    private TcpNumbers numbers(byte[] frame, Endpoint source, Endpoint destination, TcpHeader tcp) {
        String forward = source + ">" + destination;
        String backward = destination + ">" + source;
        if (tcp.has(TcpHeader.SYN)) {
            initialSequence.put(forward, tcp.sequenceNumber());
            tlsStreams.remove(forward);
            int shift = -1;
            for (TcpOption option : tcp.options()) {
                if (option.kind() == TcpOption.WINDOW_SCALE) {
                    // RFC 7323 §2.3: a shift above 14 is taken as 14
                    shift = Math.min(Bytes.u8(frame, option.offset() + 2), 14);
                }
            }
            windowScale.put(forward, shift);
        } else if (!initialSequence.containsKey(forward)) {
            // The SYN was not captured: count from the first segment seen, as Wireshark does (its ISN is then
            // one less, so that this segment's number is 1).
            initialSequence.put(forward, tcp.sequenceNumber() - 1);
        }
        Integer mine = windowScale.get(forward);
        Integer theirs = windowScale.get(backward);
        // RFC 7323 §2.2: scaling is on only when both SYNs carried the option; a SYN's window is never scaled.
        int shift = !tcp.has(TcpHeader.SYN) && mine != null && theirs != null && mine >= 0 && theirs >= 0 ? mine : 0;
        long ackBase = initialSequence.getOrDefault(backward, -1L);
        return new TcpNumbers(initialSequence.get(forward), ackBase, shift);
    }

    /** Where the next TLS record header begins in one direction of a connection. */
    private static final class TlsStream {
        private int remaining;
        private boolean lost;

        List<TlsRecordHeader> next(byte[] frame, int payload, int end) {
            List<TlsRecordHeader> records = new ArrayList<>();
            if (lost) {
                return records;
            }
            int at = payload + Math.min(remaining, end - payload);
            remaining -= at - payload;
            while (at < end) {
                if (end - at < TlsRecordHeader.HEADER_LENGTH) {
                    // A record header split across segments: rare on loopback; stop following the records.
                    lost = true;
                    break;
                }
                TlsRecordHeader record = TlsRecordHeader.decode(frame, at, end);
                records.add(record);
                int whole = TlsRecordHeader.HEADER_LENGTH + record.length();
                int here = Math.min(whole, end - at);
                remaining = whole - here;
                at += here;
            }
            return records;
        }
    }

    /** The parts of a packet as decoding finds them. */
    private static final class Builder {
        private final PcapRecord record;
        private final List<PacketLayer> layers = new ArrayList<>();
        private Endpoint source;
        private Endpoint destination;
        private String transport = "";
        private TcpHeader tcp;
        private TcpNumbers tcpNumbers = TcpNumbers.UNKNOWN;
        private UdpHeader udp;
        private int payloadLength;
        private List<TlsRecordHeader> tlsRecords = List.of();
        private String info = "";

        Builder(PcapRecord record) {
            this.record = record;
        }

        void layer(Layer layer, Field field) {
            layers.add(new PacketLayer(layer, field));
        }

        Layer nextLayer() {
            return layers.isEmpty() ? Layer.LINK
                    : Layer.values()[Math.min(layers.get(layers.size() - 1).layer().ordinal() + 1, Layer.values().length - 1)];
        }

        Packet build() {
            return new Packet(record.number(), record.epochMicros(), record.originalLength(), transport, source,
                    destination, tcp, tcpNumbers, udp, payloadLength, tlsRecords, layers, info);
        }
    }
}
