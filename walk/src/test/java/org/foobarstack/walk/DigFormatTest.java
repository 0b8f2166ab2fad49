package org.foobarstack.walk;

import org.foobarstack.trace.DnsTraceOption;
import org.foobarstack.trace.TraceContext;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * walk prints DNS messages as dig does. Each message here is printed by {@link DigFormat} and by the real dig,
 * which receives the same bytes from a responder that replays them: the two must agree line for line, from the
 * {@code ->>HEADER<<-} line to the last section (only the transaction id, chosen by dig, differs).
 */
class DigFormatTest {

    private static final Path DIG = Path.of("/usr/bin/dig");
    private static final long TTL = 3600;

    // ------------------------------------------------------------------ without dig: what the lines say

    @Test
    void theFlagsLineIsDigsAndTheAdditionalCountIncludesTheOptPseudoRecord() throws Exception {
        List<String> lines = DigFormat.lines(wwwAnswer());
        assertThat(lines).startsWith(
                ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660",
                ";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 2",
                ";; WARNING: recursion requested but not available",
                "",
                ";; OPT PSEUDOSECTION:",
                "; EDNS: version: 0, flags:; udp: 1232",
                ";; QUESTION SECTION:",
                ";www.foobar.com.\t\t\tIN\tA",
                "",
                ";; ANSWER SECTION:",
                "www.foobar.com.\t\t3600\tIN\tA\t127.0.0.1",
                "",
                ";; AUTHORITY SECTION:",
                "foobar.com.\t\t3600\tIN\tNS\tns1.foobar.com.",
                "",
                ";; ADDITIONAL SECTION:",
                "ns1.foobar.com.\t\t3600\tIN\tA\t127.0.0.1");
        assertThat(lines).hasSize(17).noneMatch(line -> line.contains("qd:") || line.contains(" ad: "));
    }

    @Test
    void aQueryWithoutFlagsAndAnEdnsOptionPrintsLikeDig() throws Exception {
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));
        query.getHeader().unsetFlag(Flags.RD);
        query.getHeader().setID(7);
        TraceContext trace = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        DnsTraceOption.addTo(query, trace, 1232);
        List<String> lines = DigFormat.lines(new Message(query.toWire()));
        assertThat(lines.get(1)).isEqualTo(";; flags:; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1");
        assertThat(lines).contains("; OPT=65001: 30 30 2d 34 62 66 39 32 66 33 35 37 37 62 33 34 64 61 36 61 33 63 "
                + "65 39 32 39 64 30 65 30 65 34 37 33 36 2d 30 30 66 30 36 37 61 61 30 62 61 39 30 32 62 37 2d 30 31 "
                + "(\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\")");
        assertThat(lines).doesNotContain(";; WARNING: recursion requested but not available");
    }

    @Test
    void longNamesAreFollowedByOneSpaceWhereTheyPassAColumn() throws Exception {
        Name name = Name.fromString("averyveryveryveryveryveryverylongname.foobar.com.");
        assertThat(DigFormat.question(Record.newRecord(name, Type.A, DClass.IN)))
                .isEqualTo("averyveryveryveryveryveryverylongname.foobar.com. IN A");
        assertThat(DigFormat.record(new ARecord(name, DClass.IN, TTL, InetAddress.getByName("127.0.0.1"))))
                .isEqualTo("averyveryveryveryveryveryverylongname.foobar.com. 3600 IN A 127.0.0.1");
        assertThat(DigFormat.question(Record.newRecord(Name.fromString("x.com."), Type.A, DClass.IN)))
                .isEqualTo("x.com.\t\t\t\tIN\tA");
    }

    // ------------------------------------------------------------------ against the real dig

    @Test
    void digPrintsTheSameLinesForAnAnswerACnameAnNxdomainAndEdnsOptions() throws Exception {
        if (String.valueOf(System.getenv("CI")).matches("true|1")) {
            assertThat(DIG).as("dig (Debian package bind9-dnsutils) is needed for this test in CI").isExecutable();
        } else {
            assumeThat(Files.isExecutable(DIG)).as("dig installed at " + DIG).isTrue();
        }
        Name www = Name.fromString("www.foobar.com.");
        Name apex = Name.fromString("foobar.com.");

        Message cname = response(www, Rcode.NOERROR, true);
        cname.addRecord(new CNAMERecord(www, DClass.IN, TTL, apex), Section.ANSWER);
        cname.addRecord(new ARecord(apex, DClass.IN, TTL, InetAddress.getByName("127.0.0.1")), Section.ANSWER);
        cname.addRecord(new NSRecord(apex, DClass.IN, TTL, Name.fromString("ns1.foobar.com.")), Section.AUTHORITY);

        Message nxdomain = response(Name.fromString("nope.foobar.com."), Rcode.NXDOMAIN, true);
        nxdomain.addRecord(new SOARecord(apex, DClass.IN, 300, Name.fromString("ns1.foobar.com."),
                Name.fromString("hostmaster.foobar.com."), 2024010101, 7200, 900, 1209600, 300), Section.AUTHORITY);

        Message withOptions = response(www, Rcode.NOERROR, false);
        withOptions.getHeader().setFlag(Flags.CD);
        withOptions.addRecord(new ARecord(www, DClass.IN, TTL, InetAddress.getByName("127.0.0.1")), Section.ANSWER);
        withOptions.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO, List.of(
                new org.xbill.DNS.GenericEDNSOption(65001, "00-trace".getBytes(StandardCharsets.US_ASCII)))),
                Section.ADDITIONAL);

        for (Message message : List.of(wwwAnswer(), cname, nxdomain, withOptions)) {
            String question = message.getQuestion().getName().toString();
            List<String> dig = digPrints(message, question);
            List<String> ours = new ArrayList<>(DigFormat.lines(message));
            ours.set(0, ours.get(0).replaceFirst("id: \\d+$", "id: ID"));
            assertThat(ours).as("walk's lines for %s", question).isEqualTo(dig);
        }
    }

    /** The response to www.foobar.com A the shipped zone gives: A, the apex NS, the name server's address, EDNS. */
    private static Message wwwAnswer() throws IOException {
        Name www = Name.fromString("www.foobar.com.");
        Name apex = Name.fromString("foobar.com.");
        Name ns1 = Name.fromString("ns1.foobar.com.");
        Message answer = response(www, Rcode.NOERROR, true);
        answer.addRecord(new ARecord(www, DClass.IN, TTL, InetAddress.getByName("127.0.0.1")), Section.ANSWER);
        answer.addRecord(new NSRecord(apex, DClass.IN, TTL, ns1), Section.AUTHORITY);
        answer.addRecord(new ARecord(ns1, DClass.IN, TTL, InetAddress.getByName("127.0.0.1")), Section.ADDITIONAL);
        answer.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        return new Message(answer.toWire());
    }

    private static Message response(Name name, int rcode, boolean recursionDesired) {
        Message message = new Message(0x1234);
        message.getHeader().setFlag(Flags.QR);
        message.getHeader().setFlag(Flags.AA);
        if (recursionDesired) {
            message.getHeader().setFlag(Flags.RD);
        }
        message.getHeader().setRcode(rcode);
        message.addRecord(Record.newRecord(name, Type.A, DClass.IN), Section.QUESTION);
        return message;
    }

    /**
     * Runs dig against a responder that answers its query with {@code message}'s bytes (dig's id patched in), and
     * returns dig's lines from the {@code ->>HEADER<<-} line to the blank line before {@code ;; Query time}, the
     * id replaced by "ID".
     */
    private static List<String> digPrints(Message message, String question) throws Exception {
        byte[] wire = message.toWire();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Thread responder = new Thread(() -> {
                try {
                    DatagramPacket query = new DatagramPacket(new byte[65535], 65535);
                    socket.receive(query);
                    byte[] reply = Arrays.copyOf(wire, wire.length);
                    reply[0] = query.getData()[0];
                    reply[1] = query.getData()[1];
                    socket.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
                } catch (IOException closed) {
                    // the test is over
                }
            }, "dig-replay");
            responder.setDaemon(true);
            responder.start();
            Process dig = new ProcessBuilder(DIG.toString(), "@127.0.0.1", "-p",
                    Integer.toString(socket.getLocalPort()), question, "A", "+nocookie", "+tries=1", "+time=5")
                    .redirectErrorStream(true).start();
            String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(dig.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(dig.exitValue()).as(out).isZero();
            List<String> all = out.lines().toList();
            int from = -1;
            int to = all.size();
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).startsWith(";; ->>HEADER<<-")) {
                    from = i;
                }
                if (all.get(i).startsWith(";; Query time")) {
                    to = i;
                    break;
                }
            }
            assertThat(from).as(out).isNotNegative();
            List<String> lines = new ArrayList<>(all.subList(from, to));
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            lines.set(0, lines.get(0).replaceFirst("id: \\d+$", "id: ID"));
            return lines;
        }
    }
}
