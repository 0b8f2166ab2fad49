package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.foobarstack.dns.ResponseRateLimiter.Kind;
import org.foobarstack.dns.ResponseRateLimiter.Token;
import org.foobarstack.dns.ResponseRateLimiter.Verdict;
import org.foobarstack.trace.RateLimitedLog;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The limiter alone, with a clock the test moves by hand: BIND's accounting, NSD's tokens, the slipped reply. */
class ResponseRateLimiterTest {

    private static final int RATE = 5;
    private static final Name APEX = name("foobar.com.");

    /** The seconds the limiter sees; only the test moves them. */
    private final AtomicLong second = new AtomicLong(1_700_000_000L);
    private final InstantSource clock = () -> Instant.ofEpochSecond(second.get());

    private ResponseRateLimiter limiter(ResponseRateLimit limit) {
        return new ResponseRateLimiter(limit.withClock(clock), new RateLimitedLog(NOPLogger.NOP_LOGGER));
    }

    private ResponseRateLimiter limiter() {
        return limiter(ResponseRateLimit.perSecond(RATE));
    }

    private static List<Verdict> repeat(ResponseRateLimiter limiter, String client, Message reply, int times)
            throws Exception {
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            verdicts.add(limiter.check(InetAddress.getByName(client), ByteBuffer.wrap(reply.toWire())));
        }
        return verdicts;
    }

    // ------------------------------------------------------------------ accounting (BIND's debit_rrl_entry)

    @Test
    void withinOneSecondTheRateIsSentThenOneInSlipIsTruncatedAndTheRestDropped() throws Exception {
        List<Verdict> verdicts = repeat(limiter(), "192.0.2.1", answer("www.foobar.com."), 12);

        assertThat(verdicts).containsExactly(
                Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND,
                Verdict.SLIP, Verdict.DROP, Verdict.SLIP, Verdict.DROP, Verdict.SLIP, Verdict.DROP, Verdict.SLIP);
    }

    @Test
    void slipOneTruncatesEveryLimitedReplyAndSlipZeroDropsThemAll() throws Exception {
        List<Verdict> slipOne = repeat(limiter(ResponseRateLimit.perSecond(RATE).withSlip(1)), "192.0.2.1",
                answer("www.foobar.com."), 9);
        List<Verdict> slipZero = repeat(limiter(ResponseRateLimit.perSecond(RATE).withSlip(0)), "192.0.2.1",
                answer("www.foobar.com."), 9);

        assertThat(slipOne.subList(RATE, 9)).containsOnly(Verdict.SLIP).hasSize(4);
        assertThat(slipZero.subList(RATE, 9)).containsOnly(Verdict.DROP).hasSize(4);
        assertThat(slipZero.subList(0, RATE)).containsOnly(Verdict.SEND);
    }

    @Test
    void aFloodersDebtIsPaidBackAtTheRateBeforeItIsAnsweredAgain() throws Exception {
        ResponseRateLimiter limiter = limiter();
        Message reply = answer("www.foobar.com.");
        repeat(limiter, "192.0.2.1", reply, 4 * RATE); // balance 5 - 20 = -15

        second.addAndGet(1); // -15 + 5 = -10: still limited
        assertThat(repeat(limiter, "192.0.2.1", reply, 1)).doesNotContain(Verdict.SEND);
        second.addAndGet(2); // -11 + 10 = -1: still limited
        assertThat(repeat(limiter, "192.0.2.1", reply, 1)).doesNotContain(Verdict.SEND);
        second.addAndGet(1); // -2 + 5 = 3: answered again, three times
        // the slip count goes on where it was (it restarts only once the account is full again): after a slip, a drop
        assertThat(repeat(limiter, "192.0.2.1", reply, 4))
                .containsExactly(Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.DROP);
    }

    @Test
    void theDebtIsCappedAtTheWindowAndForgottenAfterIt() throws Exception {
        ResponseRateLimiter limiter = limiter(ResponseRateLimit.perSecond(RATE).withWindow(2));
        Message reply = answer("www.foobar.com.");
        repeat(limiter, "192.0.2.1", reply, 1000); // capped at -window * rate = -10, not -995

        second.addAndGet(2); // -10 + 10 = 0: one more second of debt
        assertThat(repeat(limiter, "192.0.2.1", reply, 1)).doesNotContain(Verdict.SEND);
        second.addAndGet(3); // idle longer than the window: a fresh account
        assertThat(repeat(limiter, "192.0.2.1", reply, RATE + 1)).containsExactly(
                Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SEND, Verdict.SLIP);
    }

    @Test
    void aQuietSecondCreditsNoMoreThanOneSecondsWorth() throws Exception {
        ResponseRateLimiter limiter = limiter();
        Message reply = answer("www.foobar.com.");
        repeat(limiter, "192.0.2.1", reply, 1);

        second.addAndGet(10); // within the window: ten seconds of credit, capped at the rate
        assertThat(repeat(limiter, "192.0.2.1", reply, RATE + 1)).filteredOn(v -> v == Verdict.SEND).hasSize(RATE);
    }

    // ------------------------------------------------------------------ who and what is counted (NSD's classes)

    @Test
    void clientsOfOneSlash24ShareAnAccountAndAnotherNetworkHasItsOwn() throws Exception {
        ResponseRateLimiter limiter = limiter();
        Message reply = answer("www.foobar.com.");
        repeat(limiter, "192.0.2.1", reply, RATE);

        assertThat(repeat(limiter, "192.0.2.200", reply, 1)).containsExactly(Verdict.SLIP);
        assertThat(repeat(limiter, "192.0.3.1", reply, 1)).containsExactly(Verdict.SEND);
    }

    @Test
    void ipv6ClientsAreGroupedBySlash56() throws Exception {
        ResponseRateLimiter limiter = limiter();

        assertThat(limiter.prefix(InetAddress.getByName("2001:db8:aa:bbcc::1")))
                .isEqualTo(InetAddress.getByName("2001:db8:aa:bb00::"));
        assertThat(limiter.prefix(InetAddress.getByName("192.0.2.77"))).isEqualTo(InetAddress.getByName("192.0.2.0"));
        Message reply = answer("www.foobar.com.");
        repeat(limiter, "2001:db8:aa:bb01::1", reply, RATE);
        assertThat(repeat(limiter, "2001:db8:aa:bbff::2", reply, 1)).containsExactly(Verdict.SLIP);
        assertThat(repeat(limiter, "2001:db8:aa:cc00::1", reply, 1)).containsExactly(Verdict.SEND);
    }

    @Test
    void answersCountPerNameAndTypeSoOtherQuestionsOfALimitedClientAreStillAnswered() throws Exception {
        ResponseRateLimiter limiter = limiter();
        repeat(limiter, "192.0.2.1", answer("www.foobar.com."), RATE);

        assertThat(repeat(limiter, "192.0.2.1", answer("mail.foobar.com."), 1)).containsExactly(Verdict.SEND);
        assertThat(repeat(limiter, "192.0.2.1", answerOfType("www.foobar.com.", Type.TXT), 1))
                .containsExactly(Verdict.SEND);
        assertThat(repeat(limiter, "192.0.2.1", answer("WWW.FOOBAR.COM."), 1)).as("names are case-blind")
                .containsExactly(Verdict.SLIP);
    }

    @Test
    void madeUpNamesShareTheirZonesNxdomainBudget() throws Exception {
        ResponseRateLimiter limiter = limiter();
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < RATE + 2; i++) {
            verdicts.addAll(repeat(limiter, "192.0.2.1", negative("random" + i + ".foobar.com.", Rcode.NXDOMAIN), 1));
        }

        assertThat(verdicts).endsWith(Verdict.SLIP, Verdict.DROP);
        assertThat(token(negative("random1.foobar.com.", Rcode.NXDOMAIN)))
                .isEqualTo(new Token(prefix(), Kind.NXDOMAIN, APEX, 0));
    }

    @Test
    void eachReplyIsReadIntoItsToken() throws Exception {
        assertThat(token(answer("www.foobar.com.")))
                .isEqualTo(new Token(prefix(), Kind.ANSWER, name("www.foobar.com."), Type.A));
        assertThat(token(negative("www.foobar.com.", Rcode.NOERROR)))
                .as("NODATA counts per zone").isEqualTo(new Token(prefix(), Kind.NODATA, APEX, 0));
        assertThat(token(referral("host.sub.foobar.com.", "sub.foobar.com.")))
                .as("a referral counts per delegation point")
                .isEqualTo(new Token(prefix(), Kind.REFERRAL, name("sub.foobar.com."), 0));
        Message refused = reply("www.example.org.", Type.A, Rcode.REFUSED, false);
        Message formerr = reply("x.foobar.com.", Type.A, Rcode.FORMERR, false);
        assertThat(token(refused)).as("every error of a prefix is one token")
                .isEqualTo(token(formerr)).isEqualTo(new Token(prefix(), Kind.ERROR, null, 0));
        assertThat(ResponseRateLimiter.token(prefix(), ByteBuffer.wrap(new byte[5])).kind()).isEqualTo(Kind.ERROR);
    }

    @Test
    void anNxdomainAtTheEndOfACnameChainIsStillCountedPerZone() throws Exception {
        Message chain = reply("dangling.foobar.com.", Type.A, Rcode.NXDOMAIN, true);
        chain.addRecord(Record.fromString(name("dangling.foobar.com."), Type.CNAME, DClass.IN, 3600,
                "nowhere.foobar.com.", Name.root), Section.ANSWER);
        chain.addRecord(soa(), Section.AUTHORITY);

        assertThat(token(chain)).isEqualTo(new Token(prefix(), Kind.NXDOMAIN, APEX, 0));
    }

    @Test
    void theTableKeepsAtMostItsSizeForgettingTheLeastRecentlyUsed() throws Exception {
        ResponseRateLimiter limiter = limiter(ResponseRateLimit.perSecond(RATE).withMaxTableSize(3));
        for (int i = 0; i < 10; i++) {
            repeat(limiter, "192.0." + i + ".1", answer("www.foobar.com."), 1);
        }

        assertThat(limiter.accounts()).isEqualTo(3);
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> ResponseRateLimit.perSecond(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResponseRateLimit.perSecond(5).withSlip(11))
                .hasMessageContaining("slip must be 0..10");
        assertThatThrownBy(() -> ResponseRateLimit.perSecond(5).withWindow(0))
                .hasMessageContaining("window");
        assertThatThrownBy(() -> ResponseRateLimit.perSecond(5).withPrefixLengths(33, 56))
                .hasMessageContaining("ipv4PrefixLength");
        assertThat(ResponseRateLimit.OFF.enabled()).isFalse();
        assertThat(ResponseRateLimit.perSecond(5)).extracting(ResponseRateLimit::window, ResponseRateLimit::slip,
                        ResponseRateLimit::ipv4PrefixLength, ResponseRateLimit::ipv6PrefixLength)
                .containsExactly(15, 2, 24, 56);
    }

    // ------------------------------------------------------------------ the slipped reply

    @Test
    void theSlippedReplyIsTheHeaderWithTcAndTheQuestionOnly() throws Exception {
        Message full = answer("www.foobar.com.");
        full.addRecord(new NSRecord(APEX, DClass.IN, 3600, name("ns1.foobar.com.")), Section.AUTHORITY);
        ByteBuf wire = Unpooled.wrappedBuffer(full.toWire());

        ByteBuf slipped = ResponseRateLimiter.truncated(wire, ByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[slipped.readableBytes()];
        slipped.readBytes(bytes);
        slipped.release();
        Message tc = new Message(bytes);

        assertThat(tc.getHeader().getID()).isEqualTo(full.getHeader().getID());
        assertThat(tc.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(tc.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(tc.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(tc.getQuestion()).isEqualTo(full.getQuestion());
        assertThat(tc.getSection(Section.ANSWER)).isEmpty();
        assertThat(tc.getSection(Section.AUTHORITY)).isEmpty();
        assertThat(tc.getSection(Section.ADDITIONAL)).isEmpty();
        assertThat(bytes.length).as("no bigger than the query: nothing to amplify")
                .isEqualTo(Message.newQuery(full.getQuestion()).toWire().length);
        assertThat(wire.readableBytes()).as("the original is left as it was").isEqualTo(full.toWire().length);
    }

    // ------------------------------------------------------------------ replies as the server makes them

    private static Name name(String text) {
        try {
            return Name.fromString(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress prefix() throws Exception {
        return InetAddress.getByName("192.0.2.0");
    }

    private static Token token(Message reply) throws Exception {
        return ResponseRateLimiter.token(prefix(), ByteBuffer.wrap(reply.toWire()));
    }

    private static Message reply(String qname, int qtype, int rcode, boolean authoritative) {
        Message m = new Message();
        m.getHeader().setFlag(Flags.QR);
        if (authoritative) {
            m.getHeader().setFlag(Flags.AA);
        }
        m.getHeader().setRcode(rcode);
        m.addRecord(Record.newRecord(name(qname), qtype, DClass.IN), Section.QUESTION);
        return m;
    }

    private static Message answer(String qname) throws Exception {
        return answerOfType(qname, Type.A);
    }

    private static Message answerOfType(String qname, int type) throws Exception {
        Message m = reply(qname, type, Rcode.NOERROR, true);
        m.addRecord(type == Type.A
                ? new ARecord(name(qname), DClass.IN, 3600, InetAddress.getByName("127.0.0.1"))
                : Record.fromString(name(qname), type, DClass.IN, 3600, "\"text\"", Name.root), Section.ANSWER);
        return m;
    }

    private static Message negative(String qname, int rcode) {
        Message m = reply(qname, Type.A, rcode, true);
        m.addRecord(soa(), Section.AUTHORITY);
        return m;
    }

    private static Message referral(String qname, String cut) {
        Message m = reply(qname, Type.A, Rcode.NOERROR, false);
        m.addRecord(new NSRecord(name(cut), DClass.IN, 3600, name("ns." + cut)), Section.AUTHORITY);
        return m;
    }

    private static SOARecord soa() {
        return new SOARecord(APEX, DClass.IN, 300, name("ns1.foobar.com."), name("hostmaster.foobar.com."),
                2024010101, 7200, 900, 1209600, 300);
    }
}
