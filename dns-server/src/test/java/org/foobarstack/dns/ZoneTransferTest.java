package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferIn;

/** AXFR (RFC 5936) and IXFR (RFC 1995), allowed from loopback only by default. */
class ZoneTransferTest {

    static DnsServer server;

    @BeforeAll
    static void start() {
        server = LabZone.start(LabZone.directory());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Reads transfer messages over TCP until the closing SOA. */
    static List<Record> transfer(DnsServer target, Message query) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(target.tcpAddress(), DnsClient.TIMEOUT_MILLIS);
            socket.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] wire = query.toWire();
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<Record> records = new ArrayList<>();
            do {
                Message m = DnsClient.readFramed(in);
                assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
                assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
                assertThat(m.getHeader().getID()).isEqualTo(query.getHeader().getID());
                records.addAll(m.getSection(Section.ANSWER));
            } while (records.size() < 2 || records.get(records.size() - 1).getType() != Type.SOA);
            return records;
        }
    }

    @Test
    void axfrFromLoopbackSendsEveryRecordBetweenTwoSoas() throws IOException {
        List<Record> records = transfer(server, DnsClient.query("foobar.com", Type.AXFR));

        assertThat(records.get(0).getType()).isEqualTo(Type.SOA);
        assertThat(records.get(records.size() - 1)).isEqualTo(records.get(0));
        assertThat(records).hasSize(39);
        assertThat(records.stream().map(Sections::line)).contains(
                "*.wild.foobar.com. 3600 A 127.0.0.5", "ns.sub.foobar.com. 3600 A 127.0.0.7",
                "sub.foobar.com. 3600 NS ns.sub.foobar.com.");
    }

    @Test
    void dnsjavaZoneTransferInAcceptsOurAxfr() throws Exception {
        ZoneTransferIn xfr = ZoneTransferIn.newAXFR(Name.fromString("foobar.com."), server.tcpAddress(), null);
        xfr.setTimeout(java.time.Duration.ofSeconds(5));
        xfr.run();
        assertThat(xfr.isAXFR()).isTrue();
        assertThat(xfr.getAXFR()).hasSize(39).first().isInstanceOf(SOARecord.class);
    }

    @Test
    void largeZoneIsSentInSeveralMessages(@TempDir Path dir) throws IOException {
        StringBuilder zone = new StringBuilder("""
                $TTL 300
                @ IN SOA ns1 hostmaster 7 3600 600 86400 60
                  IN NS ns1
                ns1 IN A 127.0.0.1
                """);
        for (int i = 0; i < 3000; i++) {
            zone.append("host").append(i).append(" IN TXT \"record number ").append(i).append(" of a large zone\"\n");
        }
        Files.writeString(dir.resolve("big.test.zone"), zone);
        try (DnsServer big = LabZone.start(dir)) {
            Message query = DnsClient.query("big.test", Type.AXFR);
            int[] messages = {0};
            List<Record> records;
            try (Socket socket = new Socket()) {
                socket.connect(big.tcpAddress(), DnsClient.TIMEOUT_MILLIS);
                socket.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                byte[] wire = query.toWire();
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                records = new ArrayList<>();
                do {
                    records.addAll(DnsClient.readFramed(in).getSection(Section.ANSWER));
                    messages[0]++;
                } while (records.size() < 2 || records.get(records.size() - 1).getType() != Type.SOA);
            }
            assertThat(messages[0]).isGreaterThan(1);
            assertThat(records).hasSize(3000 + 4);
            assertThat(records.get(0).getType()).isEqualTo(Type.SOA);
        }
    }

    @Test
    void axfrOverUdpIsRefused() throws IOException {
        Message reply = DnsClient.udp(server.udpAddress(), DnsClient.query("foobar.com", Type.AXFR).toWire());
        assertThat(reply.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void axfrFromAnAddressNotInTheAllowListIsRefused() throws IOException {
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .axfrAllowFrom("192.0.2.0/24").build();
        try (DnsServer strict = new DnsServer(config)) {
            strict.start();
            Message reply = DnsClient.tcp(strict.tcpAddress(), DnsClient.query("foobar.com", Type.AXFR).toWire()).get(0);
            assertThat(reply.getRcode()).isEqualTo(Rcode.REFUSED);
            assertThat(reply.getSection(Section.ANSWER)).isEmpty();
            // Ordinary queries still work for that client.
            assertThat(DnsClient.tcp(strict.tcpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire())
                    .get(0).getRcode()).isEqualTo(Rcode.NOERROR);
        }
    }

    @Test
    void axfrOfANameThatIsNotAnApexIsNotauth() throws IOException {
        Message reply = DnsClient.tcp(server.tcpAddress(), DnsClient.query("www.foobar.com", Type.AXFR).toWire()).get(0);
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOTAUTH);
        Message outside = DnsClient.tcp(server.tcpAddress(), DnsClient.query("example.org", Type.AXFR).toWire()).get(0);
        assertThat(outside.getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void ixfrOverTcpIsAFullTransfer() throws IOException {
        List<Record> records = transfer(server, DnsClient.query("foobar.com", Type.IXFR));
        assertThat(records).hasSize(39);
        assertThat(records.get(0).getType()).isEqualTo(Type.SOA);
        assertThat(records.get(38).getType()).isEqualTo(Type.SOA);
    }

    @Test
    void ixfrOverUdpGetsTheCurrentSoaOnly() throws IOException {
        Message reply = DnsClient.udp(server.udpAddress(), DnsClient.query("foobar.com", Type.IXFR).toWire());
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(((SOARecord) r).getSerial()).isEqualTo(2024010101L));
    }
}
