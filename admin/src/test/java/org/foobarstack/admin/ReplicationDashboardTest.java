package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard reads and sends for replicated databases, over real sockets: the {@code "replication"} object
 * of each database in {@code GET /api/topology}, the replication actions with the token, and the page's script
 * sending those actions' words. The stack is {@link FakeStack#replicated()}: server-1's database the primary,
 * server-2's its replica. What the page draws from it is in {@link DashboardBrowserTest}.
 */
class ReplicationDashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "3c5e7a9b1d2f40516273849a5b6c7d8e";

    private final FakeStack stack = FakeStack.replicated();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    @BeforeEach
    void start() throws IOException {
        server = new AdminServer(AdminConfig.builder().port(0).build(), new TraceHub(), new Metrics(), stack, TOKEN);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void eachDatabaseOfTheTopologyCarriesItsRoleAndAReplicaItsLagAndSource() throws Exception {
        JsonNode json = JSON.readTree(send("GET", "/api/topology", null).body());

        JsonNode db2 = tier(json, "server-2", "db");
        assertThat(db2.get("description").asText()).isEqualTo("database (replica)");
        assertThat(db2.get("references").get(0).get("host").asText()).isEqualTo("server-1");
        assertThat(db2.get("references").get(0).get("role").asText()).isEqualTo("db");
        assertThat(db2.get("counters").get("lagTransactions").asLong()).isZero();
        JsonNode replica = db2.get("replication");
        assertThat(replica.get("role").asText()).isEqualTo("replica");
        assertThat(replica.get("state").asText()).isEqualTo("streaming");
        assertThat(replica.get("source").asText()).isEqualTo("server-1");
        assertThat(replica.get("appliedSeq").asLong()).isEqualTo(FakeStack.PRIMARY_SEQ);
        assertThat(replica.get("sourceSeq").asLong()).isEqualTo(FakeStack.PRIMARY_SEQ);
        assertThat(replica.get("lagTransactions").asLong()).isZero();
        assertThat(replica.get("lagMillis").asLong()).isZero();
        assertThat(replica.get("lastError").isNull()).isTrue();
        assertThat(replica.get("summary").asText()).isEqualTo("replica of server-1, streaming, 0 txn / 0 ms behind");

        JsonNode primary = tier(json, "server-1", "db").get("replication");
        assertThat(tier(json, "server-1", "db").get("description").asText()).isEqualTo("database (primary)");
        assertThat(primary.get("role").asText()).isEqualTo("primary");
        assertThat(primary.get("state").asText()).isEqualTo("-");
        assertThat(primary.get("source").isNull()).isTrue();
        assertThat(primary.has("sourceSeq")).as("a primary follows nobody: no source position").isFalse();
        assertThat(primary.get("summary").asText()).isEqualTo("primary at seq " + FakeStack.PRIMARY_SEQ);

        // only databases have one, and the flat list carries it too
        assertThat(tier(json, "server-2", "web").has("replication")).isFalse();
        JsonNode flat = null;
        for (JsonNode tier : json.get("tiers")) {
            if (tier.get("instance").asText().equals("db-2")) {
                flat = tier;
            }
        }
        assertThat(flat).isNotNull();
        assertThat(flat.get("replication").get("summary").asText())
                .isEqualTo("replica of server-1, streaming, 0 txn / 0 ms behind");
    }

    @Test
    void aTopologyStatusWithAPausedReplicaIsWrittenWithItsLagAndLastError() throws Exception {
        // as the launcher builds one: the replica's view, its counters, and its reference to the primary's host
        ReplicationView paused = new ReplicationView("replica", "paused", "server-1", 38, 34, 41, 37, 3, 2_400,
                "paused by the operator");
        TierStatus db2 = new TierStatus("db", "db-2", "database (replica)", "DRDA (Derby)",
                List.of("127.0.0.12:1527/tcp drda"), true,
                Map.of("schemaVersion", 3L, "appliedSeq", 38L, "lagTransactions", 3L, "lagMillis", 2_400L),
                List.of(new TierStatus.Reference("server-1", "db")), paused);
        TopologyStatus topology = new TopologyStatus("distributed", "two servers", List.of(
                new HostStatus("server-2", "127.0.0.12", "the second server", "running", true, List.of(db2))),
                List.of());

        JsonNode json = JSON.readTree(new AdminJson().topology(topology, "127.0.0.1:9090"));
        JsonNode replication = json.get("hosts").get(0).get("tiers").get(0).get("replication");
        assertThat(replication.get("state").asText()).isEqualTo("paused");
        assertThat(replication.get("appliedSeq").asLong()).isEqualTo(38);
        assertThat(replication.get("sourceSeq").asLong()).isEqualTo(41);
        assertThat(replication.get("lagTransactions").asLong()).isEqualTo(3);
        assertThat(replication.get("lagMillis").asLong()).isEqualTo(2_400);
        assertThat(replication.get("lastError").asText()).isEqualTo("paused by the operator");
        assertThat(replication.get("summary").asText()).isEqualTo("replica of server-1, paused, 3 txn / 2400 ms behind");
        assertThat(json.get("tiers").get(0).get("replication").get("summary").asText())
                .isEqualTo(replication.get("summary").asText());
    }

    @Test
    void theReplicationActionsReachTheStackWithTheTokenAndAnswerWhatItDid() throws Exception {
        HttpResponse<String> pause = send("POST", "/api/hosts/server-2/pause-replication", TOKEN);
        assertThat(pause.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(pause.body());
        assertThat(answer.get("action").asText()).isEqualTo("pause-replication");
        assertThat(answer.get("result").asText()).startsWith("server-2's replica paused at seq 41");
        assertThat(stack.nextCall(0)).isEqualTo("server-2 pause-replication");
        JsonNode paused = tier(JSON.readTree(send("GET", "/api/topology", null).body()), "server-2", "db");
        assertThat(paused.get("replication").get("summary").asText())
                .isEqualTo("replica of server-1, paused, 3 txn / 2400 ms behind");

        assertThat(send("POST", "/api/hosts/server-2/resume-replication", TOKEN).statusCode()).isEqualTo(200);
        assertThat(stack.nextCall(0)).isEqualTo("server-2 resume-replication");

        // a primary cannot be paused: 409 with the reason, as the buttons' status line shows it
        HttpResponse<String> refused = send("POST", "/api/hosts/server-1/pause-replication", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).get("error").asText()).contains("primary, not a replica");
        assertThat(stack.nextCall(0)).isEqualTo("server-1 pause-replication");

        // promote server-2: server-1, still running, is fenced; re-attach makes it a replica of server-2
        HttpResponse<String> promote = send("POST", "/api/hosts/server-2/promote", TOKEN);
        assertThat(promote.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(promote.body()).get("result").asText()).startsWith("server-2 is the primary");
        JsonNode promoted = JSON.readTree(send("GET", "/api/topology", null).body());
        assertThat(tier(promoted, "server-2", "db").get("replication").get("role").asText()).isEqualTo("primary");
        assertThat(tier(promoted, "server-1", "db").get("replication").get("role").asText()).isEqualTo("fenced");
        assertThat(tier(promoted, "server-1", "db").get("description").asText()).isEqualTo("database (fenced)");

        assertThat(send("POST", "/api/hosts/server-1/reattach", TOKEN).statusCode()).isEqualTo(200);
        JsonNode reattached = tier(JSON.readTree(send("GET", "/api/topology", null).body()), "server-1", "db");
        assertThat(reattached.get("replication").get("summary").asText())
                .isEqualTo("replica of server-2, streaming, 0 txn / 0 ms behind");

        // without the token nothing is done
        assertThat(send("POST", "/api/hosts/server-1/promote", null).statusCode()).isEqualTo(401);
        assertThat(stack.callsSoFar()).containsExactly("server-2 promote", "server-1 reattach");
    }

    @Test
    void theDashboardScriptSendsEveryHostActionAndThePageExplainsTheBadges() throws Exception {
        String script = send("GET", "/dashboard.js", null).body();
        // the buttons send HostAction's words in the path: the script has every one of them, quoted as sent
        for (HostAction action : HostAction.values()) {
            assertThat(script).as(action.word()).containsPattern("['\"]?" + action.word() + "['\"]?\\s*[:,\\]]");
        }
        assertThat(script).contains("'pause-replication'", "'resume-replication'", "reattach:",
                "'/api/hosts/' + encodeURIComponent(host) + '/' + encodeURIComponent(action)");
        // the badge, the lag line and the change log's arrow
        assertThat(script).contains("repl-badge", "' behind'", "'← '", "kind: 'replicate'");
        assertThat(script).doesNotContain("innerHTML");

        String page = send("GET", "/", null).body();
        assertThat(page).contains("id=\"replication-hint\"", "PRIMARY", "REPLICA", "FENCED");
        String css = send("GET", "/dashboard.css", null).body();
        assertThat(css).contains(".repl-badge", ".repl-lagging", ".kind-replicate");
    }

    /** The tier of a role on a host, in {@code hosts[].tiers[]}. */
    private static JsonNode tier(JsonNode topology, String host, String role) {
        for (JsonNode h : topology.get("hosts")) {
            if (h.get("name").asText().equals(host)) {
                for (JsonNode t : h.get("tiers")) {
                    if (t.get("role").asText().equals(role)) {
                        return t;
                    }
                }
            }
        }
        throw new AssertionError("no " + role + " tier on " + host + " in " + topology);
    }

    /** A request with an empty body; {@code token} null sends no Authorization field. */
    private HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
