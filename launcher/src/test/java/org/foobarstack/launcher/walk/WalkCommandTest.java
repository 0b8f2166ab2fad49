package org.foobarstack.launcher.walk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.foobarstack.launcher.StackConfig;
import org.foobarstack.walk.WalkRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line of {@code walk}: options reach the request, output and exit code come back. */
class WalkCommandTest {

    private HttpServer server;
    private final AtomicReference<String> received = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.set(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("X-Learner")
                    + " " + body);
            byte[] answer = "walked".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run walk(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new WalkCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String url() {
        // an IP literal: the walk needs no DNS server for this test
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Test
    void curlLikeOptionsShapeTheRequestAndTheJourneyIsPrinted() {
        Run run = walk("-X", "PUT", "-d", "body=hi", "-H", "X-Learner: ada", url());

        assertThat(run.exitCode()).isZero();
        assertThat(received.get()).isEqualTo("PUT ada body=hi");
        assertThat(run.out()).containsSubsequence("no lookup: 127.0.0.1 is an IP address literal",
                "TCP sent  connect", "> PUT / HTTP/1.1", "> X-Learner: ada", "< HTTP/1.1 200 OK", "walked",
                "response: 200");
    }

    @Test
    void jsonPrintsOneObject() throws Exception {
        Run run = walk("--json", url());

        JsonNode root = new ObjectMapper().readTree(run.out());
        assertThat(run.exitCode()).isZero();
        assertThat(root.get("result").get("status").asInt()).isEqualTo(200);
        assertThat(root.get("client").size()).isEqualTo(4);
    }

    @Test
    void aBadCommandLineIsAUsageErrorInOneLine() {
        Run run = walk("--dns", "ns1.foobar.com:5300", url());

        assertThat(run.exitCode()).isEqualTo(WalkCommand.USAGE);
        assertThat(run.err()).isEqualTo("walk: the DNS server must be an IP address and port, e.g. 127.0.0.1:5300,"
                + " not: ns1.foobar.com:5300" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void withoutTraceApiTheStacksDefaultAdminAddressIsAsked() {
        WalkCommand command = new WalkCommand();
        new CommandLine(command).parseArgs(url());

        WalkRequest request = command.request();
        assertThat(request.traceApi()).hasToString("http://127.0.0.1:" + StackConfig.DEFAULT_ADMIN_PORT);
        assertThat(request.traceApiIsDefault()).isTrue();
    }

    @Test
    void traceApiNamesAnotherAdminServer() {
        WalkCommand command = new WalkCommand();
        new CommandLine(command).parseArgs("--trace-api", "http://127.0.0.10:9090", url());

        WalkRequest request = command.request();
        assertThat(request.traceApi()).hasToString("http://127.0.0.10:9090");
        assertThat(request.traceApiIsDefault()).isFalse();
    }

    @Test
    void helpNamesEveryOption() {
        Run run = walk("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("-X, --request", "-d, --data", "-H, --header", "--dns", "--trace-api",
                "--cacert", "--json", "--timeout", "127.0.0.1:5300");
    }
}
