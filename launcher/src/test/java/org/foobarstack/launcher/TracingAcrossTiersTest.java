package org.foobarstack.launcher;

import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.Trace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One trace id follows a request through every tier: the DNS query that found the web server (the id rides
 * in an EDNS option), the HTTP request, the FastCGI records, the SQL statements. {@code walk} prints the journey,
 * and the admin server's metrics count it.
 */
class TracingAcrossTiersTest {

    private static final Pattern TRACE = Pattern.compile("trace ([0-9a-f]{32})");

    @TempDir
    static Path dataDir;

    static Stack stack;

    @BeforeAll
    static void start() {
        stack = new Stack(StackConfig.ephemeral(dataDir));
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void aPostIsOneTraceFromTheDnsQueryToTheSqlInsert() {
        String output = walk("-X", "POST", "-H", "Content-Type: application/json",
                "-d", "{\"author\":\"ada\",\"body\":\"traced\"}", "/api/messages");
        Trace trace = stack.traces().trace(traceId(output));

        assertThat(protocolsByTier(trace)).containsEntry("dns", List.of(Protocol.DNS, Protocol.DNS));
        assertThat(trace.hops()).extracting(Hop::tier).contains("dns", "web", "app");
        assertThat(trace.hops()).filteredOn(h -> h.protocol() == Protocol.SQL)
                .extracting(Hop::summary).anySatisfy(sql -> assertThat(sql).startsWith("INSERT INTO MESSAGES"));
        assertThat(trace.hops()).filteredOn(h -> h.protocol() == Protocol.FASTCGI && h.tier().equals("app"))
                .extracting(Hop::summary)
                .anySatisfy(s -> assertThat(s).contains("PARAMS").contains("POST /api/messages"))
                .anySatisfy(s -> assertThat(s).contains("END_REQUEST"));
        // the hops come in the order the messages crossed the tiers
        List<Protocol> order = trace.hops().stream().map(Hop::protocol).distinct().collect(Collectors.toList());
        assertThat(order).containsSubsequence(Protocol.DNS, Protocol.HTTP, Protocol.FASTCGI, Protocol.SQL);
        // and each message keeps its decoded fields
        Hop params = trace.hops().stream().filter(h -> h.summary().contains("PARAMS") && h.tier().equals("app"))
                .findFirst().orElseThrow();
        assertThat(params.fields()).extracting(f -> f.name()).isNotEmpty();
    }

    @Test
    void aGetIsOneTraceToo_andWalkPrintsTheJourneyInOrder() {
        String output = walk("/api/messages");
        Trace trace = stack.traces().trace(traceId(output));

        assertThat(trace.hops()).extracting(Hop::tier).contains("dns", "web", "app");
        assertThat(trace.hops()).filteredOn(h -> h.protocol() == Protocol.SQL)
                .extracting(Hop::summary).anySatisfy(sql -> assertThat(sql).startsWith("SELECT"));
        assertThat(output).containsSubsequence(
                "client/walk  DNS sent", "client/walk  DNS received", "client/walk  TCP sent",
                "client/walk  HTTP sent", "client/walk  HTTP received",
                "dns/dns-1  DNS received", "web/web-1  HTTP received", "web/web-1  FASTCGI sent",
                "app/app-1  FASTCGI received", "app/app-1  SQL sent", "app/app-1  FASTCGI sent",
                "web/web-1  HTTP sent");
    }

    @Test
    void theMetricsCountWhatTheTiersDid() {
        String before = RawHttpGet.metrics(stack);
        walk("/api/messages");
        String after = RawHttpGet.metrics(stack);

        assertThat(counter(after, "foobar_http_requests_total")).isGreaterThan(counter(before, "foobar_http_requests_total"));
        assertThat(counter(after, "foobar_dns_queries_total")).isGreaterThan(counter(before, "foobar_dns_queries_total"));
        assertThat(after).contains("foobar_app_").contains("foobar_http_request_duration_seconds_bucket");
    }

    private static String walk(String... args) {
        InetSocketAddress dns = stack.dns().udpAddress();
        InetSocketAddress admin = stack.admin().address();
        String path = args[args.length - 1];
        String[] full = new String[args.length + 5];
        full[0] = "walk";
        full[1] = "--dns";
        full[2] = dns.getAddress().getHostAddress() + ":" + dns.getPort();
        full[3] = "--trace-api";
        full[4] = "http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort();
        System.arraycopy(args, 0, full, 5, args.length - 1);
        full[full.length - 1] = "http://www.foobar.com:" + stack.web().httpAddress().getPort() + path;
        StringWriter out = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).execute(full);
        assertThat(code).as("walk exit code; it printed:%n%s", out).isZero();
        return out.toString();
    }

    private static String traceId(String walkOutput) {
        Matcher m = TRACE.matcher(walkOutput);
        assertThat(m.find()).as(walkOutput).isTrue();
        return m.group(1);
    }

    private static Map<String, List<Protocol>> protocolsByTier(Trace trace) {
        return trace.hops().stream().collect(Collectors.groupingBy(Hop::tier,
                Collectors.mapping(Hop::protocol, Collectors.toList())));
    }

    /** Sum of every series of a counter in a Prometheus exposition. */
    private static double counter(String exposition, String name) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The admin server's /metrics over a socket. */
    static final class RawHttpGet {
        static String metrics(Stack stack) {
            try {
                RawHttp response = RawHttp.get(stack.admin().address(), "/metrics");
                assertThat(response.status()).isEqualTo(200);
                return response.body();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }
}
