package org.foobarstack.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.foobarstack.trace.Protocol;
import org.foobarstack.walk.packet.Packet;
import org.foobarstack.walk.packet.TcpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code walk --packets} for real: tcpdump captures on the loopback interface while the walk asks the test DNS
 * server and fetches from the test HTTP server. Needs root and tcpdump (Debian package {@code tcpdump}); in CI
 * ({@code CI=true} or {@code 1}) their absence fails the test, elsewhere it is skipped.
 */
class WalkPacketsTest {

    private TestHttpServer http;
    private TestDnsServer dns;

    @BeforeEach
    void start() throws Exception {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(line -> line.matches("Uid:\\s+\\d+\\s+0\\s.*"));
        boolean tcpdump = Files.isExecutable(Path.of("/usr/bin/tcpdump")) || Files.isExecutable(Path.of("/usr/sbin/tcpdump"));
        if (String.valueOf(System.getenv("CI")).matches("true|1")) {
            assertThat(root).as("this test captures packets: it must run as root").isTrue();
            assertThat(tcpdump).as("tcpdump (Debian package tcpdump) is needed for this test").isTrue();
        } else {
            assumeThat(root).as("running as root").isTrue();
            assumeThat(tcpdump).as("tcpdump installed").isTrue();
        }
        http = new TestHttpServer();
        dns = new TestDnsServer(Map.of("www.foobar.com.", InetAddress.getByAddress(new byte[] {127, 0, 0, 1})), false);
    }

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private int dnsPort() {
        return Integer.parseInt(dns.address().substring(dns.address().lastIndexOf(':') + 1));
    }

    private WalkRequest request() {
        return WalkRequest.builder("http://www.foobar.com:" + http.port() + "/").dns(dns.address()).packets(true)
                .build();
    }

    @Test
    void theHttpHopShowsTheThreeWayHandshakeAndTheDnsHopItsUdpDatagrams() throws Exception {
        Journey journey = new CapturingWalker().walk(request());

        assertThat(journey.exitCode()).isZero();
        WalkPackets packets = journey.capture().orElseThrow();
        List<WalkStep> steps = journey.steps();
        assertThat(steps).extracting(step -> step.hop().protocol())
                .containsExactly(Protocol.DNS, Protocol.DNS, Protocol.TCP, Protocol.HTTP, Protocol.HTTP);

        // [1] the query and [2] the answer: one UDP datagram each, to and from the DNS server's port
        Packet query = packets.ofStep(0).get(0);
        assertThat(packets.ofStep(0)).hasSize(1);
        assertThat(query.isUdp()).isTrue();
        assertThat(query.destination().port()).isEqualTo(dnsPort());
        assertThat(query.info()).contains("DNS query");
        assertThat(packets.ofStep(1)).singleElement().satisfies(answer -> {
            assertThat(answer.isUdp()).isTrue();
            assertThat(answer.source().port()).isEqualTo(dnsPort());
            assertThat(answer.info()).contains("DNS response");
        });

        // [3] the connect: SYN, SYN-ACK, ACK, in that order, between the walk's port and the server's
        List<Packet> handshake = packets.ofStep(2);
        assertThat(handshake).extracting(packet -> packet.tcp().flagNames())
                .containsExactly("SYN", "SYN, ACK", "ACK");
        int clientPort = steps.get(2).flow().localPort();
        assertThat(handshake.get(0).source().port()).isEqualTo(clientPort);
        assertThat(handshake.get(0).destination().port()).isEqualTo(http.port());
        assertThat(handshake.get(1).source().port()).isEqualTo(http.port());
        assertThat(handshake.get(2).tcp().has(TcpHeader.ACK)).isTrue();
        assertThat(handshake.get(2).tcpNumbers().relativeSequence(handshake.get(2).tcp())).contains(1L);

        // [4] the request's bytes leave the walk; [5] the response's arrive, and both sides close with FIN
        assertThat(packets.ofStep(3)).anySatisfy(packet -> {
            assertThat(packet.sentFrom(clientPort)).isTrue();
            assertThat(packet.info()).contains("\"GET / HTTP/1.1\"");
        });
        assertThat(packets.ofStep(4)).anySatisfy(packet -> assertThat(packet.info()).contains("\"HTTP/1.1 200 OK\""));
        assertThat(packets.ofStep(4)).filteredOn(packet -> packet.hasTcpFlag(TcpHeader.FIN)).hasSize(2);
    }

    @Test
    void theTextShowsEachPacketUnderItsHopWithItsLayers() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Walk.run(request(), false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(text).contains("captured on lo by tcpdump");
        assertThat(text).containsSubsequence(
                "client/walk  DNS sent", "UDP ", "-> " + dnsPort() + " Len=",
                "Link layer: Ethernet II [0+14]", "Internet layer: Internet Protocol version 4 [14+20]",
                "Transport layer: User Datagram Protocol [34+8]", "Application layer: Domain Name System [42+",
                "client/walk  TCP sent  connect", "[SYN] Seq=0", "[SYN, ACK] Seq=0 Ack=1", "[ACK] Seq=1 Ack=1",
                "client/walk  HTTP sent", "client/walk  HTTP received", "[FIN, ACK]");
    }

    @Test
    void theJsonCarriesEachHopsPacketsAndTheyGoToTheAdminServerWithTheToken() throws Exception {
        Path tokenFile = Files.createTempFile("walk-admin", ".token");
        try {
            Files.writeString(tokenFile, "0123456789abcdef0123456789abcdef\n");
            WalkRequest request = WalkRequest.builder("http://www.foobar.com:" + http.port() + "/")
                    .dns(dns.address()).packets(true).traceApi("http://127.0.0.1:" + http.port())
                    .tokenFile(tokenFile).build();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int code = Walk.run(request, true, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            ObjectMapper mapper = new ObjectMapper();
            JsonNode root = mapper.readTree(out.toString(StandardCharsets.UTF_8));
            String traceId = root.get("traceId").asText();
            assertThat(root.get("packets").get("interface").asText()).isEqualTo("lo");
            assertThat(root.get("packets").get("dashboard").asText()).startsWith("sent to the dashboard (PUT http://");
            JsonNode client = root.get("client");
            assertThat(client).extracting(hop -> hop.get("protocol").asText() + " " + hop.get("layer").asText())
                    .containsExactly("DNS application", "DNS application", "TCP transport", "HTTP application",
                            "HTTP application");
            // the query's datagram, to the DNS server's port, its UDP header at 34 after Ethernet and IPv4
            JsonNode query = client.get(0).get("packets").get(0);
            assertThat(query.get("direction").asText()).isEqualTo("sent");
            assertThat(query.get("udp").get("destinationPort").asInt()).isEqualTo(dnsPort());
            assertThat(query.get("udp").get("offset").asInt()).isEqualTo(34);
            assertThat(query.get("layers")).extracting(layer -> layer.get("layer").asText())
                    .containsExactly("link", "internet", "transport", "application");
            // the connect: SYN, SYN-ACK, ACK from the walk's socket
            JsonNode connect = client.get(2);
            assertThat(connect.get("packets")).extracting(p -> p.get("tcp").get("flags").toString())
                    .containsExactly("[\"SYN\"]", "[\"SYN\",\"ACK\"]", "[\"ACK\"]");
            assertThat(connect.get("packets").get(0).get("source").asText())
                    .endsWith(":" + connect.get("socket").get("localPort").asInt());
            assertThat(connect.get("packets").get(2).get("tcp").get("relativeSequenceNumber").asLong()).isEqualTo(1);

            // the admin server got the same journey, without indentation, with the stack's token
            assertThat(http.lastPacketsPath.get()).isEqualTo("/api/traces/" + traceId + "/packets");
            assertThat(http.lastPacketsAuthorization.get()).isEqualTo("Bearer 0123456789abcdef0123456789abcdef");
            String sent = http.lastPacketsBody.get();
            assertThat(sent).doesNotContain("\n");
            JsonNode sentRoot = mapper.readTree(sent);
            assertThat(sentRoot.get("traceId").asText()).isEqualTo(traceId);
            assertThat(sentRoot.get("packets").get("dashboard").isNull()).isTrue();
            assertThat(sentRoot.get("client")).isEqualTo(client);
        } finally {
            Files.deleteIfExists(tokenFile);
        }
    }
}
