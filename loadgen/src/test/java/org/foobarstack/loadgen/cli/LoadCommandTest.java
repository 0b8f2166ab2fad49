package org.foobarstack.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.loadgen.TestHttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadCommandTest {

    /** What a run of the command printed, and its exit code. */
    record Result(int exitCode, String out, String err) {
    }

    private static Result load(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new LoadCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void resolvesTheHostWithTheGivenDnsServerOnly() throws Exception {
        List<String> hosts = new CopyOnWriteArrayList<>();
        try (TestHttpServer web = TestHttpServer.start(exchange -> {
                 hosts.add(exchange.head().lines().filter(l -> l.startsWith("Host:")).findFirst().orElse(""));
                 exchange.respond(200);
             });
             TestDnsServer dns = TestDnsServer.answering("www.foobar.com", InetAddress.getLoopbackAddress())) {
            Result result = load("http://www.foobar.com:" + web.port() + "/", "--rate", "50", "--duration", "0.2",
                    "--dns", dns.address());

            assertThat(result.exitCode()).as(result.err()).isEqualTo(LoadCommand.OK);
            assertThat(dns.questions()).containsExactly("www.foobar.com.");
            assertThat(web.requests()).isEqualTo(10);
            assertThat(hosts).allMatch(h -> h.equals("Host: www.foobar.com:" + web.port()));
            assertThat(result.out()).contains("GET http://www.foobar.com:" + web.port() + "/", "sent", "10/10 ok");
        }
    }

    @Test
    void resolveEntryAndAddressLiteralNeedNoDns() throws Exception {
        try (TestHttpServer web = TestHttpServer.ok(); TestDnsServer dns = TestDnsServer.silent()) {
            Result byEntry = load("http://www.foobar.com:" + web.port() + "/", "--rate", "20", "--duration", "0.1",
                    "--resolve", "www.foobar.com:" + web.port() + ":127.0.0.1", "--dns", dns.address());
            Result byLiteral = load("http://127.0.0.1:" + web.port() + "/", "--rate", "20", "--duration", "0.1",
                    "--dns", dns.address());

            assertThat(byEntry.exitCode()).as(byEntry.err()).isZero();
            assertThat(byLiteral.exitCode()).as(byLiteral.err()).isZero();
            assertThat(web.requests()).isEqualTo(4);
            assertThat(dns.questions()).isEmpty();
        }
    }

    @Test
    void refusesToRunWhenTheDnsServerDoesNotAnswer() throws Exception {
        try (TestDnsServer dns = TestDnsServer.silent()) {
            long started = System.nanoTime();
            Result result = load("http://www.foobar.com:8080/", "--rate", "10", "--duration", "1",
                    "--timeout", "300", "--dns", dns.address());

            assertThat(result.exitCode()).isEqualTo(LoadCommand.FAILURES);
            assertThat(result.out()).isEmpty();
            assertThat(result.err().strip()).doesNotContain("\n")
                    .startsWith("load: cannot resolve www.foobar.com")
                    .contains("DNS server at " + dns.address(), "did not answer", "300 ms");
            assertThat(dns.questions()).contains("www.foobar.com.");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);
        }
    }

    @Test
    void unknownNameIsReportedWithTheServerThatSaidSo() throws Exception {
        try (TestDnsServer dns = TestDnsServer.answering("www.foobar.com", InetAddress.getLoopbackAddress())) {
            Result result = load("http://nope.foobar.com/", "--rate", "10", "--duration", "1", "--dns", dns.address());

            assertThat(result.exitCode()).isEqualTo(LoadCommand.FAILURES);
            assertThat(result.err()).contains("DNS server at " + dns.address(), "NXDOMAIN");
        }
    }

    @Test
    void exitsOneWhenRequestsFailOrGet5xx() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Result refused = load("http://127.0.0.1:" + closedPort + "/", "--rate", "20", "--duration", "0.2");
        assertThat(refused.exitCode()).isEqualTo(LoadCommand.FAILURES);
        assertThat(refused.out()).contains("failed", "refused 4");

        try (TestHttpServer web = TestHttpServer.start(exchange -> exchange.respond(503))) {
            Result unavailable = load("http://127.0.0.1:" + web.port() + "/", "--rate", "20", "--duration", "0.2");
            assertThat(unavailable.exitCode()).isEqualTo(LoadCommand.FAILURES);
            assertThat(unavailable.out()).contains("503: 4", "4 5xx");
        }
    }

    @Test
    void jsonReportHasEveryKeyAndAddsUp() throws Exception {
        try (TestHttpServer web = TestHttpServer.start(exchange -> {
            if (exchange.number() % 5 == 0) {
                exchange.reset();
            } else {
                exchange.respond(exchange.number() % 5 == 1 ? 500 : 200);
            }
        })) {
            Result result = load("http://127.0.0.1:" + web.port() + "/x?y=1", "--rate", "100", "--duration", "1",
                    "--json", "-c", "4");
            JsonNode json = new ObjectMapper().readTree(result.out());

            assertThat(result.exitCode()).isEqualTo(LoadCommand.FAILURES);
            assertThat(fieldNames(json)).contains("target", "rate", "duration_s", "sent", "answered", "failed",
                    "failed_total", "latency_ms", "achieved_rps", "first_failure_ms", "last_failure_ms",
                    "outage_ms", "timeline");
            assertThat(fieldNames(json.get("latency_ms"))).contains("p50", "p90", "p99", "p999", "max");
            assertThat(fieldNames(json.get("failed")))
                    .containsExactly("refused", "connect_timeout", "reset", "timeout", "protocol");
            assertThat(json.get("target").asText()).isEqualTo("http://127.0.0.1:" + web.port() + "/x?y=1");
            assertThat(json.get("rate").asInt()).isEqualTo(100);
            assertThat(json.get("duration_s").asInt()).isEqualTo(1);

            long sent = json.get("sent").asLong();
            long answered = sum(json.get("answered"));
            assertThat(sent).isEqualTo(100);
            assertThat(answered + json.get("failed_total").asLong()).isEqualTo(sent);
            assertThat(sum(json.get("failed"))).isEqualTo(json.get("failed_total").asLong());
            assertThat(json.get("failed").get("reset").asLong()).isPositive();
            assertThat(json.get("answered").get("500").asLong()).isPositive();
            assertThat(json.get("first_failure_ms").asLong()).isLessThanOrEqualTo(json.get("last_failure_ms").asLong());

            JsonNode timeline = json.get("timeline");
            assertThat(timeline).hasSize(1);
            JsonNode second = timeline.get(0);
            assertThat(fieldNames(second)).contains("second", "sent", "ok", "errors_5xx", "failed");
            assertThat(second.get("sent").asLong()).isEqualTo(sent);
            assertThat(second.get("ok").asLong() + second.get("errors_4xx").asLong()
                    + second.get("errors_5xx").asLong() + second.get("failed").asLong()).isEqualTo(sent);
        }
    }

    @Test
    void countHeaderCountsTheValuesOfAResponseHeader() throws Exception {
        try (TestHttpServer web = TestHttpServer.start(exchange -> {
            if (exchange.number() % 4 == 0) {
                exchange.respond(200);
            } else {
                exchange.respond(200, "X-Served-By: " + (exchange.number() % 2 == 1 ? "web1" : "web2"));
            }
        })) {
            String url = "http://127.0.0.1:" + web.port() + "/";
            Result text = load(url, "--rate", "40", "--duration", "1", "--count-header", "x-served-by");
            Result json = load(url, "--rate", "40", "--duration", "1", "--count-header", "X-Served-By", "--json");

            // requests 1..40 of the first run: 20 odd, 10 even and not a multiple of 4, 10 multiples of 4
            assertThat(text.exitCode()).as(text.err()).isEqualTo(LoadCommand.OK);
            assertThat(text.err()).contains("counting x-served-by");
            assertThat(text.out()).contains(
                    "            x-served-by: web1  20\n",
                    "            x-served-by: web2  10\n",
                    "            x-served-by: -     10   (without the header)\n");
            // requests 41..80 of the second: the same shares
            JsonNode header = new ObjectMapper().readTree(json.out()).get("header");
            assertThat(header.get("name").asText()).isEqualTo("X-Served-By");
            assertThat(header.get("values").get("web1").asLong()).isEqualTo(20);
            assertThat(header.get("values").get("web2").asLong()).isEqualTo(10);
            assertThat(header.get("values").get("-").asLong()).isEqualTo(10);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static long sum(JsonNode object) {
        long total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            total += it.next().getValue().asLong();
        }
        return total;
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(new String[]{"http://127.0.0.1/", "--duration", "1"}, "--rate"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10"}, "--duration"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1", "--cacert",
                        "ca.pem"}, "--cacert is for an https URL"),
                Arguments.of(new String[]{"www.foobar.com/", "--rate", "10", "--duration", "1"}, "scheme"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "0"}, "--duration"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "3601"}, "3600"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "0", "--duration", "1"}, "rate"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "100000", "--duration", "3600"},
                        "10,000,000"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1", "-c", "0"},
                        "connections"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1", "--timeout", "0"},
                        "--timeout"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1", "-H", "NoColon"},
                        "--header"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1",
                        "-H", "Content-Length: 5"}, "Content-Length"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1",
                        "--resolve", "www.foobar.com:80"}, "--resolve"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1",
                        "--resolve", "www.foobar.com:80:localhost"}, "not an IP address"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1",
                        "--dns", "localhost:5300"}, "--dns"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1",
                        "--source", "my.host"}, "--source"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "10", "--duration", "1",
                        "--count-header", "X App"}, "not a header name"),
                Arguments.of(new String[]{"http://127.0.0.1/", "--rate", "ten", "--duration", "1"}, "ten"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrorsExitTwoWithAMessage(String[] args, String expected) {
        Result result = load(args);

        assertThat(result.exitCode()).isEqualTo(LoadCommand.USAGE);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains(expected);
    }

    @Test
    void helpDescribesTheCommand() {
        Result result = load("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Sends HTTP requests at a constant rate and reports what came back",
                "--rate", "--resolve", "--dns", "--count-header");
    }
}
