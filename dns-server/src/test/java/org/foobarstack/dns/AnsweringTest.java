package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * RFC 1034 §4.3.2 with RFC 2308, 4592, 8020 and 8482, over UDP and over TCP, against the
 * laboratory zone: every answer checked for rcode, flags, sections and TTLs as dig would show them.
 */
class AnsweringTest {

    static DnsServer server;

    static final String APEX_NS_1 = "foobar.com. 3600 NS ns1.foobar.com.";
    static final String APEX_NS_2 = "foobar.com. 3600 NS ns2.foobar.com.";
    /** RFC 2308 §3: TTL = min(SOA TTL 3600, MINIMUM 300). */
    static final String NEGATIVE_SOA = "foobar.com. 300 SOA ns1.foobar.com. hostmaster.foobar.com. 2024010101 7200 900 1209600 300";

    @BeforeAll
    static void start() {
        server = LabZone.start(LabZone.directory());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Message ask(Transport transport, String name, int type) throws IOException {
        return DnsClient.send(transport, transport == Transport.UDP ? server.udpAddress() : server.tcpAddress(),
                DnsClient.query(name, type));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void positiveAnswerIsAuthoritativeWithNsInAuthorityAndTheirAddresses(Transport t) throws IOException {
        Message query = DnsClient.query("www.foobar.com", Type.A);
        Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(), query);

        assertThat(reply.getHeader().getID()).isEqualTo(query.getHeader().getID());
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getHeader().getFlag(Flags.RD)).as("RD copied").isTrue();
        assertThat(reply.getHeader().getFlag(Flags.RA)).as("RA never set").isFalse();
        assertThat(reply.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(Sections.of(reply, Section.ANSWER)).containsExactly("www.foobar.com. 3600 A 127.0.0.1");
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactlyInAnyOrder(APEX_NS_1, APEX_NS_2);
        assertThat(Sections.of(reply, Section.ADDITIONAL)).containsExactlyInAnyOrder(
                "ns1.foobar.com. 3600 A 127.0.0.1", "ns2.foobar.com. 3600 A 127.0.0.2", "ns2.foobar.com. 3600 AAAA 0:0:0:0:0:0:0:2");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void namesMatchCaseInsensitivelyAndTheQuestionIsEchoedAsAsked(Transport t) throws IOException {
        Message query = DnsClient.query("WwW.FooBar.CoM", Type.A);
        query.getHeader().unsetFlag(Flags.RD);
        Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(), query);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getQuestion().getName().toString()).isEqualTo("WwW.FooBar.CoM.");
        assertThat(reply.getHeader().getFlag(Flags.RD)).as("RD copied when clear").isFalse();
        assertThat(reply.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(r.rdataToString()).isEqualTo("127.0.0.1"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nxdomainCarriesTheSoaWithTheNegativeTtl(Transport t) throws IOException {
        Message reply = ask(t, "nope.foobar.com", Type.A);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactly(NEGATIVE_SOA);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void nameWithoutTheTypeIsNodataWithSoa(Transport t) throws IOException {
        Message reply = ask(t, "www.foobar.com", Type.MX);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactly(NEGATIVE_SOA);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void emptyNonTerminalsAreNodataNotNxdomain(Transport t) throws IOException {
        for (String ent : new String[] {"c.foobar.com", "b.c.foobar.com", "wild.foobar.com"}) {
            Message reply = ask(t, ent, Type.A);
            assertThat(reply.getRcode()).as(ent).isEqualTo(Rcode.NOERROR);
            assertThat(reply.getSection(Section.ANSWER)).as(ent).isEmpty();
            assertThat(Sections.of(reply, Section.AUTHORITY)).as(ent).containsExactly(NEGATIVE_SOA);
        }
        assertThat(Sections.of(ask(t, "a.b.c.foobar.com", Type.A), Section.ANSWER))
                .containsExactly("a.b.c.foobar.com. 3600 A 127.0.0.4");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void cnameChainsAreFollowedInsideTheZone(Transport t) throws IOException {
        Message reply = ask(t, "alias2.foobar.com", Type.A);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(Sections.of(reply, Section.ANSWER)).containsExactly(
                "alias2.foobar.com. 3600 CNAME alias.foobar.com.",
                "alias.foobar.com. 3600 CNAME www.foobar.com.",
                "www.foobar.com. 3600 A 127.0.0.1");
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactlyInAnyOrder(APEX_NS_1, APEX_NS_2);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void askingForTheCnameItselfDoesNotFollowIt(Transport t) throws IOException {
        assertThat(Sections.of(ask(t, "alias.foobar.com", Type.CNAME), Section.ANSWER))
                .containsExactly("alias.foobar.com. 3600 CNAME www.foobar.com.");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void cnameLoopStopsWhenANameRepeats(Transport t) throws IOException {
        Message reply = ask(t, "loop1.foobar.com", Type.A);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Sections.of(reply, Section.ANSWER)).containsExactly(
                "loop1.foobar.com. 3600 CNAME loop2.foobar.com.",
                "loop2.foobar.com. 3600 CNAME loop1.foobar.com.");
        assertThat(reply.getSection(Section.AUTHORITY)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void cnameLeavingTheZoneIsHandedToTheClient(Transport t) throws IOException {
        Message reply = ask(t, "external.foobar.com", Type.A);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Sections.of(reply, Section.ANSWER)).containsExactly("external.foobar.com. 3600 CNAME www.example.org.");
        assertThat(reply.getSection(Section.AUTHORITY)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void cnameToAMissingNameIsNxdomainWithTheChain(Transport t) throws IOException {
        Message reply = ask(t, "dangling.foobar.com", Type.A);

        assertThat(reply.getRcode()).as("RFC 6604: rcode of the last link").isEqualTo(Rcode.NXDOMAIN);
        assertThat(Sections.of(reply, Section.ANSWER)).containsExactly("dangling.foobar.com. 3600 CNAME nowhere.foobar.com.");
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactly(NEGATIVE_SOA);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void wildcardSynthesisesTheAskedName(Transport t) throws IOException {
        Message reply = ask(t, "x.y.wild.foobar.com", Type.A);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(Sections.of(reply, Section.ANSWER)).containsExactly("x.y.wild.foobar.com. 3600 A 127.0.0.5");
        assertThat(Sections.of(ask(t, "x.wild.foobar.com", Type.TXT), Section.ANSWER))
                .containsExactly("x.wild.foobar.com. 3600 TXT \"synthesised from *.wild\"");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void wildcardWithoutTheTypeIsNodata(Transport t) throws IOException {
        Message reply = ask(t, "x.wild.foobar.com", Type.MX);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(reply.getSection(Section.ANSWER)).isEmpty();
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactly(NEGATIVE_SOA);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void belowAnExistingNameTheWildcardDoesNotApply(Transport t) throws IOException {
        // RFC 4592 §2.2.2: host.wild exists, so it is the closest encloser of sub.host.wild, and
        // it has no "*" child: NXDOMAIN although *.wild exists.
        Message reply = ask(t, "sub.host.wild.foobar.com", Type.A);

        assertThat(reply.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactly(NEGATIVE_SOA);
        assertThat(Sections.of(ask(t, "host.wild.foobar.com", Type.A), Section.ANSWER))
                .containsExactly("host.wild.foobar.com. 3600 A 127.0.0.6");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void wildcardCnameIsFollowed(Transport t) throws IOException {
        assertThat(Sections.of(ask(t, "anything.cname-wild.foobar.com", Type.A), Section.ANSWER)).containsExactly(
                "anything.cname-wild.foobar.com. 3600 CNAME www.foobar.com.", "www.foobar.com. 3600 A 127.0.0.1");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void delegationIsAReferralWithGlueAndNoAa(Transport t) throws IOException {
        for (String name : new String[] {"foo.sub.foobar.com", "sub.foobar.com", "ns.sub.foobar.com"}) {
            Message reply = ask(t, name, Type.A);
            assertThat(reply.getRcode()).as(name).isEqualTo(Rcode.NOERROR);
            assertThat(reply.getHeader().getFlag(Flags.AA)).as(name + ": aa clear on referrals").isFalse();
            assertThat(reply.getSection(Section.ANSWER)).as(name).isEmpty();
            assertThat(Sections.of(reply, Section.AUTHORITY)).as(name).containsExactlyInAnyOrder(
                    "sub.foobar.com. 3600 NS ns.sub.foobar.com.", "sub.foobar.com. 3600 NS ns1.foobar.com.");
            assertThat(Sections.of(reply, Section.ADDITIONAL)).as(name).containsExactlyInAnyOrder(
                    "ns.sub.foobar.com. 3600 A 127.0.0.7", "ns1.foobar.com. 3600 A 127.0.0.1");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void dsAtTheCutIsAnsweredByTheParent(Transport t) throws IOException {
        Message reply = ask(t, "sub.foobar.com", Type.DS);

        assertThat(reply.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(Sections.of(reply, Section.AUTHORITY)).containsExactly(NEGATIVE_SOA);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void mxAndNsTargetsGetTheirAddressesInAdditional(Transport t) throws IOException {
        Message mx = ask(t, "foobar.com", Type.MX);
        assertThat(Sections.of(mx, Section.ANSWER)).containsExactly("foobar.com. 3600 MX 10 mail.foobar.com.");
        assertThat(Sections.of(mx, Section.ADDITIONAL)).contains(
                "mail.foobar.com. 3600 A 127.0.0.3", "mail.foobar.com. 3600 AAAA 2001:db8:0:0:0:0:0:3");

        Message ns = ask(t, "foobar.com", Type.NS);
        assertThat(Sections.of(ns, Section.ANSWER)).containsExactlyInAnyOrder(APEX_NS_1, APEX_NS_2);
        assertThat(ns.getSection(Section.AUTHORITY)).as("NS already in ANSWER").isEmpty();
        assertThat(Sections.of(ns, Section.ADDITIONAL)).containsExactlyInAnyOrder(
                "ns1.foobar.com. 3600 A 127.0.0.1", "ns2.foobar.com. 3600 A 127.0.0.2", "ns2.foobar.com. 3600 AAAA 0:0:0:0:0:0:0:2");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anyIsAnsweredWithOneRrset(Transport t) throws IOException {
        Message apex = ask(t, "foobar.com", Type.ANY);
        assertThat(apex.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(apex.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(Sections.of(apex, Section.ANSWER)).containsExactly(
                "foobar.com. 3600 SOA ns1.foobar.com. hostmaster.foobar.com. 2024010101 7200 900 1209600 300");
        assertThat(Sections.of(ask(t, "mail.foobar.com", Type.ANY), Section.ANSWER))
                .containsExactly("mail.foobar.com. 3600 A 127.0.0.3");
        assertThat(ask(t, "b.c.foobar.com", Type.ANY).getSection(Section.ANSWER)).as("ENT: NODATA").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void namesOutsideOurZonesAreRefused(Transport t) throws IOException {
        for (String name : new String[] {"example.org", "foobar.com.example.org", "com", "."}) {
            Message reply = ask(t, name, Type.A);
            assertThat(reply.getRcode()).as(name).isEqualTo(Rcode.REFUSED);
            assertThat(reply.getHeader().getFlag(Flags.AA)).as(name).isFalse();
            assertThat(reply.getHeader().getFlag(Flags.RA)).as(name).isFalse();
            assertThat(reply.getSection(Section.ANSWER)).as(name).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void classesOtherThanInAreRefused(Transport t) throws IOException {
        for (int dclass : new int[] {DClass.CH, DClass.HS, DClass.ANY}) {
            Message query = Message.newQuery(Record.newRecord(Name.fromString("foobar.com."), Type.SOA, dclass));
            Message reply = DnsClient.send(t, t == Transport.UDP ? server.udpAddress() : server.tcpAddress(), query);
            assertThat(reply.getRcode()).as(DClass.string(dclass)).isEqualTo(Rcode.REFUSED);
            assertThat(reply.getQuestion().getDClass()).isEqualTo(dclass);
        }
    }
}
