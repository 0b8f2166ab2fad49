package org.foobarstack.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.topology.ShippedTopologies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run --toxics} and {@code ctl toxic}: the simple design (moved to 127.0.79.x and free ports) with a proxy
 * on each link, a latency toxic put on {@code app-1 -> db-1} through {@code Main.commandLine()} against the
 * stack's admin server, measured on {@code GET /api/messages}, listed, and removed again; the errors of an unknown
 * link, a bad value and a missing token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CtlToxicTest {

    private static final long LATENCY_MS = 300;
    /** How far a request's time may stray from the baseline's median for reasons of its own (GC, scheduling). */
    private static final long TOLERANCE_MS = 40;

    @TempDir
    static Path data;

    static Stack stack;
    static String admin;
    static long baselineMs;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack(StackConfig.builder()
                .topology(ShippedTopologies.load("simple").relocated(79).withEphemeralPorts())
                .adminPort(0).dataDir(data).build());
        stack.proxyLinks();
        stack.start(line -> { });
        InetSocketAddress address = stack.admin().address();
        admin = "http://" + address.getAddress().getHostAddress() + ":" + address.getPort();
        baselineMs = LinkProbes.medianMillis(stack.front(), 5);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void everyLinkBetweenTheTiersRunsThroughAProxy() throws Exception {
        JsonNode links = new ObjectMapper().readTree(RawHttp.get(stack.admin().address(), "/api/links").body());
        List<String> names = new ArrayList<>();
        links.path("links").forEach(link -> names.add(link.path("name").asText()));
        assertThat(names).contains("web-1->app-1", "app-1->db-1");
        JsonNode db = LinkProbes.link(stack, "app-1->db-1");
        assertThat(db.path("listen").asText()).startsWith("127.0.79.");
        assertThat(db.path("listen").asText()).isNotEqualTo(db.path("upstream").asText());
        assertThat(db.path("toxics")).isEmpty();
    }

    @Test
    @Order(2)
    void aLatencyToxicAddedFromTheCommandLineSlowsEveryRequestThatReadsTheDatabase() throws Exception {
        Result added = ctl("toxic", "add", "app-1->db-1", "latency", LATENCY_MS + "ms", "--admin", admin,
                "--token-file", stack.tokenFile().toString());
        assertThat(added.code).as(added.err).isZero();
        assertThat(added.out).contains("added latency_downstream to app-1->db-1: latency latency=300 jitter=0, "
                + "downstream, toxicity 1.0");

        long slowed = LinkProbes.timedGetMillis(stack.front(), "/api/messages");
        assertThat(slowed - baselineMs).as("baseline %d ms, with the toxic %d ms", baselineMs, slowed)
                .isGreaterThanOrEqualTo(LATENCY_MS - TOLERANCE_MS)
                .isLessThan(10 * LATENCY_MS);

        Result list = ctl("toxic", "list", "--admin", admin);
        assertThat(list.code).isZero();
        assertThat(list.out).containsPattern("app-1->db-1\\s+127\\.0\\.79\\.\\d+:\\d+\\s+127\\.0\\.79\\.\\d+:\\d+"
                + "\\s+latency_downstream\\s+latency\\s+downstream\\s+1\\.0\\s+latency=300 jitter=0")
                .containsPattern("web-1->app-1\\s+\\S+\\s+\\S+\\s+-");

        Result removed = ctl("toxic", "remove", "app-1->db-1", "latency_downstream", "--admin", admin,
                "--token-file", stack.tokenFile().toString());
        assertThat(removed.code).as(removed.err).isZero();
        assertThat(removed.out).contains("removed latency_downstream from app-1->db-1");
        long after = LinkProbes.medianMillis(stack.front(), 3);
        assertThat(after).as("baseline %d ms, after the removal %d ms", baselineMs, after)
                .isLessThan(baselineMs + LATENCY_MS - TOLERANCE_MS);
        assertThat(ctl("toxic", "list", "--admin", admin).out).doesNotContain("latency_downstream");
    }

    @Test
    @Order(3)
    void anUnknownLinkIsRefusedByTheStackNamingTheLinksThatExist() {
        Result unknown = ctl("toxic", "add", "app-1->db-9", "latency", "300ms", "--admin", admin,
                "--token-file", stack.tokenFile().toString());
        assertThat(unknown.code).isEqualTo(1);
        assertThat(unknown.err).contains("404: no link app-1->db-9 in this stack; its links: ")
                .contains("app-1->db-1").contains("web-1->app-1");

        Result noSuchToxic = ctl("toxic", "remove", "app-1->db-1", "nothing_here", "--admin", admin,
                "--token-file", stack.tokenFile().toString());
        assertThat(noSuchToxic.code).isEqualTo(1);
        assertThat(noSuchToxic.err).contains("404: ").contains("no toxic named nothing_here");
    }

    @Test
    @Order(4)
    void aBadValueIsAUsageErrorBeforeAnythingIsSent() {
        Result badDuration = ctl("toxic", "add", "app-1->db-1", "latency", "300xs", "--admin", admin);
        assertThat(badDuration.code).isEqualTo(2);
        assertThat(badDuration.err).contains("latency must be a duration such as 200ms, 1s or 500us, not \"300xs\"");

        Result badType = ctl("toxic", "add", "app-1->db-1", "lag", "300ms", "--admin", admin);
        assertThat(badType.code).isEqualTo(2);
        assertThat(badType.err).contains("unknown toxic type \"lag\"");

        Result missing = ctl("toxic", "add", "app-1->db-1", "bandwidth", "--admin", admin);
        assertThat(missing.code).isEqualTo(2);
        assertThat(missing.err).contains("bandwidth needs a value: ctl toxic add LINK bandwidth 64KB/s");

        Result toxicity = ctl("toxic", "add", "app-1->db-1", "timeout", "1s", "--toxicity", "2", "--admin", admin);
        assertThat(toxicity.code).isEqualTo(2);
        assertThat(toxicity.err).contains("toxicity must lie in 0..1, got 2.0");

        Result notALink = ctl("toxic", "add", "app-1", "latency", "300ms", "--admin", admin);
        assertThat(notALink.code).isEqualTo(2);
        assertThat(notALink.err).contains("a link is FROM->TO");
    }

    @Test
    @Order(5)
    void theApiRefusesAToxicWithoutTheTokenAndNamesABadAttribute() throws Exception {
        InetSocketAddress address = stack.admin().address();
        String body = "{\"type\":\"latency\",\"attributes\":{\"latency\":200}}";
        RawHttp noToken = RawHttp.send(address, post(body, null));
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.body()).contains("a toxic needs the stack's token");
        RawHttp wrongToken = RawHttp.send(address, post(body, "not-the-token"));
        assertThat(wrongToken.status()).isEqualTo(403);

        RawHttp badAttribute = RawHttp.send(address, post("{\"type\":\"latency\",\"attributes\":{\"latency\":-5}}",
                stack.token()));
        assertThat(badAttribute.status()).isEqualTo(400);
        assertThat(badAttribute.body()).contains("attribute latency must be a whole number, 0 or more, got -5");

        RawHttp added = RawHttp.send(address, post("{\"name\":\"slow\",\"type\":\"bandwidth\",\"stream\":\"upstream\","
                + "\"toxicity\":0.5,\"attributes\":{\"rate\":64}}", stack.token()));
        assertThat(added.status()).isEqualTo(200);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(added.body()).path("link").path("toxics").get(0)).isEqualTo(json.readTree(
                "{\"name\":\"slow\",\"type\":\"bandwidth\",\"stream\":\"upstream\",\"toxicity\":0.5,"
                        + "\"attributes\":{\"rate\":64}}"));
        RawHttp deleted = RawHttp.send(address, "DELETE /api/links/app-1-%3Edb-1/toxics/slow HTTP/1.1\r\nHost: a\r\n"
                + "Authorization: Bearer " + stack.token() + "\r\nConnection: close\r\n\r\n");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(json.readTree(deleted.body()).path("link").path("toxics")).isEmpty();
    }

    @Test
    @Order(6)
    void theClientsOwnLinkToTheFrontCarriesToxicsWhileTheFrontsPortStaysDirect() throws Exception {
        InetSocketAddress client = stack.clientLink().orElseThrow();
        JsonNode link = LinkProbes.link(stack, "client->web-1");
        assertThat(link.path("listen").asText()).isEqualTo(client.getAddress().getHostAddress() + ":"
                + client.getPort());
        assertThat(link.path("upstream").asText()).isEqualTo(stack.front().getAddress().getHostAddress() + ":"
                + stack.front().getPort());
        assertThat(client.getAddress()).as("on the front's own address").isEqualTo(stack.front().getAddress());
        assertThat(Banner.of(stack)).contains("http://" + link.path("listen").asText() + "/");

        Result added = ctl("toxic", "add", "client->web-1", "latency", LATENCY_MS + "ms", "--admin", admin,
                "--token-file", stack.tokenFile().toString());
        assertThat(added.code).as(added.err).isZero();
        try {
            assertThat(LinkProbes.timedGetMillis(client, "/")).as("through the client link")
                    .isGreaterThanOrEqualTo(LATENCY_MS);
            // the front's own port, which www names, is not slowed
            assertThat(LinkProbes.medianMillis(stack.front(), 3))
                    .isLessThan(baselineMs + LATENCY_MS - TOLERANCE_MS);
        } finally {
            ctl("toxic", "remove", "client->web-1", "latency_downstream", "--admin", admin,
                    "--token-file", stack.tokenFile().toString());
        }
    }

    private static String post(String body, String token) {
        return "POST /api/links/app-1-%3Edb-1/toxics HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
    }

    private record Result(int code, String out, String err) {
    }

    private static Result ctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "ctl";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all);
        return new Result(code, out.toString(), err.toString());
    }
}
