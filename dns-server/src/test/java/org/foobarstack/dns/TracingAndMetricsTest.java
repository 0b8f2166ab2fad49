package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Every query leaves two hops in the recorder and moves the foobar_dns_* metrics. */
class TracingAndMetricsTest {

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aQueryIsRecordedAsQueryReceivedAndAnswerSentWithDecodedFields(Transport transport) throws IOException {
        TraceHub hub = new TraceHub();
        TraceRecorder recorder = hub.newRecorder("dns", "dns-7");
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .instanceName("dns-7").traceRecorder(recorder).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            Message query = DnsClient.query("www.foobar.com", Type.A);
            Message reply = DnsClient.send(transport, server.udpAddress(), query);
            assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);

            List<Hop> hops = recorder.hops();
            assertThat(hops).hasSize(2);
            Hop received = hops.get(0);
            Hop sent = hops.get(1);
            assertThat(received.traceId()).isEqualTo(sent.traceId()).hasSize(32);
            assertThat(hub.trace(received.traceId()).hops()).hasSize(2);
            assertThat(received.protocol()).isEqualTo(Protocol.DNS);
            assertThat(received.direction()).isEqualTo(Direction.RECEIVED);
            assertThat(sent.direction()).isEqualTo(Direction.SENT);
            assertThat(received.tier()).isEqualTo("dns");
            assertThat(received.instance()).isEqualTo("dns-7");
            assertThat(received.summary()).isEqualTo("query www.foobar.com. A over " + transport);
            assertThat(sent.summary()).isEqualTo("answer NOERROR, aa, 1 answer over " + transport);
            assertThat(received.peer()).startsWith("127.0.0.1:");
            assertThat(sent.peer()).isEqualTo(received.peer());

            assertThat(field(received, "Transport").value()).startsWith(transport.name());
            assertThat(field(received, "Client").value()).isEqualTo(received.peer());
            int prefix = transport == Transport.TCP ? 2 : 0;
            Field id = field(received, "Header").child("Transaction ID");
            assertThat(id.offset()).isEqualTo(prefix);
            assertThat(id.value()).contains("(" + query.getHeader().getID() + ")");
            assertThat(field(received, "Queries").children().get(0).child("Name").value())
                    .isEqualTo("www.foobar.com.");
            Field answers = field(sent, "Answers");
            assertThat(answers.value()).isEqualTo("1");
            assertThat(answers.children().get(0).child("Address").value()).isEqualTo("127.0.0.1");
            if (transport == Transport.TCP) {
                assertThat(field(received, "Length").offset()).isZero();
                assertThat(field(received, "Length").value()).startsWith(query.toWire().length + " bytes");
            } else {
                assertThat(received.fields()).extracting(Field::name).doesNotContain("Length");
            }
        }
    }

    @Test
    void aQueryThatNamesItsTraceJoinsItAndAnUnsampledOneIsNotRecorded() throws IOException {
        TraceHub hub = new TraceHub();
        TraceRecorder recorder = hub.newRecorder("dns", "dns-1");
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .traceRecorder(recorder).tracedQueriesPerSecond(0).build();   // no budget: only named traces
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            org.foobarstack.trace.TraceContext walk = org.foobarstack.trace.TraceContext.fresh();
            Message named = DnsClient.query("www.foobar.com", Type.A);
            org.foobarstack.trace.DnsTraceOption.addTo(named, walk, 1232);
            assertThat(DnsClient.send(Transport.UDP, server.udpAddress(), named).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(hub.trace(walk.traceId()).hops()).extracting(Hop::direction)
                    .containsExactly(Direction.RECEIVED, Direction.SENT);

            Message probe = DnsClient.query("foobar.com", Type.SOA);
            org.foobarstack.trace.DnsTraceOption.addTo(probe, org.foobarstack.trace.TraceContext.fresh().unsampled(),
                    1232);
            assertThat(DnsClient.send(Transport.UDP, server.udpAddress(), probe).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(recorder.hops()).hasSize(2);   // still only the named query's two hops
        }
    }

    @Test
    void eachQueryGetsItsOwnTrace() throws IOException {
        try (DnsServer server = LabZone.start(LabZone.directory())) {
            DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());
            DnsClient.udp(server.udpAddress(), DnsClient.query("nope.foobar.com", Type.A).toWire());
            List<Hop> hops = server.traceRecorder().hops();
            assertThat(hops).hasSize(4);
            assertThat(hops.get(0).traceId()).isNotEqualTo(hops.get(2).traceId());
            assertThat(hops.get(3).summary()).isEqualTo("answer NXDOMAIN, aa, 0 answers over UDP");
        }
    }

    @Test
    void nothingIsRecordedWhileTracingIsOff() throws IOException {
        try (DnsServer server = LabZone.start(LabZone.directory())) {
            server.traceRecorder().setEnabled(false);
            Message reply = DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());
            assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(server.traceRecorder().recordedCount()).isZero();
        }
    }

    @Test
    void queriesOverThePerSecondBudgetAreAnsweredButNotTraced() throws IOException {
        // a budget of none: whatever the clock does, every query is answered, counted, and left untraced
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .tracedQueriesPerSecond(0).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            for (int i = 0; i < 3; i++) {
                Message reply = DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());
                assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
            }
            assertThat(server.traceRecorder().recordedCount()).isZero();
            assertThat(parse(server.metrics().exposition())).containsEntry("foobar_dns_untraced_total{instance=\"dns-1\"}", 3.0);
            assertThat(server.stats().queries()).isEqualTo(3);
        }
    }

    @Test
    void theBudgetIsSpentPerWindowAndRenewedByTheNext() {
        long window = 1L << QueryTracer.WINDOW_SHIFT;
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(5 * window);
        java.util.concurrent.atomic.AtomicInteger untraced = new java.util.concurrent.atomic.AtomicInteger();
        QueryTracer tracer = new QueryTracer(new TraceRecorder("dns", "dns-1"), 2, untraced::incrementAndGet, clock::get);

        assertThat(tracer.enabled()).as("first of the window").isTrue();
        clock.addAndGet(window - 2);
        assertThat(tracer.enabled()).as("second, late in the same window").isTrue();
        assertThat(tracer.enabled()).as("third: over the budget of 2").isFalse();
        assertThat(untraced).hasValue(1);

        clock.addAndGet(1);   // the last nanosecond of the window
        assertThat(tracer.enabled()).isFalse();
        clock.addAndGet(1);   // the next window
        assertThat(tracer.enabled()).as("a new window, a new budget").isTrue();
        assertThat(tracer.enabled()).isTrue();
        assertThat(tracer.enabled()).isFalse();
        assertThat(untraced).hasValue(3);

        clock.addAndGet(10 * window);
        assertThat(tracer.enabled()).as("after a quiet spell").isTrue();
        assertThat(untraced).hasValue(3);
    }

    @Test
    void droppedPacketIsRecordedAsReceivedOnly() throws IOException {
        try (DnsServer server = LabZone.start(LabZone.directory())) {
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
                byte[] garbage = {1, 2, 3};
                socket.send(new java.net.DatagramPacket(garbage, garbage.length, server.udpAddress()));
            }
            // a real query after it: UDP on loopback keeps order, so once it is answered the drop was seen
            DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());
            List<Hop> hops = server.traceRecorder().hops();
            assertThat(hops.get(0).summary()).endsWith(", dropped");
            assertThat(hops.get(0).fields()).extracting(Field::name).contains("Malformed");
            assertThat(hops).hasSize(3);
            assertThat(server.stats().dropped()).isEqualTo(1);
        }
    }

    @Test
    void metricsExpositionShowsCountersMoving() throws IOException {
        Metrics metrics = new Metrics();
        DnsServerConfig config = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .metrics(metrics).build();
        try (DnsServer server = new DnsServer(config)) {
            server.start();
            Map<String, Double> before = parse(metrics.exposition());
            assertThat(before).containsEntry("foobar_dns_queries_total{instance=\"dns-1\",transport=\"udp\"}", 0.0);
            assertThat(before).containsEntry("foobar_dns_answers_total{instance=\"dns-1\",rcode=\"NXDOMAIN\"}", 0.0);

            DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());
            DnsClient.udp(server.udpAddress(), DnsClient.query("nope.foobar.com", Type.AAAA).toWire());
            DnsClient.tcp(server.tcpAddress(), DnsClient.query("www.foobar.com", Type.HTTPS).toWire());
            // the big TXT RRset of the lab zone does not fit 512 bytes: TC
            DnsClient.udp(server.udpAddress(), DnsClient.query("big.foobar.com", Type.TXT).toWire());
            DnsClient.udp(server.udpAddress(), DnsClient.query("example.org", Type.A).toWire());
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
                byte[] garbage = {1, 2, 3};
                socket.send(new java.net.DatagramPacket(garbage, garbage.length, server.udpAddress()));
            }
            DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());

            Map<String, Double> after = parse(metrics.exposition());
            String i = "instance=\"dns-1\"";
            assertThat(after).containsEntry("foobar_dns_queries_total{" + i + ",transport=\"udp\"}", 5.0);
            assertThat(after).containsEntry("foobar_dns_queries_total{" + i + ",transport=\"tcp\"}", 1.0);
            assertThat(after).containsEntry("foobar_dns_answers_total{" + i + ",rcode=\"NOERROR\"}", 4.0);
            assertThat(after).containsEntry("foobar_dns_answers_total{" + i + ",rcode=\"NXDOMAIN\"}", 1.0);
            assertThat(after).containsEntry("foobar_dns_answers_total{" + i + ",rcode=\"REFUSED\"}", 1.0);
            assertThat(after).containsEntry("foobar_dns_queries_by_type_total{" + i + ",qtype=\"A\"}", 3.0);
            assertThat(after).containsEntry("foobar_dns_queries_by_type_total{" + i + ",qtype=\"HTTPS\"}", 1.0);
            assertThat(after).containsEntry("foobar_dns_truncated_total{" + i + "}", 1.0);
            assertThat(after).containsEntry("foobar_dns_dropped_total{" + i + "}", 1.0);
            assertThat(after).containsEntry("foobar_dns_answer_duration_seconds_count{" + i + "}", 6.0);
            assertThat(after.get("foobar_dns_answer_duration_seconds_sum{" + i + "}")).isGreaterThan(0.0);
            assertThat(after).containsEntry("foobar_dns_answer_duration_seconds_bucket{" + i + ",le=\"+Inf\"}", 6.0);
            assertThat(server.stats().queries()).isEqualTo(6);
        }
    }

    @Test
    void twoInstancesShareOneRegistryUnderTheirOwnLabel() throws IOException {
        Metrics metrics = new Metrics();
        DnsServerConfig one = DnsServerConfig.builder().port(0).zonesDirectory(LabZone.directory())
                .metrics(metrics).instanceName("dns-1").build();
        try (DnsServer a = new DnsServer(one);
             DnsServer b = new DnsServer(one.toBuilder().instanceName("dns-2").build())) {
            a.start();
            b.start();
            DnsClient.udp(b.udpAddress(), DnsClient.query("www.foobar.com", Type.A).toWire());
            Map<String, Double> after = parse(metrics.exposition());
            assertThat(after).containsEntry("foobar_dns_queries_total{instance=\"dns-1\",transport=\"udp\"}", 0.0);
            assertThat(after).containsEntry("foobar_dns_queries_total{instance=\"dns-2\",transport=\"udp\"}", 1.0);
            assertThat(b.traceRecorder().instance()).isEqualTo("dns-2");
        }
    }

    @Test
    void anUnknownQuestionTypeIsCountedAsOther() throws IOException {
        try (DnsServer server = LabZone.start(LabZone.directory())) {
            DnsClient.udp(server.udpAddress(), DnsClient.query("www.foobar.com", 65000).toWire());
            assertThat(parse(server.metrics().exposition()))
                    .containsEntry("foobar_dns_queries_by_type_total{instance=\"dns-1\",qtype=\"other\"}", 1.0);
        }
    }

    private static Field field(Hop hop, String name) {
        return hop.fields().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no field " + name + " in " + hop.fields()));
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})?) (\\S+)$");

    /** The Prometheus text format read back: "name{labels}" to value; comment lines skipped. */
    static Map<String, Double> parse(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line: %s", line).isTrue();
            samples.put(m.group(1), Double.parseDouble(m.group(3)));
        }
        return samples;
    }
}
