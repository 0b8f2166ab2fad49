package org.foobarstack.app;

import org.foobarstack.fastcgi.ProtocolStatus;
import org.foobarstack.fastcgi.Role;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.trace.Direction;
import org.foobarstack.trace.Field;
import org.foobarstack.trace.Hop;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.Protocol;
import org.foobarstack.trace.Trace;
import org.foobarstack.trace.TraceHub;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing and metrics of the app tier, over real sockets with a real storage tier: the hops one request leaves in
 * the stack's trace hub, and the metrics exposition read back as a scraper would.
 */
class AppTracingTest {

    private static final String INSTANCE = "app-trace";
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    static Path dataDir;

    private static StorageServer storage;
    private static AppServer app;
    private static TraceHub hub;
    private static TraceRecorder recorder;
    private static Metrics metrics;

    @BeforeAll
    static void startTiers() {
        storage = new StorageServer(StorageConfig.builder().host("127.0.0.1").port(0).dataDir(dataDir).build());
        storage.start();
        hub = new TraceHub();
        recorder = hub.newRecorder("app", INSTANCE);
        metrics = new Metrics();
        app = new AppServer(AppServerConfig.builder().port(0).instanceName(INSTANCE)
                .jdbcUrl(storage.jdbcUrl()).dbUser(storage.appUser()).dbPassword(storage.appPassword())
                .dbConnectionTimeout(Duration.ofMillis(1000)).workerThreads(2).dbPoolSize(2)
                .traceRecorder(recorder).metrics(metrics).build());
        app.start();
    }

    @AfterAll
    static void stopTiers() {
        if (app != null) {
            app.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    private RawFastCgiClient.Reply post(String body, Map<String, String> extra) throws Exception {
        try (RawFastCgiClient c = new RawFastCgiClient(app.address())) {
            Map<String, String> params = RawFastCgiClient.cgi("POST", "/api/messages");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            params.put("CONTENT_TYPE", "application/json");
            params.put("CONTENT_LENGTH", Integer.toString(bytes.length));
            params.putAll(extra);
            c.sendRequest(1, false, params, bytes);
            return c.readReply(1);
        }
    }

    private static Field field(List<Field> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no field " + name + " in "
                        + fields.stream().map(Field::name).toList()));
    }

    @Test
    void aPostWithATraceparentLeavesItsHopsInOrderUnderThatTraceId() throws Exception {
        RawFastCgiClient.Reply reply = post("{\"author\":\"ada\",\"body\":\"traced\"}",
                Map.of("HTTP_TRACEPARENT", TRACEPARENT));
        assertThat(reply.httpStatus()).isEqualTo(201);

        Trace trace = hub.trace(TRACE_ID);
        List<Hop> hops = trace.hops();
        assertThat(hops).allSatisfy(hop -> {
            assertThat(hop.tier()).isEqualTo("app");
            assertThat(hop.instance()).isEqualTo(INSTANCE);
        });
        assertThat(hops).extracting(h -> h.protocol() + " " + h.direction() + " " + h.summary().split(" ")[0])
                .containsExactly(
                        "FASTCGI RECEIVED BEGIN_REQUEST",
                        "FASTCGI RECEIVED PARAMS",
                        "FASTCGI RECEIVED STDIN",
                        "SQL SENT INSERT",
                        "SQL SENT SELECT",
                        "FASTCGI SENT STDOUT",
                        "FASTCGI SENT END_REQUEST");

        Hop begin = hops.get(0);
        Field header = field(begin.fields(), "Header");
        assertThat(field(header.children(), "Type").value()).isEqualTo("BEGIN_REQUEST (1)");
        assertThat(field(header.children(), "Request ID").offset()).isEqualTo(2);
        assertThat(field(begin.fields(), "Role").value()).isEqualTo("RESPONDER (1)");

        Hop params = hops.get(1);
        Field pairs = field(params.fields(), "Name-value pairs");
        Field traceparent = field(pairs.children(), "HTTP_TRACEPARENT");
        assertThat(traceparent.value()).isEqualTo(TRACEPARENT);
        assertThat(field(traceparent.children(), "Value length").value()).startsWith("55 (1 byte");
        assertThat(field(pairs.children(), "REQUEST_METHOD").value()).isEqualTo("POST");
        assertThat(field(params.fields(), "Record 1").offset()).isZero();

        Hop stdin = hops.get(2);
        assertThat(field(stdin.fields(), "Stream content").value()).contains("\"author\":\"ada\"");

        Hop insert = hops.get(3);
        assertThat(field(insert.fields(), "Statement").value())
                .isEqualTo("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)");
        assertThat(field(field(insert.fields(), "Parameters").children(), "?1").value()).isEqualTo("'ada' (VARCHAR)");
        assertThat(field(insert.fields(), "Rows").value()).isEqualTo("1");
        assertThat(field(insert.fields(), "Trace id").value()).contains(TRACE_ID);
        assertThat(insert.peer()).isEqualTo("127.0.0.1:" + storage.port());
        assertThat(field(hops.get(4).fields(), "Rows").value()).isEqualTo("1");

        Hop stdout = hops.get(5);
        Field cgi = field(stdout.fields(), "CGI response");
        assertThat(field(cgi.children(), "Status").value()).isEqualTo("201 Created");
        assertThat(field(cgi.children(), "Body").value()).contains("\"body\":\"traced\"");

        Hop end = hops.get(6);
        assertThat(field(end.fields(), "Protocol status").value()).isEqualTo("REQUEST_COMPLETE (0)");
        assertThat(field(end.fields(), "App status").offset()).isEqualTo(8);
        // hops are in time order, each one after the one before
        for (int i = 1; i < hops.size(); i++) {
            assertThat(hops.get(i).startNanos()).isGreaterThanOrEqualTo(hops.get(i - 1).startNanos());
        }
    }

    @Test
    void aRequestWithoutAValidTraceparentStillGetsItsHopsUnderAFreshTraceId() throws Exception {
        long before = recorder.recordedCount();
        RawFastCgiClient.Reply reply = post("{\"author\":\"bo\",\"body\":\"untraced\"}",
                Map.of("HTTP_TRACEPARENT", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
        assertThat(reply.httpStatus()).isEqualTo(201);

        List<Hop> mine = recorder.hops().subList((int) before, (int) recorder.recordedCount());
        assertThat(mine).hasSize(7);
        String traceId = mine.get(0).traceId();
        assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo("00000000000000000000000000000000");
        assertThat(mine).extracting(Hop::traceId).containsOnly(traceId);
        assertThat(hub.trace(traceId).hops()).hasSize(7);
    }

    @Test
    void withTracingOffNothingIsRecordedAndRequestsStillWork() throws Exception {
        recorder.setEnabled(false);
        try {
            long before = recorder.recordedCount();
            assertThat(post("{\"author\":\"cy\",\"body\":\"quiet\"}", Map.of()).httpStatus()).isEqualTo(201);
            assertThat(recorder.recordedCount()).isEqualTo(before);
        } finally {
            recorder.setEnabled(true);
        }
    }

    @Test
    void theMetricsExpositionShowsCountersMovingAfterRequests() throws Exception {
        String created = "foobar_app_requests_total{instance=\"" + INSTANCE + "\",route=\"/api/messages\",status=\"201\"}";
        String latencyCount = "foobar_app_request_duration_seconds_count{instance=\"" + INSTANCE
                + "\",route=\"/api/messages\"}";
        String insertCount = "foobar_app_db_statement_duration_seconds_count{instance=\"" + INSTANCE
                + "\",statement=\"insert\"}";
        String unknownRole = "foobar_app_protocol_errors_total{instance=\"" + INSTANCE + "\",kind=\"UNKNOWN_ROLE\"}";
        Map<String, Double> before = scrape();

        post("{\"author\":\"di\",\"body\":\"counted\"}", Map.of());
        post("{\"author\":\"di\",\"body\":\"counted again\"}", Map.of());
        try (RawFastCgiClient c = new RawFastCgiClient(app.address())) {
            c.begin(1, Role.AUTHORIZER, false);
            assertThat(c.readReply(1).protocolStatus()).isEqualTo(ProtocolStatus.UNKNOWN_ROLE);
        }

        Map<String, Double> after = scrape();
        assertThat(after.get(created) - before.getOrDefault(created, 0.0)).isEqualTo(2.0);
        assertThat(after.get(latencyCount) - before.getOrDefault(latencyCount, 0.0)).isEqualTo(2.0);
        assertThat(after.get(insertCount) - before.getOrDefault(insertCount, 0.0)).isEqualTo(2.0);
        assertThat(after.get(unknownRole) - before.getOrDefault(unknownRole, 0.0)).isEqualTo(1.0);
        assertThat(after).containsKey("foobar_app_fastcgi_connections_open{instance=\"" + INSTANCE + "\"}");
        assertThat(after.get("foobar_app_db_pool_active_connections{instance=\"" + INSTANCE + "\"}")).isZero();
        assertThat(after.get("foobar_app_db_pool_idle_connections{instance=\"" + INSTANCE + "\"}"))
                .isBetween(1.0, 2.0);
        assertThat(after).containsKey("foobar_app_db_pool_waiting_threads{instance=\"" + INSTANCE + "\"}");
        assertThat(metrics.exposition()).contains("# TYPE foobar_app_request_duration_seconds histogram");
    }

    /** The exposition as "name{labels}" to value, the way a scraper reads it. */
    private static Map<String, Double> scrape() {
        Map<String, Double> values = new HashMap<>();
        for (String line : metrics.exposition().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return values;
    }

    @Test
    void aRefusedRequestIsTracedWithItsRefusal() throws Exception {
        long before = recorder.recordedCount();
        try (RawFastCgiClient c = new RawFastCgiClient(app.address())) {
            c.begin(1, Role.FILTER, false);
            assertThat(c.readReply(1).protocolStatus()).isEqualTo(ProtocolStatus.UNKNOWN_ROLE);
        }
        List<Hop> mine = recorder.hops().subList((int) before, (int) recorder.recordedCount());
        assertThat(mine).extracting(Hop::protocol).containsOnly(Protocol.FASTCGI);
        assertThat(mine).extracting(Hop::direction).containsExactly(Direction.RECEIVED, Direction.SENT);
        assertThat(field(mine.get(0).fields(), "Role").value()).isEqualTo("FILTER (3)");
        assertThat(field(mine.get(1).fields(), "Protocol status").value()).isEqualTo("UNKNOWN_ROLE (3)");
    }
}
