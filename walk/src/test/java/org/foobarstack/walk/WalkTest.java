package org.foobarstack.walk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.foobarstack.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WalkTest {

    private TestHttpServer http;
    private TestDnsServer dns;

    @BeforeEach
    void start() throws IOException {
        http = new TestHttpServer();
        dns = new TestDnsServer(Map.of("www.foobar.com.", InetAddress.getByAddress(new byte[] {127, 0, 0, 1})), false);
    }

    @AfterEach
    void stop() throws IOException {
        http.close();
        dns.close();
    }

    /** What the command prints, and its exit code. */
    private record Run(int exitCode, String out, String err) {
    }

    private Run walk(WalkRequest request, boolean json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Walk.run(request, json, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String site() {
        return "http://www.foobar.com:" + http.port();
    }

    /** The hop headings ("[n] tier/instance  PROTOCOL direction  summary ..."), in printed order. */
    private static List<String> headings(String out) {
        List<String> headings = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.matches("^\\[\\d+] .*")) {
                headings.add(line.substring(line.indexOf(' ') + 1));
            }
        }
        return headings;
    }

    @Test
    void aGetWalksDnsThenTcpThenHttpAndPrintsEachLikeDigAndCurl() {
        Run run = walk(WalkRequest.builder(site() + "/").dns(dns.address()).build(), false);

        assertThat(run.exitCode()).isZero();
        List<String> headings = headings(run.out());
        assertThat(headings).hasSize(5);
        assertThat(headings.get(0)).startsWith("client/walk  DNS sent  query www.foobar.com. A over UDP");
        assertThat(headings.get(1)).startsWith("client/walk  DNS received  answer NOERROR, authoritative, A 127.0.0.1");
        assertThat(headings.get(2)).startsWith("client/walk  TCP sent  connect ");
        assertThat(headings.get(3)).startsWith("client/walk  HTTP sent  GET / HTTP/1.1");
        assertThat(headings.get(4)).startsWith("client/walk  HTTP received  HTTP/1.1 200 OK, 38 body bytes");
        // dig-style DNS, curl -v style HTTP, in journey order
        assertThat(run.out()).containsSubsequence(
                ";; ->>HEADER<<- opcode: QUERY, status: NOERROR",
                "www.foobar.com.\t\t3600\tIN\tA\t127.0.0.1",
                ";; SERVER: 127.0.0.1#" + dns.address().split(":")[1],
                "* Connected to www.foobar.com (127.0.0.1) port " + http.port(),
                "> GET / HTTP/1.1",
                "> Host: www.foobar.com:" + http.port(),
                "> traceparent: 00-",
                "< HTTP/1.1 200 OK",
                "hello from the test server",
                "second line",
                "response: 200");
        // decoded fields with offsets
        assertThat(run.out()).contains("Transaction ID [0+2]: 0x")
                .contains("Authoritative [2+2]: .... .1.. .... .... = Authoritative: Server is an authority")
                .contains("Address [")
                .contains("Method [0+3]: GET")
                .contains("Status code [9+3]: 200");
        assertThat(dns.udpQueries.get()).isEqualTo(1);
        assertThat(dns.tcpQueries.get()).isZero();
    }

    @Test
    void theRequestCarriesAFreshTraceparentWhoseIdIsPrinted() {
        Run run = walk(WalkRequest.builder(site() + "/").dns(dns.address()).build(), false);

        TraceContext sent = TraceContext.parse(http.lastTraceparent.get());
        assertThat(run.out()).contains("trace " + sent.traceId() + "  request " + sent.requestId());
    }

    @Test
    void aPostSendsTheDataAndHeadersLikeCurl() {
        Run run = walk(WalkRequest.builder(site() + "/echo").dns(dns.address()).data("author=ada&body=hi")
                .header("X-Learner: ada").build(), false);

        assertThat(run.exitCode()).isZero();
        assertThat(http.lastBody.get()).isEqualTo("author=ada&body=hi");
        assertThat(http.lastCustomHeader.get()).isEqualTo("ada");
        assertThat(run.out()).containsSubsequence(
                "> POST /echo HTTP/1.1",
                "> Content-Type: application/x-www-form-urlencoded",
                "> X-Learner: ada",
                "> Content-Length: 18",
                "author=ada&body=hi",
                "< HTTP/1.1 201 Created",
                "you sent: author=ada&body=hi",
                "response: 201");
        assertThat(run.out()).contains("Body [").contains("18 bytes of application/x-www-form-urlencoded");
    }

    @Test
    void aTruncatedUdpAnswerIsRetriedOverTcp() throws IOException {
        try (TestDnsServer truncating = new TestDnsServer(
                Map.of("www.foobar.com.", InetAddress.getByAddress(new byte[] {127, 0, 0, 1})), true)) {
            Run run = walk(WalkRequest.builder(site() + "/").dns(truncating.address()).build(), false);

            assertThat(run.exitCode()).isZero();
            assertThat(truncating.udpQueries.get()).isEqualTo(1);
            assertThat(truncating.tcpQueries.get()).isEqualTo(1);
            List<String> headings = headings(run.out());
            assertThat(headings.get(0)).contains("DNS sent  query www.foobar.com. A over UDP");
            assertThat(headings.get(1)).contains("DNS received  answer NOERROR, TC=1 (truncated)");
            assertThat(headings.get(2)).contains("DNS sent  query www.foobar.com. A over TCP (the UDP answer had TC=1)");
            assertThat(headings.get(3)).contains("DNS received  answer NOERROR, authoritative, A 127.0.0.1 over TCP");
            assertThat(headings.get(4)).contains("TCP sent  connect");
            assertThat(run.out()).contains(";; Truncated, retrying in TCP mode.")
                    .contains("Truncated [2+2]: .... ..1. .... .... = Truncated")
                    // over TCP the message sits after its two-byte length (RFC 1035 §4.2.2)
                    .contains("Length [0+2]: ")
                    .contains("Transaction ID [2+2]: 0x");
        }
    }

    @Test
    void anAliasIsFollowedWithASecondQuery() throws IOException {
        try (TestDnsServer aliasing = new TestDnsServer(
                Map.of("foobar.com.", InetAddress.getByAddress(new byte[] {127, 0, 0, 1})),
                Map.of("www.foobar.com.", "foobar.com."), false)) {
            Run run = walk(WalkRequest.builder(site() + "/").dns(aliasing.address()).build(), false);

            assertThat(run.exitCode()).isZero();
            assertThat(aliasing.udpQueries.get()).isEqualTo(2);
            List<String> headings = headings(run.out());
            assertThat(headings.get(1)).contains("answer NOERROR, authoritative, CNAME foobar.com.");
            assertThat(headings.get(2)).contains("DNS sent  query foobar.com. A over UDP");
            assertThat(headings.get(3)).contains("A 127.0.0.1");
            assertThat(run.out()).contains("Canonical name [");
        }
    }

    @Test
    void anIpLiteralNeedsNoLookup() {
        Run run = walk(WalkRequest.builder("http://127.0.0.1:" + http.port() + "/").dns(dns.address()).build(), false);

        assertThat(run.exitCode()).isZero();
        assertThat(dns.udpQueries.get()).isZero();
        assertThat(headings(run.out()).get(0)).contains("no lookup: 127.0.0.1 is an IP address literal");
        assertThat(run.out()).contains("< HTTP/1.1 200 OK");
    }

    @Test
    void anUnknownNameStopsWithCurlsResolveExitCode() {
        Run run = walk(WalkRequest.builder("http://nowhere.foobar.com:" + http.port() + "/").dns(dns.address())
                .build(), false);

        assertThat(run.exitCode()).isEqualTo(6);
        assertThat(run.out()).contains("status: NXDOMAIN")
                .contains("walk stopped: could not resolve host: the DNS server at 127.0.0.1#"
                        + dns.address().split(":")[1] + " answered NXDOMAIN for nowhere.foobar.com.");
    }

    @Test
    void aClosedPortStopsWithCurlsConnectExitCode() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run run = walk(WalkRequest.builder("http://www.foobar.com:" + closed + "/").dns(dns.address()).build(), false);

        assertThat(run.exitCode()).isEqualTo(7);
        assertThat(run.out()).contains("walk stopped: failed to connect: TCP connect to 127.0.0.1:" + closed);
    }

    @Test
    void withATraceApiTheServerSideHopsFollowTheClientsInOrder() {
        Run run = walk(WalkRequest.builder(site() + "/").dns(dns.address())
                .traceApi("http://127.0.0.1:" + http.port()).build(), false);

        assertThat(run.exitCode()).isZero();
        List<String> headings = headings(run.out());
        assertThat(headings).hasSize(8);
        assertThat(headings.subList(5, 8)).satisfiesExactly(
                h -> assertThat(h).startsWith("web/web-1  HTTP received  GET / HTTP/1.1"),
                h -> assertThat(h).startsWith("app/app-1  FASTCGI received  BEGIN_REQUEST id=1"),
                h -> assertThat(h).startsWith("app/app-1  SQL sent  SELECT id, author, body FROM messages"));
        assertThat(run.out()).contains("server side: 3 hops recorded by the stack")
                .contains("Rows: 2")
                .contains("Version [0+1]: 1");
    }

    @Test
    void anUnreachableTraceApiIsOneLineAndStillSucceeds() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run run = walk(WalkRequest.builder(site() + "/").dns(dns.address())
                .traceApi("http://127.0.0.1:" + closed).build(), false);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().filter(l -> l.contains("server-side hops not available"))).hasSize(1);
        assertThat(run.out()).contains("server side: server-side hops not available: GET http://127.0.0.1:"
                + closed + "/api/traces/");
        assertThat(headings(run.out())).hasSize(5);
    }

    @Test
    void aServerWithoutTracesIsNamedInOneLine() {
        // a plain HTTP server answers the trace URL with its ordinary page, which is not a trace
        Run run = walk(WalkRequest.builder("http://127.0.0.1:" + http.port() + "/").dns(dns.address())
                .traceApi("http://127.0.0.1:" + http.port() + "/nothing-here").build(), false);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("server-side hops not available: GET http://127.0.0.1:" + http.port()
                + "/nothing-here/api/traces/").contains("is not a trace: not JSON");
        assertThat(run.out().lines().filter(l -> l.contains("server-side hops not available"))).hasSize(1);
    }

    @Test
    void theStacksDefaultAdminAddressIsAskedWithoutBeingNamed() {
        // the launcher passes the stack's default address (127.0.0.1:9090); here the in-test server stands there
        Run run = walk(WalkRequest.builder(site() + "/").dns(dns.address())
                .defaultTraceApi("http://127.0.0.1:" + http.port()).build(), false);

        assertThat(run.exitCode()).isZero();
        assertThat(headings(run.out())).hasSize(8);
        assertThat(run.out()).contains("server side: 3 hops recorded by the stack");
    }

    @Test
    void nothingOnTheDefaultAdminAddressIsOneLineNamingTheFlag() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run run = walk(WalkRequest.builder(site() + "/").dns(dns.address())
                .defaultTraceApi("http://127.0.0.1:" + closed).build(), false);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().filter(l -> l.startsWith("server side:")))
                .containsExactly("server side: no admin server on the stack's default address http://127.0.0.1:"
                        + closed + " (connection refused); to fetch the server-side hops from another, give"
                        + " --trace-api URL");
        assertThat(headings(run.out())).hasSize(5);
    }

    @Test
    void jsonHasTheWholeJourney() throws Exception {
        Run run = walk(WalkRequest.builder(site() + "/echo").dns(dns.address()).data("x=1")
                .traceApi("http://127.0.0.1:" + http.port()).build(), true);

        assertThat(run.exitCode()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(root.get("format").asInt()).isEqualTo(1);
        String traceId = root.get("traceId").asText();
        assertThat(TraceContext.parse(http.lastTraceparent.get()).traceId()).isEqualTo(traceId);
        assertThat(root.get("traceparent").asText()).startsWith("00-" + traceId + "-");
        assertThat(root.get("request").get("method").asText()).isEqualTo("POST");
        assertThat(root.get("request").get("data").asText()).isEqualTo("x=1");

        List<String> client = new ArrayList<>();
        for (JsonNode hop : root.get("client")) {
            client.add(hop.get("protocol").asText() + " " + hop.get("direction").asText());
            assertThat(hop.get("tier").asText()).isEqualTo("client");
            assertThat(hop.get("durationNanos").asLong()).isNotNegative();
            assertThat(hop.get("transcript").isArray()).isTrue();
        }
        assertThat(client).containsExactly("DNS sent", "DNS received", "TCP sent", "HTTP sent", "HTTP received");
        JsonNode dnsAnswer = root.get("client").get(1);
        assertThat(dnsAnswer.get("fields").get(0).get("name").asText()).isEqualTo("Header");
        assertThat(dnsAnswer.get("fields").get(0).get("children").get(0).get("offset").asInt()).isZero();
        JsonNode response = root.get("client").get(4);
        assertThat(response.get("fields").get(0).get("children").get(1).get("value").asText()).isEqualTo("201");
        assertThat(root.get("result").get("status").asInt()).isEqualTo(201);
        assertThat(root.get("result").get("failure").isNull()).isTrue();

        JsonNode server = root.get("server");
        assertThat(server.get("requested").asBoolean()).isTrue();
        assertThat(server.get("trace").get("traceId").asText()).isEqualTo(traceId);
        List<String> serverHops = new ArrayList<>();
        for (JsonNode hop : server.get("trace").get("hops")) {
            serverHops.add(hop.get("tier").asText() + " " + hop.get("protocol").asText());
        }
        assertThat(serverHops).containsExactly("web HTTP", "app FASTCGI", "app SQL");
    }

    @Test
    void jsonFailuresGoToTheResultAndOneLineToStandardError() throws Exception {
        Run run = walk(WalkRequest.builder("http://nowhere.foobar.com/").dns(dns.address()).build(), true);

        assertThat(run.exitCode()).isEqualTo(6);
        JsonNode result = new ObjectMapper().readTree(run.out()).get("result");
        assertThat(result.get("failure").asText()).isEqualTo("RESOLVE");
        assertThat(result.get("exitCode").asInt()).isEqualTo(6);
        assertThat(run.err()).startsWith("walk: could not resolve host: ").contains("NXDOMAIN");
    }

    @Test
    void aGivenTraceparentIsAdoptedAndLongBodiesAreCut() {
        String given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Run run = walk(WalkRequest.builder(site() + "/").dns(dns.address()).header("traceparent: " + given)
                .maxBodyShown(10).build(), false);

        assertThat(http.lastTraceparent.get()).isEqualTo(given);
        assertThat(run.out()).contains("trace 4bf92f3577b34da6a3ce929d0e0e4736")
                .contains("hello from")
                .contains("[... 28 more characters not shown]");
        assertThat(run.out().lines()).doesNotContain("    second line");
    }
}
