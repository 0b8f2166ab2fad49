package org.foobarstack.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.foobarstack.walk.packet.CapturedFrames.ACK;
import static org.foobarstack.walk.packet.CapturedFrames.DNS_QUERY;
import static org.foobarstack.walk.packet.CapturedFrames.SYN;
import static org.foobarstack.walk.packet.CapturedFrames.SYN_ACK;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceContext;
import org.foobarstack.walk.packet.CapturedFrames;
import org.foobarstack.walk.packet.LinkHeader;
import org.foobarstack.walk.packet.Packet;
import org.foobarstack.walk.packet.PacketDecoder;
import org.foobarstack.walk.packet.PcapFile;
import org.junit.jupiter.api.Test;

/**
 * {@code walk --json --packets} from known bytes: frames tcpdump captured on Linux's loopback (a DNS query in a UDP
 * datagram, a TCP three-way handshake) and a ClientHello record, written into a pcap file, decoded, put under their
 * steps, and rendered: each packet's fields in the JSON must be the bytes' values, at the bytes' offsets.
 */
class JourneyJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The walk's next segment on the connection of CapturedFrames' handshake: PSH, ACK with a 13-byte ClientHello record (TLS 1.0 header). */
    private static final String CLIENT_HELLO = "000000000000000000000000080045000035" + "6c0f40004006d0b1"
            + "7f0000017f000001" + "dfe01f90" + "08617aee" + "8148ebff" + "5018" + "0040" + "fe350000"
            + "1603010008" + "01000004" + "0303abcd";

    private static final InetSocketAddress DNS = new InetSocketAddress("127.0.0.1", 5300);
    private static final InetSocketAddress WEB = new InetSocketAddress("127.0.0.1", 8080);
    private static final long EPOCH_MICROS = CapturedFrames.FIRST_EPOCH_MICROS;

    @Test
    void eachClientHopCarriesItsLayerSocketAndPacketsWithTheirFieldsAndOffsets() throws Exception {
        List<Packet> packets = PacketDecoder.decodeAll(PcapFile.read(pcap(DNS_QUERY, SYN, SYN_ACK, ACK,
                CLIENT_HELLO)), Set.of(5300));
        List<WalkStep> steps = List.of(
                step(Protocol.DNS, Direction.SENT, "query www.foobar.com. A over UDP", SocketFlow.udp(54374, DNS)),
                step(Protocol.TCP, Direction.SENT, "connect", SocketFlow.tcp(57312, WEB)),
                step(Protocol.TLS, Direction.RECEIVED, "TLSv1.3", SocketFlow.tcp(57312, WEB)));
        WalkPackets captured = new WalkPackets("lo", "udp port 5300 or tcp port 5300 or tcp port 8080", 1, 5,
                List.of(packets.subList(0, 1), packets.subList(1, 4), packets.subList(4, 5)), null)
                .withDashboard("sent to the dashboard");
        Journey journey = new Journey(WalkRequest.builder("https://www.foobar.com:8080/").build(),
                TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), steps, 200, null, null,
                null, "no admin server").withPackets(captured);

        JsonNode root = MAPPER.readTree(new JourneyJson().render(journey));

        JsonNode capture = root.get("packets");
        assertThat(capture.get("interface").asText()).isEqualTo("lo");
        assertThat(capture.get("linkType").asInt()).isEqualTo(1);
        assertThat(capture.get("ofWalk").asInt()).isEqualTo(5);
        assertThat(capture.get("firstEpochMicros").asLong()).isEqualTo(EPOCH_MICROS);
        assertThat(capture.get("note").isNull()).isTrue();
        assertThat(capture.get("dashboard").asText()).isEqualTo("sent to the dashboard");

        // [1] the DNS query: the application layer's message, one UDP datagram
        JsonNode dns = root.get("client").get(0);
        assertThat(dns.get("layer").asText()).isEqualTo("application");
        assertThat(dns.get("socket").get("transport").asText()).isEqualTo("UDP");
        assertThat(dns.get("socket").get("localPort").asInt()).isEqualTo(54374);
        assertThat(dns.get("socket").get("server").asText()).isEqualTo("127.0.0.1:5300");
        JsonNode query = dns.get("packets").get(0);
        assertThat(query.get("number").asInt()).isEqualTo(1);
        assertThat(query.get("sinceFirstMicros").asLong()).isZero();
        assertThat(query.get("wireLength").asInt()).isEqualTo(74);
        assertThat(query.get("source").asText()).isEqualTo("127.0.0.1:54374");
        assertThat(query.get("destination").asText()).isEqualTo("127.0.0.1:5300");
        assertThat(query.get("direction").asText()).isEqualTo("sent");
        assertThat(query.get("tcp").isNull()).isTrue();
        assertThat(query.get("udp").get("offset").asInt()).isEqualTo(34);
        assertThat(query.get("udp").get("sourcePort").asInt()).isEqualTo(54374);
        assertThat(query.get("udp").get("length").asInt()).isEqualTo(40);
        assertThat(query.get("udp").get("payloadLength").asInt()).isEqualTo(32);
        JsonNode layers = query.get("layers");
        assertThat(layers).extracting(layer -> layer.get("layer").asText())
                .containsExactly("link", "internet", "transport", "application");
        JsonNode ip = layers.get(1);
        assertThat(ip.get("offset").asInt()).isEqualTo(14);
        assertThat(ip.get("length").asInt()).isEqualTo(20);
        assertThat(field(ip, "Time to live").get("offset").asInt()).isEqualTo(22);
        assertThat(field(ip, "Protocol").get("value").asText()).isEqualTo("17 (UDP)");
        assertThat(field(ip, "Header checksum").get("value").asText()).isEqualTo("0xfaf9 [correct]");
        JsonNode udp = layers.get(2);
        assertThat(udp.get("name").asText()).isEqualTo("Transport layer: User Datagram Protocol");
        assertThat(field(udp, "Destination port").get("offset").asInt()).isEqualTo(36);
        assertThat(field(udp, "Destination port").get("value").asText()).isEqualTo("5300");
        assertThat(layers.get(3).get("offset").asInt()).isEqualTo(42);
        assertThat(layers.get(3).get("value").asText()).startsWith("query id 0xa700");

        // [2] the connect: the transport layer's; SYN, SYN-ACK, ACK with their numbers, absolute and relative
        JsonNode connect = root.get("client").get(1);
        assertThat(connect.get("layer").asText()).isEqualTo("transport");
        JsonNode handshake = connect.get("packets");
        assertThat(handshake).extracting(p -> p.get("tcp").get("flags").toString())
                .containsExactly("[\"SYN\"]", "[\"SYN\",\"ACK\"]", "[\"ACK\"]");
        assertThat(handshake).extracting(p -> p.get("direction").asText())
                .containsExactly("sent", "received", "sent");
        JsonNode syn = handshake.get(0).get("tcp");
        assertThat(syn.get("offset").asInt()).isEqualTo(34);
        assertThat(syn.get("sourcePort").asInt()).isEqualTo(57312);
        assertThat(syn.get("destinationPort").asInt()).isEqualTo(8080);
        assertThat(syn.get("flagBits").asInt()).isEqualTo(0x02);
        assertThat(syn.get("sequenceNumber").asLong()).isEqualTo(140606189L);
        assertThat(syn.get("relativeSequenceNumber").asLong()).isZero();
        assertThat(syn.get("acknowledgmentNumber").isNull()).as("ACK is not set").isTrue();
        assertThat(syn.get("headerLength").asInt()).isEqualTo(40);
        assertThat(syn.get("window").asInt()).isEqualTo(65495);
        assertThat(syn.get("payloadLength").asInt()).isZero();
        JsonNode synAck = handshake.get(1).get("tcp");
        assertThat(synAck.get("sequenceNumber").asLong()).isEqualTo(2169039870L);
        assertThat(synAck.get("acknowledgmentNumber").asLong()).isEqualTo(140606190L);
        assertThat(synAck.get("relativeAcknowledgmentNumber").asLong()).isEqualTo(1);
        JsonNode ack = handshake.get(2).get("tcp");
        assertThat(ack.get("relativeSequenceNumber").asLong()).isEqualTo(1);
        assertThat(ack.get("relativeAcknowledgmentNumber").asLong()).isEqualTo(1);
        assertThat(ack.get("window").asInt()).isEqualTo(64);
        assertThat(ack.get("windowScale").asInt()).isEqualTo(10);
        JsonNode tcpLayer = handshake.get(0).get("layers").get(2);
        assertThat(tcpLayer.get("layer").asText()).isEqualTo("transport");
        assertThat(field(tcpLayer, "Sequence number").get("offset").asInt()).isEqualTo(38);
        assertThat(field(tcpLayer, "Sequence number").get("value").asText())
                .isEqualTo("0 (relative), 140606189 (absolute)");
        JsonNode flags = field(tcpLayer, "Flags");
        assertThat(flags.get("offset").asInt()).isEqualTo(46);
        assertThat(flags.get("length").asInt()).isEqualTo(2);
        assertThat(flags.get("value").asText()).isEqualTo("0x002 (SYN)");
        assertThat(field(field(tcpLayer, "Options"), "Window scale").get("offset").asInt()).isEqualTo(71);

        // [3] the TLS handshake: its ClientHello record where it begins in the frame
        JsonNode tls = root.get("client").get(2);
        assertThat(tls.get("layer").asText()).isEqualTo("application");
        JsonNode hello = tls.get("packets").get(0);
        assertThat(hello.get("tcp").get("flags").toString()).isEqualTo("[\"PSH\",\"ACK\"]");
        assertThat(hello.get("payloadLength").asInt()).isEqualTo(13);
        assertThat(field(hello.get("layers").get(1), "Header checksum").get("value").asText())
                .isEqualTo("0xd0b1 [correct]");
        JsonNode record = hello.get("tls").get(0);
        assertThat(record.get("offset").asInt()).isEqualTo(54);
        assertThat(record.get("contentType").asInt()).isEqualTo(22);
        assertThat(record.get("version").asText()).isEqualTo("0x0301");
        assertThat(record.get("length").asInt()).isEqualTo(8);
        assertThat(record.get("summary").asText()).isEqualTo("Handshake ClientHello");
        assertThat(record.get("handshakes").toString()).isEqualTo("[\"ClientHello\"]");
        JsonNode application = hello.get("layers").get(3);
        assertThat(application.get("layer").asText()).isEqualTo("application");
        JsonNode recordField = field(application, "TLS record");
        assertThat(field(recordField, "Content type").get("offset").asInt()).isEqualTo(54);
        assertThat(field(recordField, "Legacy record version").get("offset").asInt()).isEqualTo(55);
        assertThat(field(field(recordField, "Handshake message"), "Handshake type").get("value").asText())
                .isEqualTo("1 (ClientHello)");
    }

    @Test
    void withoutPacketsTheHopsHaveTheirLayerAndNoPacketKeys() throws Exception {
        Journey journey = new Journey(WalkRequest.builder("http://www.foobar.com:8080/").build(),
                TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                List.of(step(Protocol.HTTP, Direction.SENT, "GET / HTTP/1.1", SocketFlow.tcp(57312, WEB))), 200,
                null, null, null, "no admin server");

        JsonNode root = MAPPER.readTree(new JourneyJson().render(journey));

        assertThat(root.has("packets")).isFalse();
        JsonNode hop = root.get("client").get(0);
        assertThat(hop.get("layer").asText()).isEqualTo("application");
        assertThat(hop.has("packets")).isFalse();
        assertThat(hop.has("socket")).isFalse();
    }

    @Test
    void theCompactFormIsTheSameJsonOnOneLine() throws Exception {
        Journey journey = new Journey(WalkRequest.builder("http://www.foobar.com:8080/").build(),
                TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                List.of(step(Protocol.TCP, Direction.SENT, "connect", SocketFlow.tcp(57312, WEB))), 200,
                null, null, null, "no admin server");
        JourneyJson json = new JourneyJson();

        String compact = json.renderCompact(journey);

        assertThat(compact).doesNotContain("\n");
        assertThat(MAPPER.readTree(compact)).isEqualTo(MAPPER.readTree(json.render(journey)));
    }

    private static JsonNode field(JsonNode parent, String name) {
        for (JsonNode child : parent.get("children")) {
            if (child.get("name").asText().equals(name)) {
                return child;
            }
        }
        throw new AssertionError("no field " + name + " under " + parent.get("name"));
    }

    private static WalkStep step(Protocol protocol, Direction direction, String summary, SocketFlow flow) {
        long now = System.nanoTime();
        Hop hop = Hop.builder("4bf92f3577b34da6a3ce929d0e0e4736", protocol, direction).tier("client", "walk")
                .summary(summary).timing(now, now + 1000).startEpochMicros(EPOCH_MICROS).build();
        return new WalkStep(hop, List.of(), flow);
    }

    /** A pcap file as tcpdump writes it on this machine: little-endian, link type Ethernet. */
    private static byte[] pcap(String... frames) {
        return CapturedFrames.pcap(ByteOrder.LITTLE_ENDIAN, LinkHeader.ETHERNET, frames);
    }
}
