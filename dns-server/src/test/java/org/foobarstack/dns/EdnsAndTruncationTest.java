package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** EDNS(0) (RFC 6891) and UDP truncation (RFC 1035 §4.2.1, RFC 2181 §9), checked on the wire. */
class EdnsAndTruncationTest {

    static DnsServer server;

    @BeforeAll
    static void start() {
        server = LabZone.start(LabZone.directory());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Message udp(Message query) throws IOException {
        return DnsClient.udp(server.udpAddress(), query.toWire());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void queryWithOptGetsAnOptAdvertising1232(Transport t) throws IOException {
        Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(),
                DnsClient.queryWithEdns("www.foobar.com", Type.A, 4096));

        OPTRecord opt = reply.getOPT();
        assertThat(opt).isNotNull();
        assertThat(opt.getPayloadSize()).isEqualTo(1232);
        assertThat(opt.getVersion()).isZero();
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void queryWithoutOptGetsNoOpt(Transport t) throws IOException {
        Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(),
                DnsClient.query("www.foobar.com", Type.A));
        assertThat(reply.getOPT()).isNull();
        assertThat(reply.getSection(Section.ADDITIONAL)).noneMatch(r -> r.getType() == Type.OPT);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void ednsVersionAboveZeroGetsBadversWithAVersionZeroOpt(Transport t) throws IOException {
        Message query = DnsClient.query("www.foobar.com", Type.A);
        query.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
        Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(), query);

        assertThat(reply.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(reply.getHeader().getRcode()).as("low four bits in the header").isZero();
        assertThat(reply.getOPT().getExtendedRcode()).as("high bits in the OPT").isEqualTo(1);
        assertThat(reply.getOPT().getVersion()).isZero();
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void unknownOptionsAndFlagsAreIgnoredAndDoIsCopied() throws IOException {
        Message query = DnsClient.query("www.foobar.com", Type.A);
        int unknownFlag = 0x0001;
        EDNSOption unknown = new GenericEDNSOption(65001, new byte[] {1, 2, 3});
        query.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO | unknownFlag, List.of(unknown)), Section.ADDITIONAL);
        Message reply = udp(query);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getSection(Section.ANSWER)).hasSize(1);
        assertThat(reply.getOPT().getFlags()).as("DO copied (RFC 3225 §3), unknown flag not").isEqualTo(ExtendedFlags.DO);
        assertThat(reply.getOPT().getOptions()).as("unknown option not echoed").isEmpty();
    }

    @Test
    void answerLargerThan512WithoutEdnsIsTruncated() throws IOException {
        Message reply = udp(DnsClient.query("big.foobar.com", Type.TXT));

        assertThat(reply.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        assertThat(reply.getQuestion().getName().toString()).isEqualTo("big.foobar.com.");
        assertThat(reply.toWire().length).isLessThanOrEqualTo(512);
    }

    @Test
    void answerLargerThanTheClientsEdnsSizeIsTruncatedButKeepsTheOpt() throws IOException {
        Message reply = udp(DnsClient.queryWithEdns("big.foobar.com", Type.TXT, 512));

        assertThat(reply.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        assertThat(reply.getOPT()).isNotNull();
    }

    @Test
    void answerThatFitsTheEdnsSizeIsWhole() throws IOException {
        Message reply = udp(DnsClient.queryWithEdns("big.foobar.com", Type.TXT, 1232));

        assertThat(reply.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(reply.getSection(Section.ANSWER)).hasSize(12);
    }

    @Test
    void clientSizeAboveOursIsCappedAt1232() {
        Message query = DnsClient.queryWithEdns("x", Type.A, 65000);
        assertThat(QueryProcessor.sizeLimit(Transport.UDP, query.getOPT())).isEqualTo(1232);
        assertThat(QueryProcessor.sizeLimit(Transport.UDP, DnsClient.queryWithEdns("x", Type.A, 100).getOPT()))
                .as("never below 512").isEqualTo(512);
        assertThat(QueryProcessor.sizeLimit(Transport.TCP, null)).isEqualTo(65535);
    }

    @Test
    void overTcpTheWholeAnswerComesBack() throws IOException {
        Message reply = DnsClient.tcp(server.tcpAddress(), DnsClient.query("big.foobar.com", Type.TXT).toWire()).get(0);

        assertThat(reply.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(reply.getSection(Section.ANSWER)).hasSize(12);
    }

    @Test
    void simpleResolverRetriesOverTcpAfterTruncation() throws IOException {
        // dnsjava's stub does what dig does: TC over UDP, then the same question over TCP.
        SimpleResolver resolver = new SimpleResolver(server.udpAddress());
        resolver.setEDNS(0, 512, 0, List.of());
        resolver.setTimeout(java.time.Duration.ofSeconds(5));
        Message reply = resolver.send(DnsClient.query("big.foobar.com", Type.TXT));

        assertThat(reply.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(reply.getSection(Section.ANSWER)).hasSize(12);
        assertThat(server.stats().truncated()).isPositive();
        assertThat(server.stats().tcp()).isPositive();
    }
}
