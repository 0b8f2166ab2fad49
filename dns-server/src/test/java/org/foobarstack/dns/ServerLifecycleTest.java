package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The public API the launcher uses: ports, shipped zone variants, stats, close. */
class ServerLifecycleTest {

    @Test
    void portZeroBindsUdpAndTcpOnTheSameFreePort() {
        try (DnsServer server = new DnsServer(DnsServerConfig.builder().port(0).build())) {
            server.start();
            assertThat(server.udpAddress().getPort()).isPositive().isEqualTo(server.tcpAddress().getPort());
            assertThat(server.udpAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void takenPortGivesAClearError() throws IOException {
        try (DnsServer first = new DnsServer(DnsServerConfig.builder().port(0).build())) {
            first.start();
            int port = first.udpAddress().getPort();
            DnsServer second = new DnsServer(DnsServerConfig.builder().port(port).build());
            assertThatThrownBy(second::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("dns-server")
                    .hasMessageContaining("127.0.0.1:" + port);
            second.close();
            // the first one is unaffected: it still answers on both transports, and counts only what it answered
            Message overUdp = DnsClient.udp(first.udpAddress(), DnsClient.query("ns1.foobar.com", Type.A).toWire());
            assertThat(Sections.of(overUdp, Section.ANSWER)).containsExactly("ns1.foobar.com. 3600 A 127.0.0.1");
            Message overTcp = DnsClient.send(Transport.TCP, first.tcpAddress(), DnsClient.query("ns1.foobar.com", Type.A));
            assertThat(Sections.of(overTcp, Section.ANSWER)).containsExactly("ns1.foobar.com. 3600 A 127.0.0.1");
            DnsStats stats = first.stats();
            assertThat(stats.queries()).isEqualTo(2);
            assertThat(stats.udp()).isEqualTo(1);
            assertThat(stats.tcp()).isEqualTo(1);
            assertThat(stats.rcode("NOERROR")).isEqualTo(2);
            assertThat(first.running()).isTrue();
        }
    }

    @Test
    void closeIsIdempotentAndReleasesThePort() throws IOException {
        DnsServer server = new DnsServer(DnsServerConfig.builder().port(0).build());
        server.start();
        int port = server.udpAddress().getPort();
        server.close();
        server.close();
        try (DnsServer again = new DnsServer(DnsServerConfig.builder().port(port).build())) {
            again.start();
            assertThat(again.tcpAddress().getPort()).isEqualTo(port);
        }
    }

    @Test
    void defaultConfigMatchesTheStacksConventions() {
        DnsServerConfig config = DnsServerConfig.builder().build();
        assertThat(config.port()).isEqualTo(5300);
        assertThat(config.bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(config.zonesDirectory()).isNull();
        assertThat(config.wwwAsCname()).isFalse();
        assertThat(config.webAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(config.axfrAllowFrom()).extracting(Cidr::toString).containsExactly("127.0.0.0/8", "0:0:0:0:0:0:0:1/128");
        assertThat(config.toBuilder().port(1).build().port()).isEqualTo(1);
        assertThatThrownBy(() -> DnsServerConfig.builder().webAddress("::1").build())
                .hasMessageContaining("IPv4");
    }

    @Test
    void shippedZoneHasWwwAsAnARecordPointingAtTheWebTier() throws IOException {
        DnsServerConfig config = DnsServerConfig.builder().port(0).webAddress("127.0.0.42").build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            Message reply = new SimpleResolver(server.udpAddress()).send(DnsClient.query("www.foobar.com", Type.A));
            assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(Sections.of(reply, Section.ANSWER)).containsExactly("www.foobar.com. 3600 A 127.0.0.42");
            assertThat(Sections.of(DnsClient.udp(server.udpAddress(), DnsClient.query("ns1.foobar.com", Type.A).toWire()),
                    Section.ANSWER)).as("ns1 is this server's own address").containsExactly("ns1.foobar.com. 3600 A 127.0.0.1");
            assertThat(server.zoneSerials()).containsOnlyKeys("foobar.com.");
        }
    }

    @Test
    void wwwCnameVariantAnswersWithTheCnameThenTheApexAddress() throws IOException {
        DnsServerConfig config = DnsServerConfig.builder().port(0).wwwAsCname(true).webAddress("127.0.0.42").build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            Message reply = new SimpleResolver(server.udpAddress()).send(DnsClient.query("www.foobar.com", Type.A));
            assertThat(Sections.of(reply, Section.ANSWER)).containsExactly(
                    "www.foobar.com. 3600 CNAME foobar.com.", "foobar.com. 3600 A 127.0.0.42");
            assertThat(server.zoneText("foobar.com")).contains("www     IN CNAME foobar.com.").contains("127.0.0.42")
                    .doesNotContain(ZoneLoader.WEB_ADDRESS_PLACEHOLDER);
        }
    }

    @Test
    void severalServersRunInOneJvmOnDifferentAddresses() throws IOException {
        try (DnsServer a = new DnsServer(DnsServerConfig.builder().bindAddress("127.0.0.11").port(0).build());
             DnsServer b = new DnsServer(DnsServerConfig.builder().bindAddress("127.0.0.12").port(0).build())) {
            a.start();
            b.start();
            for (DnsServer s : new DnsServer[] {a, b}) {
                Message reply = DnsClient.udp(s.udpAddress(), DnsClient.query("ns1.foobar.com", Type.A).toWire());
                assertThat(Sections.of(reply, Section.ANSWER)).as("${dns.address} is each server's own")
                        .containsExactly("ns1.foobar.com. 3600 A " + s.udpAddress().getAddress().getHostAddress());
            }
            assertThat(a.stats().queries()).isEqualTo(1);
            assertThat(b.stats().queries()).isEqualTo(1);
        }
    }

    @Test
    void statsCountRcodesTypesAndTransports() throws IOException {
        try (DnsServer server = LabZone.start(LabZone.directory())) {
            DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());
            DnsClient.udp(server.udpAddress(), DnsClient.query("nope.foobar.com", Type.A).toWire());
            DnsClient.tcp(server.tcpAddress(), DnsClient.query("foobar.com", Type.MX).toWire());
            DnsClient.udp(server.udpAddress(), DnsClient.query("example.org", Type.AAAA).toWire());

            DnsStats stats = server.stats();
            assertThat(stats.queries()).isEqualTo(4);
            assertThat(stats.udp()).isEqualTo(3);
            assertThat(stats.tcp()).isEqualTo(1);
            assertThat(stats.rcode("NOERROR")).isEqualTo(2);
            assertThat(stats.rcode("NXDOMAIN")).isEqualTo(1);
            assertThat(stats.rcode("REFUSED")).isEqualTo(1);
            assertThat(stats.type("A")).isEqualTo(2);
            assertThat(stats.type("MX")).isEqualTo(1);
            assertThat(stats.toString()).contains("queries=4 (udp 3, tcp 1)").contains("NOERROR=2").contains("A=2");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nativeTransportAnswersTheSame(Transport t) throws IOException {
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .nativeTransport(true).ioThreads(2).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            // netty-all carries epoll for Linux on x86_64: there a request for the native transport must get it,
            // not a quiet fall back to NIO (which is only logged)
            if (linuxX86_64()) {
                assertThat(Epoll.isAvailable()).as("epoll on Linux x86_64: %s", Epoll.unavailabilityCause()).isTrue();
                assertThat(server.nativeTransportInUse()).as("the server's sockets are epoll's").isTrue();
            } else {
                assertThat(server.nativeTransportInUse()).isEqualTo(Epoll.isAvailable());
            }
            Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(),
                    DnsClient.query("alias2.foobar.com", Type.A));
            assertThat(reply.getSection(Section.ANSWER)).hasSize(3);
            assertThat(DnsClient.udp(server.udpAddress(), DnsClient.query("big.foobar.com", Type.TXT).toWire())
                    .getHeader().getFlag(Flags.TC)).isTrue();
        }
    }

    @Test
    void theDefaultTransportIsEpollWhereItLoads() throws IOException {
        try (DnsServer server = new DnsServer(DnsServerConfig.builder().port(0).build())) {
            server.start();
            if (linuxX86_64()) {
                assertThat(server.nativeTransportInUse()).as("epoll is the default on Linux x86_64").isTrue();
            } else {
                assertThat(server.nativeTransportInUse()).isEqualTo(Epoll.isAvailable());
            }
            assertThat(Sections.of(DnsClient.udp(server.udpAddress(), DnsClient.query("ns1.foobar.com", Type.A).toWire()),
                    Section.ANSWER)).containsExactly("ns1.foobar.com. 3600 A 127.0.0.1");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nioAnswersTheSameWhenAskedFor(Transport t) throws IOException {
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .nativeTransport(false).ioThreads(2).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            assertThat(server.nativeTransportInUse()).isFalse();
            Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(),
                    DnsClient.query("alias2.foobar.com", Type.A));
            assertThat(reply.getSection(Section.ANSWER)).hasSize(3);
            assertThat(DnsClient.udp(server.udpAddress(), DnsClient.query("big.foobar.com", Type.TXT).toWire())
                    .getHeader().getFlag(Flags.TC)).isTrue();
        }
    }

    private static boolean linuxX86_64() {
        String arch = System.getProperty("os.arch");
        return System.getProperty("os.name").equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    @Test
    void queryLogLineLooksLikeBindsWithTheOutcome() throws IOException {
        Message query = DnsClient.queryWithEdns("www.foobar.com", Type.A, 1232);
        Header header = query.getHeader();
        Record question = query.getQuestion();
        OPTRecord opt = query.getOPT();
        String line = QueryLog.format(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 53413), Transport.UDP,
                header, opt, question, Rcode.NOERROR, true, false, 1, 143_000);
        assertThat(line).isEqualTo(
                "client 127.0.0.1#53413 (www.foobar.com): query: www.foobar.com IN A +E(0) udp NOERROR aa answers=1 time=0.143ms");
    }
}
