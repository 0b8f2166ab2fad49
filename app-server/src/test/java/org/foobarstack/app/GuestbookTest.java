package org.foobarstack.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.app.guestbook.AppVersion;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The foobar.com application behind the real responder, on a real Derby Network Server reached through the
 * client driver: every request here travels as FastCGI records and every answer comes from SQL.
 */
class GuestbookTest {

    @TempDir
    static Path dataDir;

    private static StorageServer storage;
    private static AppServer app;
    private static int storagePort;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void startTiers() {
        storage = new StorageServer(StorageConfig.builder().host("127.0.0.1").port(0).dataDir(dataDir)
                .lockWaitTimeout(Duration.ofSeconds(1)).build());
        storage.start();
        storagePort = storage.port();
        app = new AppServer(AppServerConfig.builder().port(0).instanceName("app-test")
                .jdbcUrl(storage.jdbcUrl()).dbUser(storage.appUser()).dbPassword(storage.appPassword())
                .dbConnectionTimeout(Duration.ofMillis(1000)).workerThreads(4).dbPoolSize(4).build());
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

    private RawFastCgiClient.Reply call(String method, String uri, String contentType, String body,
                                        Map<String, String> extra) throws Exception {
        return call(app, method, uri, contentType, body, extra);
    }

    private RawFastCgiClient.Reply callOn(AppServer server, String method, String uri) throws Exception {
        return call(server, method, uri, null, null, Map.of());
    }

    private RawFastCgiClient.Reply call(AppServer server, String method, String uri, String contentType, String body,
                                        Map<String, String> extra) throws Exception {
        try (RawFastCgiClient c = new RawFastCgiClient(server.address())) {
            int q = uri.indexOf('?');
            Map<String, String> params = RawFastCgiClient.cgi(method, q < 0 ? uri : uri.substring(0, q));
            params.put("REQUEST_URI", uri);
            params.put("QUERY_STRING", q < 0 ? "" : uri.substring(q + 1));
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (contentType != null) {
                params.put("CONTENT_TYPE", contentType);
            }
            params.put("CONTENT_LENGTH", Integer.toString(bytes.length));
            params.putAll(extra);
            c.sendRequest(1, false, params, bytes);
            return c.readReply(1);
        }
    }

    private RawFastCgiClient.Reply get(String uri) throws Exception {
        return call("GET", uri, null, null, Map.of());
    }

    private RawFastCgiClient.Reply postJson(String body) throws Exception {
        return call("POST", "/api/messages", "application/json", body, Map.of());
    }

    private JsonNode parse(RawFastCgiClient.Reply reply) throws Exception {
        assertThat(reply.header("Content-Type")).isEqualTo("application/json");
        return json.readTree(reply.body());
    }

    @Test
    void aPostedMessageIsStoredListedAndFoundById() throws Exception {
        // the database's clock and this one are the same machine's, but CREATED_AT keeps only what Derby stores
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        RawFastCgiClient.Reply created = postJson("{\"author\":\"ada\",\"body\":\"hi <b>there</b> & \\u00e9\"}");
        assertThat(created.httpStatus()).isEqualTo(201);
        JsonNode message = parse(created);
        long id = message.get("id").asLong();
        assertThat(id).isPositive();
        assertThat(message.get("author").asText()).isEqualTo("ada");
        assertThat(message.get("body").asText()).isEqualTo("hi <b>there</b> & \u00e9");
        assertThat(message.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(Instant.parse(message.get("createdAt").asText())).isBetween(before, Instant.now());
        assertThat(created.header("Location")).isEqualTo("/api/messages/" + id);

        JsonNode list = parse(get("/api/messages"));
        assertThat(list.get("messages").get(0).get("id").asLong()).isEqualTo(id);
        assertThat(list.get("messages").get(0).get("body").asText()).isEqualTo("hi <b>there</b> & \u00e9");

        RawFastCgiClient.Reply one = get("/api/messages/" + id);
        assertThat(one.httpStatus()).isEqualTo(200);
        assertThat(parse(one)).isEqualTo(message);
    }

    @Test
    void aFormPostIsDecodedAsUtf8() throws Exception {
        RawFastCgiClient.Reply created = call("POST", "/api/messages",
                "application/x-www-form-urlencoded; charset=UTF-8", "author=grace+h&body=caf%C3%A9+%26+tea",
                Map.of());
        assertThat(created.httpStatus()).isEqualTo(201);
        JsonNode message = parse(created);
        assertThat(message.get("author").asText()).isEqualTo("grace h");
        assertThat(message.get("body").asText()).isEqualTo("caf\u00e9 & tea");
    }

    @Test
    void messagesArePagedNewestFirst() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(parse(postJson("{\"author\":\"pager\",\"body\":\"m" + i + "\"}")).get("id").asLong());
        }
        long after = ids.get(4) + 1;
        JsonNode first = parse(get("/api/messages?limit=2&before=" + after));
        assertThat(first.get("messages")).extracting(m -> m.get("body").asText()).containsExactly("m4", "m3");
        assertThat(first.get("limit").asInt()).isEqualTo(2);
        long next = first.get("nextBefore").asLong();
        assertThat(next).isEqualTo(ids.get(3));
        JsonNode second = parse(get("/api/messages?limit=2&before=" + next));
        assertThat(second.get("messages")).extracting(m -> m.get("body").asText()).containsExactly("m2", "m1");
        assertThat(get("/api/messages?limit=0").httpStatus()).isEqualTo(400);
        assertThat(get("/api/messages?limit=101").httpStatus()).isEqualTo(400);
        assertThat(get("/api/messages?before=abc").httpStatus()).isEqualTo(400);
    }

    @Test
    void invalidMessagesAreRefusedWithTheFittingStatus() throws Exception {
        assertError(postJson("{\"body\":\"no author\"}"), 422, "author is missing");
        assertError(postJson("{\"author\":\"   \",\"body\":\"x\"}"), 422, "author must not be blank");
        assertError(postJson("{\"author\":\"a\",\"body\":\"" + "b".repeat(2001) + "\"}"), 422, "at most 2000");
        assertError(postJson("{\"author\":\"" + "a".repeat(65) + "\",\"body\":\"b\"}"), 422, "at most 64");
        assertError(postJson("{\"author\":7,\"body\":\"b\"}"), 422, "author is missing");
        assertError(postJson("{\"author\":\"a\","), 400, "malformed JSON");
        assertError(postJson("[1,2]"), 400, "JSON object");
        assertError(call("POST", "/api/messages", "text/plain", "author=a&body=b", Map.of()), 415, "text/plain");
        assertError(call("POST", "/api/messages", null, "x", Map.of()), 415, "application/json");
        assertError(postJson("{\"author\":\"a\",\"body\":\"" + "b".repeat(17_000) + "\"}"), 413, "16384");
    }

    @Test
    void wrongMethodsAndUnknownPathsAreAnsweredInJson() throws Exception {
        RawFastCgiClient.Reply put = call("PUT", "/api/messages", "application/json", "{}", Map.of());
        assertError(put, 405, "PUT");
        assertThat(put.header("Allow")).isEqualTo("GET, HEAD, POST");
        RawFastCgiClient.Reply delete = call("DELETE", "/api/messages/1", null, null, Map.of());
        assertError(delete, 405, "DELETE");
        assertThat(delete.header("Allow")).isEqualTo("GET, HEAD");
        assertError(get("/api/nothing-here"), 404, "/api/nothing-here");
        assertError(get("/api/messages/999999999"), 404, "999999999");
        assertError(get("/api/messages/abc"), 404, "abc");
    }

    @Test
    void whoamiReportsEveryTierOfTheRequestsPath() throws Exception {
        RawFastCgiClient.Reply reply = call("GET", "/api/whoami", null, null, Map.of(
                "SERVER_NAME", "www.foobar.com", "SERVER_ADDR", "127.0.0.1", "SERVER_PORT", "8080",
                "SERVER_SOFTWARE", "foobar-stack", "REMOTE_ADDR", "127.0.0.9", "TRACE_ID", "trace-42",
                "WEB_SERVER_NAME", "web-7"));
        assertThat(reply.httpStatus()).isEqualTo(200);
        JsonNode passport = parse(reply);
        assertThat(passport.get("requestId").asText()).isEqualTo("trace-42");
        assertThat(passport.at("/client/remoteAddr").asText()).isEqualTo("127.0.0.9");
        assertThat(passport.at("/webServer/serverName").asText()).isEqualTo("www.foobar.com");
        assertThat(passport.at("/webServer/serverPort").asText()).isEqualTo("8080");
        assertThat(passport.at("/webServer/serverSoftware").asText()).isEqualTo("foobar-stack");
        assertThat(passport.at("/webServer/instance").asText()).isEqualTo("web-7");
        assertThat(passport.at("/appServer/instance").asText()).isEqualTo("app-test");
        assertThat(passport.at("/appServer/address").asText()).isEqualTo("127.0.0.1:" + app.address().getPort());
        assertThat(passport.at("/database/reachable").asBoolean()).isTrue();
        assertThat(passport.at("/database/product").asText()).isEqualTo("Apache Derby");
        assertThat(passport.at("/database/version").asText()).startsWith("10.16");
        assertThat(passport.at("/database/host").asText()).isEqualTo("127.0.0.1");
        assertThat(passport.at("/database/port").asInt()).isEqualTo(storagePort);

        JsonNode traced = parse(call("GET", "/api/whoami", null, null, Map.of(
                "HTTP_TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")));
        assertThat(traced.get("requestId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(traced.get("requestIdSource").asText()).isEqualTo("traceparent header");
        assertThat(traced.at("/webServer/instance").isNull()).as("a web server that does not name itself").isTrue();
        JsonNode generated = parse(get("/api/whoami"));
        assertThat(generated.get("requestId").asText()).matches("[0-9a-f]{32}");
        assertThat(generated.get("requestId").asText()).isNotEqualTo(parse(get("/api/whoami")).get("requestId").asText());
    }

    /** Version 1 names itself on every answer, the errors too, and says nothing about how many messages there are. */
    @Test
    void version1NamesItselfOnEveryAnswerAndSendsNoCount() throws Exception {
        RawFastCgiClient.Reply list = get("/api/messages");
        assertThat(list.httpStatus()).isEqualTo(200);
        assertThat(list.header("X-App-Version")).isEqualTo("v1");
        assertThat(list.header("X-Message-Count")).isNull();
        RawFastCgiClient.Reply missing = get("/api/no-such-thing");
        assertThat(missing.httpStatus()).isEqualTo(404);
        assertThat(missing.header("X-App-Version")).isEqualTo("v1");
        JsonNode passport = parse(get("/api/whoami"));
        assertThat(passport.get("version").asText()).isEqualTo("v1");
        assertThat(passport.get("capacity")).isEqualTo(json.readTree("{\"emulated\":false}"));
    }

    /**
     * Version 2, on the same database: the list carries X-Message-Count, the number of all messages, which grows by
     * one with each post; its JSON is byte for byte what version 1 sends, so a v1 client cannot break on it.
     */
    @Test
    void version2CountsTheMessagesAndKeepsTheJsonOfVersion1() throws Exception {
        AppServer v2 = new AppServer(AppServerConfig.builder().port(0).instanceName("app-v2")
                .jdbcUrl(storage.jdbcUrl()).dbUser(storage.appUser()).dbPassword(storage.appPassword())
                .workerThreads(2).dbPoolSize(2).appVersion(AppVersion.V2).build());
        v2.start();
        try {
            assertThat(v2.version()).isEqualTo(AppVersion.V2);
            assertThat(postJson("{\"author\":\"v1 writer\",\"body\":\"counted by v2\"}").httpStatus()).isEqualTo(201);
            RawFastCgiClient.Reply fromV2 = callOn(v2, "GET", "/api/messages?limit=3");
            RawFastCgiClient.Reply fromV1 = get("/api/messages?limit=3");
            assertThat(fromV2.header("X-App-Version")).isEqualTo("v2");
            assertThat(fromV2.header("X-Message-Count")).isEqualTo(Long.toString(messagesInTheDatabase()));
            assertThat(fromV2.body()).isEqualTo(fromV1.body());

            long before = Long.parseLong(fromV2.header("X-Message-Count"));
            RawFastCgiClient.Reply posted = call(v2, "POST", "/api/messages", "application/json",
                    "{\"author\":\"v2 writer\",\"body\":\"one more\"}", Map.of());
            assertThat(posted.httpStatus()).isEqualTo(201);
            assertThat(posted.header("X-App-Version")).isEqualTo("v2");
            assertThat(callOn(v2, "HEAD", "/api/messages").header("X-Message-Count"))
                    .isEqualTo(Long.toString(before + 1));
            assertThat(parse(callOn(v2, "GET", "/api/whoami")).get("version").asText()).isEqualTo("v2");
        } finally {
            v2.close();
        }
    }

    /**
     * With an emulated capacity the passport shows it: workers, service time, queue, the rate they allow, and the
     * real cost of recent requests, which is unknown until one has finished.
     */
    @Test
    void thePassportShowsTheEmulatedCapacityAndWhatRequestsReallyCost() throws Exception {
        AppServer small = new AppServer(AppServerConfig.builder().port(0).instanceName("app-small")
                .jdbcUrl(storage.jdbcUrl()).dbUser(storage.appUser()).dbPassword(storage.appPassword())
                .dbPoolSize(2).capacity(Capacity.parse("2x20ms,queue=3")).build());
        small.start();
        try {
            JsonNode first = parse(callOn(small, "GET", "/api/whoami")).get("capacity");
            assertThat(first.get("emulated").asBoolean()).isTrue();
            assertThat(first.get("workers").asInt()).isEqualTo(2);
            assertThat(first.get("service_time_ms").asDouble()).isEqualTo(20.0);
            assertThat(first.get("queue").asInt()).isEqualTo(3);
            assertThat(first.get("max_rps").asDouble()).isEqualTo(100.0);
            assertThat(first.get("note").asText())
                    .isEqualTo("every host shares this machine's cores: this limit is emulated");
            assertThat(first.get("real_cost_ms").isNull()).as("no request had finished yet").isTrue();

            JsonNode second = parse(callOn(small, "GET", "/api/whoami")).get("capacity");
            assertThat(second.get("real_cost_ms").isNumber()).isTrue();
            assertThat(second.get("real_cost_ms").asDouble()).isPositive();
        } finally {
            small.close();
        }
    }

    private static long messagesInTheDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(storage.jdbcUrl(), storage.appUser(), storage.appPassword());
             Statement count = c.createStatement();
             ResultSet rs = count.executeQuery("SELECT COUNT(*) FROM MESSAGES")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A read behind a lock another transaction holds waits the storage tier's lock-wait timeout (1 s here, not
     * Derby's default 60 s, which its query timeout does not cut short) and is answered 503 "busy"; its connection
     * goes back to the pool in good order and the next request is served.
     */
    @Test
    void aReadBehindAHeldLockIsA503AfterTheLockWaitTimeoutAndTheNextRequestIsServed() throws Exception {
        AppServer impatient = new AppServer(AppServerConfig.builder().port(0).instanceName("app-impatient")
                .jdbcUrl(storage.jdbcUrl()).dbUser(storage.appUser()).dbPassword(storage.appPassword())
                .statementTimeout(Duration.ofSeconds(1)).workerThreads(1).dbPoolSize(1).build());
        impatient.start();
        try (Connection locker = DriverManager.getConnection(storage.jdbcUrl(), storage.appUser(),
                storage.appPassword())) {
            // another transaction holds MESSAGES exclusively: a read of it waits for the lock
            locker.setAutoCommit(false);
            RawFastCgiClient.Reply blocked;
            Duration waited;
            try (Statement lock = locker.createStatement()) {
                lock.execute("LOCK TABLE MESSAGES IN EXCLUSIVE MODE");
                long start = System.nanoTime();
                blocked = callOn(impatient, "GET", "/api/messages");
                waited = Duration.ofNanos(System.nanoTime() - start);
            } finally {
                // whatever happened, the lock goes: the other tests of this class share the table
                locker.rollback();
            }
            assertThat(blocked.httpStatus()).isEqualTo(503);
            assertThat(blocked.header("Retry-After")).isEqualTo("1");
            assertThat(blocked.body()).contains("the database is busy").contains("SQLState 40XL1");
            assertThat(waited).isLessThan(Duration.ofSeconds(15));
            assertThat(callOn(impatient, "GET", "/api/messages").httpStatus()).isEqualTo(200);
        } finally {
            impatient.close();
        }
    }

    @Test
    void whileTheDatabaseIsDownTheAppAnswers503AndRecoversWithoutRestart() throws Exception {
        long id = parse(postJson("{\"author\":\"survivor\",\"body\":\"before the outage\"}")).get("id").asLong();
        storage.close();
        try {
            RawFastCgiClient.Reply down = get("/api/messages");
            assertError(down, 503, "database is unavailable");
            assertThat(down.header("Retry-After")).isEqualTo("1");
            assertError(postJson("{\"author\":\"a\",\"body\":\"b\"}"), 503, "database is unavailable");
            JsonNode passport = parse(get("/api/whoami"));
            assertThat(passport.at("/database/reachable").asBoolean()).isFalse();
        } finally {
            storage = new StorageServer(StorageConfig.builder().host("127.0.0.1").port(storagePort)
                    .lockWaitTimeout(Duration.ofSeconds(1)).dataDir(dataDir).build());
            storage.start();
        }
        // The pool reconnects in the background with a growing back-off (at most dbConnectionTimeout between
        // attempts): the database tier is back now, and the app must follow within a few attempts, unrestarted.
        RawFastCgiClient.Reply back = get("/api/messages/" + id);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (back.httpStatus() == 503 && System.nanoTime() < deadline) {
            back = get("/api/messages/" + id);
        }
        assertThat(back.httpStatus()).isEqualTo(200);
        assertThat(parse(back).get("body").asText()).isEqualTo("before the outage");
        assertThat(postJson("{\"author\":\"a\",\"body\":\"after the outage\"}").httpStatus()).isEqualTo(201);
    }

    private void assertError(RawFastCgiClient.Reply reply, int status, String messagePart) throws Exception {
        assertThat(reply.httpStatus()).as(reply.stdout()).isEqualTo(status);
        JsonNode error = parse(reply);
        assertThat(error.get("status").asInt()).isEqualTo(status);
        assertThat(error.get("message").asText()).contains(messagePart);
    }
}
