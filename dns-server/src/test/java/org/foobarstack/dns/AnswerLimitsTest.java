package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Two limits of the README's answer table, over the wire: a CNAME chain is followed for 16 links at most, and a
 * UDP reply that is too big loses its ADDITIONAL section first, and only if it is still too big is cut to the
 * question with TC set.
 */
class AnswerLimitsTest {

    /** Hosts named by the apex MX RRset, each with an A and an AAAA record that go to ADDITIONAL. */
    private static final int MAIL_HOSTS = 10;
    /** CNAMEs in the chain c1 -> c2 -> ... -> c17 -> www. */
    private static final int CHAIN = 17;

    @TempDir
    static Path zones;

    private static DnsServer server;

    @BeforeAll
    static void start() throws IOException {
        StringBuilder zone = new StringBuilder("""
                $TTL 3600
                @    IN SOA ns1 hostmaster 1 7200 900 1209600 300
                     IN NS  ns1
                ns1  IN A   127.0.0.1
                www  IN A   127.0.0.1
                """);
        for (int i = 0; i < MAIL_HOSTS; i++) {
            zone.append("@ IN MX ").append(10 + i).append(" mx").append(i).append('\n');
            zone.append("mx").append(i).append(" IN A 127.0.1.").append(i).append('\n');
            zone.append("mx").append(i).append(" IN AAAA 2001:db8::").append(i).append('\n');
        }
        for (int i = 0; i < 40; i++) {
            zone.append("many IN MX ").append(i).append(" mail-host-").append(i).append(".example.net.\n");
        }
        for (int i = 1; i <= CHAIN; i++) {
            zone.append('c').append(i).append(" IN CNAME ").append(i == CHAIN ? "www" : "c" + (i + 1)).append('\n');
        }
        Files.writeString(zones.resolve("foobar.com.zone"), zone);
        server = LabZone.start(zones);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ CNAME chains

    private static List<String> chain(int from, int to) {
        List<String> links = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            links.add("c" + i + ".foobar.com. 3600 CNAME " + (i == CHAIN ? "www" : "c" + (i + 1)) + ".foobar.com.");
        }
        return links;
    }

    @Test
    void aChainOfFifteenLinksIsFollowedToItsAddress() throws IOException {
        Message reply = DnsClient.send(Transport.TCP, server.tcpAddress(), DnsClient.query("c3.foobar.com", Type.A));
        List<String> expected = new ArrayList<>(chain(3, CHAIN));
        expected.add("www.foobar.com. 3600 A 127.0.0.1");
        assertThat(expected).hasSize(16);
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Sections.of(reply, Section.ANSWER)).containsExactlyElementsOf(expected);
    }

    @Test
    void aLongerChainIsCutAfterSixteenLinks() throws IOException {
        for (int start : new int[] {1, 2}) {
            Message reply = DnsClient.send(Transport.TCP, server.tcpAddress(),
                    DnsClient.query("c" + start + ".foobar.com", Type.A));
            assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
            // sixteen CNAMEs and no more: the client's resolver carries on from the last target
            assertThat(Sections.of(reply, Section.ANSWER)).as("from c%d", start)
                    .containsExactlyElementsOf(chain(start, start + AuthoritativeAnswerer.MAX_CNAME_CHAIN - 1));
        }
    }

    // ------------------------------------------------------------------ too big for UDP

    private static List<String> mailAddresses() {
        List<String> additional = new ArrayList<>();
        for (int i = 0; i < MAIL_HOSTS; i++) {
            additional.add("mx" + i + ".foobar.com. 3600 A 127.0.1." + i);
            additional.add("mx" + i + ".foobar.com. 3600 AAAA 2001:db8:0:0:0:0:0:" + i);
        }
        additional.add("ns1.foobar.com. 3600 A 127.0.0.1");
        return additional;
    }

    @Test
    void theAdditionalSectionIsDroppedFirstAndTcIsNotSetWhenTheRestFits() throws IOException {
        Message whole = DnsClient.send(Transport.TCP, server.tcpAddress(), DnsClient.query("foobar.com", Type.MX));
        assertThat(whole.getSection(Section.ANSWER)).hasSize(MAIL_HOSTS);
        assertThat(Sections.of(whole, Section.ADDITIONAL)).containsExactlyInAnyOrderElementsOf(mailAddresses());
        assertThat(whole.toWire().length).as("the whole reply is over UDP's 512 bytes").isGreaterThan(512);

        Message overUdp = DnsClient.udp(server.udpAddress(), DnsClient.query("foobar.com", Type.MX).toWire());
        assertThat(overUdp.getHeader().getFlag(Flags.TC)).as("TC").isFalse();
        assertThat(overUdp.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Sections.of(overUdp, Section.ANSWER))
                .containsExactlyInAnyOrderElementsOf(Sections.of(whole, Section.ANSWER));
        assertThat(Sections.of(overUdp, Section.AUTHORITY)).containsExactly("foobar.com. 3600 NS ns1.foobar.com.");
        assertThat(overUdp.getSection(Section.ADDITIONAL)).isEmpty();
        assertThat(overUdp.toWire().length).isLessThanOrEqualTo(512);

        // with room for it (EDNS, 1232 bytes), the same question gets its ADDITIONAL section over UDP too
        Message roomy = DnsClient.udp(server.udpAddress(),
                DnsClient.queryWithEdns("foobar.com", Type.MX, 1232).toWire());
        assertThat(roomy.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(Sections.of(roomy, Section.ADDITIONAL)).containsExactlyInAnyOrderElementsOf(mailAddresses());
    }

    @Test
    void whatStillDoesNotFitWithoutTheAdditionalSectionIsCutToTheQuestionWithTc() throws IOException {
        Message whole = DnsClient.send(Transport.TCP, server.tcpAddress(), DnsClient.query("many.foobar.com", Type.MX));
        assertThat(whole.getSection(Section.ANSWER)).hasSize(40);
        // out-of-zone targets: only the name server's address is additional
        assertThat(Sections.of(whole, Section.ADDITIONAL)).containsExactly("ns1.foobar.com. 3600 A 127.0.0.1");

        Message overUdp = DnsClient.udp(server.udpAddress(), DnsClient.query("many.foobar.com", Type.MX).toWire());
        assertThat(overUdp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(overUdp.getQuestion().getName().toString()).isEqualTo("many.foobar.com.");
        assertThat(overUdp.getSection(Section.ANSWER)).isEmpty();
        assertThat(overUdp.getSection(Section.AUTHORITY)).isEmpty();
        assertThat(overUdp.getSection(Section.ADDITIONAL)).isEmpty();
    }
}
