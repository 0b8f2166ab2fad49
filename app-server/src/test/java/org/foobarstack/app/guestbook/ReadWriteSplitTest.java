package org.foobarstack.app.guestbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.app.AppMetrics;
import org.foobarstack.app.AppServerConfig;
import org.foobarstack.app.api.AppRequest;
import org.foobarstack.app.api.AppResponse;
import org.foobarstack.storage.StorageConfig;
import org.foobarstack.storage.StorageServer;
import org.foobarstack.storage.replication.ReplicationConfig;
import org.foobarstack.trace.Metrics;
import org.foobarstack.trace.TraceRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guestbook on a primary and a replica (real Derby servers, reached through the client driver), with a locator
 * the test controls: writes go to the primary, reads to the replica, a writer reads its own writes, and each
 * database's failure is met the way a learner would expect.
 */
@Timeout(120)
class ReadWriteSplitTest {

    @TempDir
    static Path dir;

    private static StorageServer primary;
    private static StorageServer replica;
    private static DatabaseCluster cluster;
    private static final TestLocator locator = new TestLocator();
    private static GuestbookApplication app;
    private final ObjectMapper json = new ObjectMapper();

    /** A locator whose answers the test sets, counting how often it was told to forget them. */
    static final class TestLocator implements DatabaseLocator {
        volatile String primary;
        volatile List<String> replicas = List.of();
        final AtomicInteger forgotten = new AtomicInteger();

        @Override
        public String primaryUrl() {
            return primary;
        }

        @Override
        public List<String> replicaUrls() {
            return replicas;
        }

        @Override
        public void forget() {
            forgotten.incrementAndGet();
        }
    }

    @BeforeAll
    static void start() {
        primary = new StorageServer(StorageConfig.builder().port(0).dataDir(dir.resolve("primary"))
                .replication(ReplicationConfig.PRIMARY).build());
        primary.start();
        replica = new StorageServer(StorageConfig.builder().port(0).dataDir(dir.resolve("replica"))
                .replication(ReplicationConfig.replicaOf(primary.jdbcUrl())).build());
        replica.start();
        AppServerConfig config = AppServerConfig.builder().instanceName("app-test").dbUser(primary.appUser())
                .dbPassword(primary.appPassword()).dbConnectionTimeout(Duration.ofMillis(500)).dbPoolSize(2).build();
        Map<String, Database> pools = new LinkedHashMap<>();
        pools.put(primary.jdbcUrl(), Database.open(config, "db-1", primary.jdbcUrl(), null));
        pools.put(replica.jdbcUrl(), Database.open(config, "db-2", replica.jdbcUrl(), null));
        cluster = new DatabaseCluster(pools, locator, "127.0.0.2");
        Metrics metrics = new Metrics();
        app = new GuestbookApplication(config, cluster, new TraceRecorder("app", "app-test"),
                new AppMetrics(metrics, "app-test"));
    }

    @BeforeEach
    void bothUp() {
        locator.primary = primary.jdbcUrl();
        locator.replicas = List.of(replica.jdbcUrl());
        if (replica.replicationStatus().state() == org.foobarstack.storage.replication.ReplicationStatus.State.PAUSED) {
            replica.resumeReplication();
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (replica != null) {
            replica.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    void writesGoToThePrimaryReadsToTheReplicaAndAWriterReadsItsOwnWrite() throws Exception {
        replica.pauseReplication(); // so that the replica is surely behind the write below

        AppResponse created = post("ada", "hello from the primary");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("X-Database")).isEqualTo("db-1 (primary)");
        String cookie = created.header("Set-Cookie");
        assertThat(cookie).startsWith(GuestbookApplication.POSITION_COOKIE + "=").contains("HttpOnly");
        String position = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
        long id = json.readTree(created.body()).get("id").asLong();

        AppResponse someoneElse = get("/api/messages/" + id, null);
        assertThat(someoneElse.header("X-Database")).isEqualTo("db-2 (replica)");
        assertThat(someoneElse.status()).as("the paused replica has not applied the write yet").isEqualTo(404);

        AppResponse theWriter = get("/api/messages/" + id, GuestbookApplication.POSITION_COOKIE + "=" + position);
        assertThat(theWriter.status()).isEqualTo(200);
        assertThat(theWriter.header("X-Database")).as("behind the writer's position: the primary answers")
                .isEqualTo("db-1 (primary)");

        replica.resumeReplication();
        long target = Long.parseLong(position);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (replica.replicationStatus().applied().seq() < target) {
            assertThat(System.nanoTime()).as("replica caught up").isLessThan(deadline);
            Thread.sleep(10);
        }
        AppResponse caughtUp = get("/api/messages/" + id, GuestbookApplication.POSITION_COOKIE + "=" + position);
        assertThat(caughtUp.status()).isEqualTo(200);
        assertThat(caughtUp.header("X-Database")).isEqualTo("db-2 (replica)");
        JsonNode whoami = json.readTree(get("/api/whoami", null).body());
        assertThat(whoami.at("/database/name").asText()).isEqualTo("db-2");
        assertThat(whoami.at("/database/role").asText()).isEqualTo("replica");
        assertThat(whoami.at("/database/readWriteSplit/primary").asText()).isEqualTo("db-1");
    }

    @Test
    void aWriteThatReachesAReplicaIsRefusedWith503AndThePrimaryIsLookedUpAgain() throws Exception {
        locator.primary = replica.jdbcUrl(); // as if DNS still named the replica
        int before = locator.forgotten.get();

        AppResponse refused = post("eve", "to the wrong database");

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(json.readTree(refused.body()).get("message").asText()).contains("read-only").contains("42500");
        assertThat(locator.forgotten.get()).isGreaterThan(before);
    }

    @Test
    void readsGoOnFromThePrimaryWhenNoReplicaAnswers() throws Exception {
        locator.replicas = List.of("jdbc:derby://127.0.0.1:1/nowhere"); // not one of the pools: skipped
        AppResponse list = get("/api/messages", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.header("X-Database")).isEqualTo("db-1 (primary)");
    }

    @Test
    void withThePrimaryGoneReadsGoOnFromTheReplicaAndWritesGet503() throws Exception {
        String nowhere = "jdbc:derby://127.0.0.1:1/gone";
        AppServerConfig config = AppServerConfig.builder().dbUser("u").dbPassword("p")
                .dbConnectionTimeout(Duration.ofMillis(300)).build();
        AppResponse read;
        AppResponse write;
        try (Database goneDb = Database.open(config, "db-1", nowhere, null)) {
            DatabaseCluster gone = new DatabaseCluster(Map.of(nowhere, goneDb,
                    replica.jdbcUrl(), cluster.replicas().get(0)), locator, "127.0.0.2");
            locator.primary = nowhere;
            GuestbookApplication orphan = new GuestbookApplication(config, gone, new TraceRecorder("app", "t"),
                    new AppMetrics(new Metrics(), "t"));

            read = orphan.handle(request("GET", "/api/messages", null, null));
            write = orphan.handle(request("POST", "/api/messages", "{\"author\":\"a\",\"body\":\"b\"}", null));
        }

        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("X-Database")).isEqualTo("db-2 (replica)");
        assertThat(write.status()).isEqualTo(503);
    }

    private AppResponse post(String author, String body) throws Exception {
        return app.handle(request("POST", "/api/messages",
                "{\"author\":\"" + author + "\",\"body\":\"" + body + "\"}", null));
    }

    private AppResponse get(String path, String cookie) throws Exception {
        return app.handle(request("GET", path, null, cookie));
    }

    private static AppRequest request(String method, String path, String body, String cookie) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("REQUEST_METHOD", method);
        params.put("SCRIPT_NAME", path);
        params.put("REQUEST_URI", path);
        params.put("QUERY_STRING", "");
        if (body != null) {
            params.put("CONTENT_TYPE", "application/json");
            params.put("CONTENT_LENGTH", Integer.toString(body.length()));
        }
        if (cookie != null) {
            params.put("HTTP_COOKIE", cookie);
        }
        return AppRequest.of(params, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

}
