package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Response Rate Limiting over real sockets: a flood of one question from one client network is cut to the rate,
 * one limited reply in {@code slip} arrives truncated, the rest never arrive; another network, another question
 * and TCP are unaffected. The server's clock is frozen, so the whole burst falls into one second whatever the
 * machine's speed.
 */
class ResponseRateLimitingTest {

    private static final int RATE = 5;
    private static final int SLIP = 2;
    private static final int FLOOD = 20;
    /** The limiter's second, frozen: no second boundary can fall into a burst and credit it. */
    private static final InstantSource FROZEN = () -> Instant.ofEpochSecond(1_700_000_000L);
    private static final Path DIG = Path.of("/usr/bin/dig");

    @TempDir
    Path scratch;

    private DnsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private DnsServer start(ResponseRateLimit limit) {
        server = new DnsServer(DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .responseRateLimit(limit).build());
        server.start();
        return server;
    }

    private DnsServer startLimited() {
        return start(ResponseRateLimit.perSecond(RATE).withSlip(SLIP).withClock(FROZEN));
    }

    /** What one client saw of a burst of the same question. */
    private record Tally(int answered, int truncated, int dropped) {
    }

    /**
     * Sends {@code count} copies of one question from {@code source}, then one other question (its own token, so it
     * is answered) as a barrier: the server answers a socket's datagrams in order and loopback keeps that order, so
     * once the barrier's reply is read every reply the burst got has been read, and the rest were dropped. No
     * waiting for a reply that might still come.
     */
    private static Tally burst(InetSocketAddress server, String source, String qname, int count) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
            socket.setSoTimeout(DnsClient.TIMEOUT_MILLIS);
            for (int i = 0; i < count; i++) {
                Message query = DnsClient.query(qname, Type.A);
                query.getHeader().setID(i + 1);
                byte[] wire = query.toWire();
                socket.send(new DatagramPacket(wire, wire.length, server));
            }
            Message barrier = DnsClient.query("foobar.com", Type.SOA);
            barrier.getHeader().setID(0);
            byte[] wire = barrier.toWire();
            socket.send(new DatagramPacket(wire, wire.length, server));

            int answered = 0;
            int truncated = 0;
            byte[] buf = new byte[65535];
            while (true) {
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                socket.receive(packet); // the barrier's reply comes within the timeout, or the test fails here
                Message reply = new Message(Arrays.copyOf(buf, packet.getLength()));
                if (reply.getHeader().getID() == 0) {
                    assertThat(reply.getSection(Section.ANSWER)).as("the barrier, another token").hasSize(1);
                    return new Tally(answered, truncated, count - answered - truncated);
                }
                if (reply.getHeader().getFlag(Flags.TC)) {
                    assertThat(reply.getSection(Section.ANSWER)).isEmpty();
                    assertThat(reply.getQuestion().getName().toString()).isEqualTo(qname + ".");
                    truncated++;
                } else {
                    assertThat(reply.getSection(Section.ANSWER)).hasSize(1);
                    answered++;
                }
            }
        }
    }

    @Test
    void aFloodFromOneClientIsCutToTheRateWithOneLimitedReplyInSlipTruncated() throws Exception {
        startLimited();

        Tally tally = burst(server.udpAddress(), "127.0.0.1", "www.foobar.com", FLOOD);

        // 5 answered; of the 15 limited, the 1st, 3rd, ... 15th slip (8) and the others are dropped (7)
        assertThat(tally).isEqualTo(new Tally(RATE, 8, 7));
        DnsStats stats = server.stats();
        assertThat(stats.rateLimitSlipped()).isEqualTo(8);
        assertThat(stats.rateLimitDropped()).isEqualTo(7);
        Map<String, Double> metrics = TracingAndMetricsTest.parse(server.metrics().exposition());
        assertThat(metrics)
                .containsEntry("foobar_dns_rate_limited_total{action=\"dropped\",instance=\"dns-1\"}", 7.0)
                .containsEntry("foobar_dns_rate_limited_total{action=\"slipped\",instance=\"dns-1\"}", 8.0);
    }

    @Test
    void theRestOfTheSlash24IsLimitedTooAndAnotherNetworkIsNot() throws Exception {
        startLimited();
        assertThat(burst(server.udpAddress(), "127.0.0.1", "www.foobar.com", FLOOD).answered()).isEqualTo(RATE);

        Tally neighbour = burst(server.udpAddress(), "127.0.0.2", "www.foobar.com", 2);
        Tally otherNetwork = burst(server.udpAddress(), "127.0.1.1", "www.foobar.com", RATE);

        assertThat(neighbour).as("127.0.0.2 shares 127.0.0.0/24's account").extracting(Tally::answered)
                .isEqualTo(0);
        assertThat(otherNetwork).as("127.0.1.0/24 has its own").isEqualTo(new Tally(RATE, 0, 0));
    }

    @Test
    void tcpIsExemptSoTheTruncatedClientGetsItsAnswerThere() throws Exception {
        startLimited();
        burst(server.udpAddress(), "127.0.0.1", "www.foobar.com", FLOOD);

        for (int i = 0; i < 3; i++) {
            Message overTcp = DnsClient.tcp(server.tcpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire())
                    .get(0);
            assertThat(overTcp.getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(overTcp.getSection(Section.ANSWER)).hasSize(1);
        }
        assertThat(server.stats().rateLimitDropped() + server.stats().rateLimitSlipped()).isEqualTo(FLOOD - RATE);
    }

    @Test
    void offByDefaultEveryReplyIsSent() throws Exception {
        start(DnsServerConfig.builder().build().responseRateLimit());

        assertThat(burst(server.udpAddress(), "127.0.0.1", "www.foobar.com", FLOOD))
                .isEqualTo(new Tally(FLOOD, 0, 0));
        assertThat(server.stats().rateLimitDropped()).isZero();
    }

    /**
     * The same flood seen by dig: {@code +ignore} shows a truncated reply instead of retrying over TCP, and
     * {@code +tries=1 +time=1} gives a dropped one a single second. 12 questions (5 answered, 4 truncated, 3 dropped)
     * keep it to about 3 s of waiting.
     */
    @Test
    void digSeesTruncatedRepliesAndTimeouts() throws Exception {
        String ci = System.getenv("CI");
        if ("true".equals(ci) || "1".equals(ci)) {
            assertThat(DIG).as("dig (Debian package bind9-dnsutils) is needed for this test in CI").isExecutable();
        } else {
            assumeThat(Files.isExecutable(DIG)).as("dig installed at " + DIG).isTrue();
        }
        startLimited();
        int questions = 12;
        List<String> command = new ArrayList<>(List.of(DIG.toString(), "@127.0.0.1",
                "-p", Integer.toString(server.udpAddress().getPort()), "-b", "127.0.2.1",
                "+ignore", "+tries=1", "+time=1"));
        for (int i = 0; i < questions; i++) {
            command.add("www.foobar.com");
            command.add("A");
        }
        Path printed = scratch.resolve("dig.txt");
        Process dig = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(printed.toFile()).start();
        boolean ended = dig.waitFor(30, TimeUnit.SECONDS);
        if (!ended) {
            dig.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String out = Files.readString(printed, StandardCharsets.UTF_8);

        assertThat(ended).as("dig ended").isTrue();
        List<String> flagLines = out.lines().filter(l -> l.startsWith(";; flags:")).toList();
        long truncated = flagLines.stream().filter(l -> l.matches(";; flags:[a-z ]* tc[ ;].*")).count();
        assertThat(flagLines.size() - truncated).as("answered, in:%n%s", out).isEqualTo(RATE);
        assertThat(truncated).as("truncated, in:%n%s", out).isEqualTo(4);
        assertThat(server.stats().rateLimitDropped()).as("dropped (dig timed out on them)").isEqualTo(3);
        assertThat(out).contains("timed out");
    }

    @Test
    void theCommandLineTurnsItOnWithRrlAndItsSettings() {
        picocli.CommandLine off = DnsServerMain.commandLine();
        off.parseArgs();
        picocli.CommandLine on = DnsServerMain.commandLine();
        on.parseArgs("--rrl", "10", "--rrl-slip", "3", "--rrl-window", "5");

        assertThat(off.<DnsServerMain>getCommand().config().responseRateLimit().enabled()).isFalse();
        ResponseRateLimit limit = on.<DnsServerMain>getCommand().config().responseRateLimit();
        assertThat(limit.responsesPerSecond()).isEqualTo(10);
        assertThat(limit.slip()).isEqualTo(3);
        assertThat(limit.window()).isEqualTo(5);
        assertThat(limit.ipv4PrefixLength()).isEqualTo(24);
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine bad = DnsServerMain.commandLine();
        bad.setErr(new java.io.PrintWriter(err, true));
        assertThat(bad.execute("--port", "0", "--rrl", "5", "--rrl-slip", "11")).isEqualTo(2);
        assertThat(err.toString()).contains("slip must be 0..10");
    }
}
