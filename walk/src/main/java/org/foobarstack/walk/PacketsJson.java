package org.foobarstack.walk;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.foobarstack.trace.TraceJson;
import org.foobarstack.walk.packet.Endpoint;
import org.foobarstack.walk.packet.Packet;
import org.foobarstack.walk.packet.PacketLayer;
import org.foobarstack.walk.packet.TcpHeader;
import org.foobarstack.walk.packet.TlsRecordHeader;
import org.foobarstack.walk.packet.UdpHeader;

/**
 * The packets of {@code walk --json --packets}: what the text shows under each client hop, as JSON nodes for
 * {@link JourneyJson}. Its shape is documented in docs/tracing.md ("--json --packets").
 *
 * <p>Each packet carries both forms a reader needs:
 * <ul>
 *   <li>the facts a packet list shows, as plain values: addresses, direction seen from the walk, TCP flags,
 *       sequence and acknowledgment numbers (absolute, and relative to each side's initial sequence number as
 *       Wireshark shows them, RFC 9293 §3.4.1), the window, lengths; the UDP header's four fields (RFC 768);
 *       each TLS record that begins in the segment (RFC 8446 §5.1);</li>
 *   <li>its headers as field trees, outermost first, each tagged with its layer (link, internet, transport,
 *       application: RFC 1122 §1.1.3), every field with its offset and length in the captured frame, the same
 *       trees the text prints.</li>
 * </ul>
 * Written node by node, like {@link TraceJson}, so that renaming a Java field never changes the format.
 */
final class PacketsJson {

    private final TraceJson traceJson;

    PacketsJson(TraceJson traceJson) {
        this.traceJson = traceJson;
    }

    /** The capture as a whole: where and how tcpdump listened, how many packets, and what may be missing. */
    ObjectNode capture(WalkPackets captured) {
        ObjectNode node = traceJson.mapper().createObjectNode();
        node.put("interface", captured.iface());
        node.put("filter", captured.filter());
        node.put("linkType", captured.linkType());
        node.put("captured", captured.captured());
        node.put("ofWalk", captured.ofWalk());
        long first = captured.firstEpochMicros();
        if (first < 0) {
            node.putNull("firstEpochMicros");
        } else {
            node.put("firstEpochMicros", first);
        }
        putText(node, "note", captured.note());
        putText(node, "dashboard", captured.dashboard());
        return node;
    }

    /** The socket a client step used, or null for a step that used none (a lookup skipped for an IP address). */
    ObjectNode socket(SocketFlow flow) {
        if (flow == null) {
            return null;
        }
        ObjectNode node = traceJson.mapper().createObjectNode();
        node.put("transport", flow.transport());
        node.put("localPort", flow.localPort());
        node.put("server", flow.remote().getAddress().getHostAddress() + ":" + flow.remote().getPort());
        return node;
    }

    /** One step's packets in capture order; {@code origin} is the walk's first packet's time. */
    ArrayNode packets(List<Packet> packets, SocketFlow flow, long origin) {
        ArrayNode array = traceJson.mapper().createArrayNode();
        for (Packet packet : packets) {
            array.add(packet(packet, flow, origin));
        }
        return array;
    }

    ObjectNode packet(Packet packet, SocketFlow flow, long origin) {
        ObjectNode node = traceJson.mapper().createObjectNode();
        node.put("number", packet.number());
        node.put("epochMicros", packet.epochMicros());
        node.put("sinceFirstMicros", packet.epochMicros() - origin);
        node.put("wireLength", packet.wireLength());
        node.put("transport", packet.transport());
        putEndpoint(node, "source", packet.source());
        putEndpoint(node, "destination", packet.destination());
        if (flow == null || packet.source() == null) {
            node.putNull("direction");
        } else {
            // seen from the walk, as its hops' directions are
            node.put("direction", packet.sentFrom(flow.localPort()) ? "sent" : "received");
        }
        node.put("payloadLength", packet.payloadLength());
        node.put("info", packet.info());
        if (packet.isTcp()) {
            node.set("tcp", tcp(packet));
        } else {
            node.putNull("tcp");
        }
        if (packet.isUdp()) {
            node.set("udp", udp(packet.udp()));
        } else {
            node.putNull("udp");
        }
        ArrayNode tls = node.putArray("tls");
        for (TlsRecordHeader record : packet.tlsRecords()) {
            tls.add(tls(record));
        }
        ArrayNode layers = node.putArray("layers");
        for (PacketLayer layer : packet.layers()) {
            ObjectNode layerNode = layers.addObject();
            layerNode.put("layer", layer.layer().word());
            layerNode.setAll((ObjectNode) traceJson.fieldsNode(List.of(layer.field())).get(0));
        }
        return node;
    }

    private ObjectNode tcp(Packet packet) {
        TcpHeader tcp = packet.tcp();
        ObjectNode node = traceJson.mapper().createObjectNode();
        node.put("offset", tcp.offset());
        node.put("sourcePort", tcp.sourcePort());
        node.put("destinationPort", tcp.destinationPort());
        ArrayNode flags = node.putArray("flags");
        for (String name : tcp.flagNames().split(", ")) {
            if (!name.isEmpty()) {
                flags.add(name);
            }
        }
        node.put("flagBits", tcp.flags());
        node.put("sequenceNumber", tcp.sequenceNumber());
        putNumber(node, "relativeSequenceNumber", packet.tcpNumbers().relativeSequence(tcp).orElse(null));
        if (tcp.has(TcpHeader.ACK)) {
            node.put("acknowledgmentNumber", tcp.acknowledgmentNumber());
            putNumber(node, "relativeAcknowledgmentNumber",
                    packet.tcpNumbers().relativeAcknowledgment(tcp).orElse(null));
        } else {
            // RFC 9293 §3.1: without ACK the field carries no meaning
            node.putNull("acknowledgmentNumber");
            node.putNull("relativeAcknowledgmentNumber");
        }
        node.put("headerLength", tcp.dataOffset());
        node.put("window", tcp.window());
        node.put("windowScale", packet.tcpNumbers().windowShift());
        node.put("payloadLength", tcp.payloadLength());
        return node;
    }

    private ObjectNode udp(UdpHeader udp) {
        ObjectNode node = traceJson.mapper().createObjectNode();
        node.put("offset", udp.offset());
        node.put("sourcePort", udp.sourcePort());
        node.put("destinationPort", udp.destinationPort());
        node.put("length", udp.length());
        node.put("payloadLength", udp.payloadLength());
        return node;
    }

    private ObjectNode tls(TlsRecordHeader record) {
        ObjectNode node = traceJson.mapper().createObjectNode();
        node.put("offset", record.offset());
        node.put("contentType", record.contentType());
        node.put("summary", record.summary());
        node.put("version", String.format("0x%04x", record.version()));
        node.put("length", record.length());
        ArrayNode handshakes = node.putArray("handshakes");
        record.handshakeTypes().forEach(handshakes::add);
        return node;
    }

    private static void putEndpoint(ObjectNode node, String name, Endpoint endpoint) {
        if (endpoint == null) {
            node.putNull(name);
        } else {
            node.put(name, endpoint.toString());
        }
    }

    private static void putNumber(ObjectNode node, String name, Long value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    private static void putText(ObjectNode node, String name, String value) {
        if (value == null) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }
}
