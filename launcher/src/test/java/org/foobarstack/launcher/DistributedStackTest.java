package org.foobarstack.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.foobarstack.admin.HostAction;
import org.foobarstack.lb.LoadBalancer;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distributed design, running: its hosts on their own addresses (moved to 127.0.91.x and free ports, so that
 * the test never meets a running stack), the zone written from the topology, the balancer in front of two
 * servers, and host control through the stack and through its admin server with the token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedStackTest {

    @TempDir
    static Path data;

    static Stack stack;
    static Topology topology;

    @BeforeAll
    static void start() {
        topology = ShippedTopologies.load("distributed").relocated(91).withEphemeralPorts();
        stack = new Stack(StackConfig.builder().topology(topology).adminPort(0).dataDir(data).build());
        stack.start(line -> { });
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void eachHostRunsItsTiersOnItsOwnAddressAndDataDirectory() {
        assertThat(stack.hosts()).extracting(h -> h.name() + "@" + h.spec().address().getHostAddress())
                .containsExactly("ns1@127.0.91.2", "lb-1@127.0.91.10", "server-1@127.0.91.11", "server-2@127.0.91.12");
        assertThat(stack.balancer().address().getAddress().getHostAddress()).isEqualTo("127.0.91.10");
        assertThat(stack.host("server-2").orElseThrow().dataDirectory())
                .isEqualTo(data.resolve("distributed").resolve("server-2"));
        assertThat(data.resolve("distributed/server-1/storage/foobar")).isDirectory();
        assertThat(data.resolve("distributed/server-2/storage/foobar")).isDirectory();
    }

    @Test
    @Order(2)
    void theZoneIsWrittenFromTheTopology() throws Exception {
        SimpleResolver resolver = new SimpleResolver(stack.dns().udpAddress());
        resolver.setTimeout(Duration.ofSeconds(3));
        assertThat(answers(resolver, "www.foobar.com.")).containsExactly("127.0.91.10");
        assertThat(answers(resolver, "server-2.foobar.com.")).containsExactly("127.0.91.12");
        assertThat(answers(resolver, "ns1.foobar.com.")).containsExactly("127.0.91.2");
        assertThat(Files.readString(data.resolve("distributed/ns1/dns/zones/foobar.com.zone")))
                .contains("the load balancer lb-1");
    }

    @Test
    @Order(3)
    void theBalancerSpreadsRequestsAndTheServersSeeWhoCalled() throws Exception {
        Set<String> webServers = new HashSet<>();
        JsonNode passport = null;
        for (int i = 0; i < 4; i++) {
            RawHttp whoami = RawHttp.get(stack.front(), "/api/whoami");
            assertThat(whoami.status()).isEqualTo(200);
            passport = new ObjectMapper().readTree(whoami.body());
            webServers.add(passport.path("webServer").path("instance").asText());
            assertThat(whoami.header("X-Backend-Server")).isEqualTo(passport.path("webServer").path("instance").asText());
        }
        assertThat(webServers).containsExactlyInAnyOrder("web-1", "web-2");
        // the web server's peer is the balancer, and the client is named in X-Forwarded-For
        assertThat(passport.path("client").path("remoteAddr").asText()).isEqualTo("127.0.91.10");
        assertThat(passport.path("client").path("address").asText()).isEqualTo("127.0.0.1");
        assertThat(passport.path("client").path("via").asText()).isEqualTo("1.1 lb-1");
        // the web server reached its app server from its own host's address
        String web = passport.path("webServer").path("instance").asText();
        String host = web.equals("web-1") ? "127.0.91.11" : "127.0.91.12";
        assertThat(passport.path("webServer").path("fastcgiPeer").asText()).startsWith(host + ":");
        // reads go to the replica, server-2's database, whichever app server asks; writes to server-1's
        assertThat(passport.path("database").path("name").asText()).isEqualTo("db-2");
        assertThat(passport.path("database").path("role").asText()).isEqualTo("replica");
        assertThat(passport.path("database").path("host").asText()).isEqualTo("127.0.91.12");
        assertThat(passport.path("database").path("reachable").asBoolean()).isTrue();
        assertThat(passport.path("database").path("readWriteSplit").path("primary").asText()).isEqualTo("db-1");
    }

    @Test
    @Order(4)
    void killingOneServerCostsNothingAndStartingItBringsItBack() throws Exception {
        LoadBalancer lb = stack.balancer();
        CountDownLatch down = new CountDownLatch(1);
        CountDownLatch up = new CountDownLatch(1);
        lb.onTransition(t -> {
            if (t.server().name().equals("web-2")) {
                (t.nowUp() ? up : down).countDown();
            }
        });
        String result = stack.act("server-2", HostAction.KILL);
        assertThat(result).contains("server-2 killed").contains("web-2");
        for (int i = 0; i < 6; i++) {
            RawHttp response = RawHttp.get(stack.front(), "/api/messages");
            assertThat(response.status()).as("request %d after the kill", i).isEqualTo(200);
            assertThat(response.header("X-Backend-Server")).isEqualTo("web-1");
        }
        assertThat(down.await(10, TimeUnit.SECONDS)).as("the balancer took web-2 out").isTrue();
        JsonNode topologyJson = new ObjectMapper().readTree(RawHttp.get(stack.admin().address(), "/api/topology").body());
        JsonNode server2 = topologyJson.path("hosts").get(3);
        assertThat(server2.path("name").asText()).isEqualTo("server-2");
        assertThat(server2.path("state").asText()).isEqualTo("killed");
        assertThat(server2.path("up").asBoolean()).isFalse();
        assertThat(topologyJson.path("balancers").get(0).path("servers").get(1).path("status").asText())
                .isEqualTo("DOWN");

        stack.act("server-2", HostAction.START);
        assertThat(up.await(15, TimeUnit.SECONDS)).as("rise 2 passed checks bring web-2 back").isTrue();
        Set<String> served = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            served.add(RawHttp.get(stack.front(), "/").header("X-Backend-Server"));
        }
        assertThat(served).containsExactlyInAnyOrder("web-1", "web-2");
    }

    @Test
    @Order(5)
    void theDatabaseHostTakesItsDataBackWithIt() throws Exception {
        assertThat(RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"ada\",\"body\":\"kept\"}")
                .status()).isEqualTo(201);
        CountDownLatch web1Up = new CountDownLatch(1);
        stack.balancer().onTransition(t -> {
            if (t.server().name().equals("web-1") && t.nowUp()) {
                web1Up.countDown();
            }
        });
        awaitReplicaCaughtUp();
        stack.act("server-1", HostAction.KILL);
        // server-1 held the primary: reads go on from server-2's replica, writes fail until it is back
        RawHttp read = RawHttp.get(stack.front(), "/api/messages");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).contains("kept");
        assertThat(read.header("X-Database")).isEqualTo("db-2 (replica)");
        RawHttp write = RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"bob\",\"body\":\"lost\"}");
        assertThat(write.status()).isEqualTo(503);
        assertThat(RawHttp.get(stack.front(), "/").status()).isEqualTo(200);
        stack.act("server-1", HostAction.START);
        RawHttp again = RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"bob\",\"body\":\"back\"}");
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("X-Database")).isEqualTo("db-1 (primary)");
        // the balancer may have taken web-1 out while server-1 was down; its checks bring it back
        if (!stack.balancer().backend().server("web-1").orElseThrow().usable()) {
            assertThat(web1Up.await(15, TimeUnit.SECONDS)).as("web-1 back at the balancer").isTrue();
        }
    }

    @Test
    @Order(6)
    void hostActionsThroughTheAdminServerNeedTheToken() throws Exception {
        InetSocketAddress admin = stack.admin().address();
        String token = Files.readString(stack.tokenFile()).trim();
        assertThat(token).isEqualTo(stack.token()).hasSize(48);
        RawHttp refused = RawHttp.send(admin, "POST /api/hosts/server-2/drain HTTP/1.1\r\nHost: a\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(refused.status()).isEqualTo(401);
        RawHttp drained = RawHttp.send(admin, "POST /api/hosts/server-2/drain HTTP/1.1\r\nHost: a\r\n"
                + "Authorization: Bearer " + token + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertThat(drained.status()).isEqualTo(200);
        assertThat(drained.body()).contains("server-2 is DRAIN at lb-1");
        for (int i = 0; i < 4; i++) {
            assertThat(RawHttp.get(stack.front(), "/").header("X-Backend-Server")).isEqualTo("web-1");
        }

        StringWriter out = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).execute("ctl", "ready", "server-2",
                "--admin", "http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort(),
                "--token-file", stack.tokenFile().toString());
        assertThat(code).isZero();
        assertThat(out.toString()).contains("server-2 is READY at lb-1");

        StringWriter status = new StringWriter();
        Main.commandLine().setOut(new PrintWriter(status)).execute("ctl", "status", "--admin",
                "http://" + admin.getAddress().getHostAddress() + ":" + admin.getPort());
        assertThat(status.toString()).contains("topology distributed")
                .containsPattern("server-2\\s+127\\.0\\.91\\.12\\s+running\\s+yes")
                .containsPattern("web-2\\s+server-2\\s+127\\.0\\.91\\.12:\\d+\\s+UP\\s+READY");
    }

    /** The rdata of the answers of type {@code type} to a query of that type. */
    private static List<String> records(SimpleResolver resolver, String name, int type) throws Exception {
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
        return response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type)
                .map(Record::rdataToString).toList();
    }

    private static List<String> answers(SimpleResolver resolver, String name) throws Exception {
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        return response.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).toList();
    }

    @Test
    @Order(7)
    void theDatabaseNamesInDnsSayWhichIsThePrimaryAndWhichAreReplicas() throws Exception {
        SimpleResolver resolver = new SimpleResolver(stack.dns().udpAddress());
        resolver.setTimeout(Duration.ofSeconds(3));
        assertThat(records(resolver, "db.foobar.com.", Type.CNAME)).containsExactly("server-1.foobar.com.");
        assertThat(answers(resolver, "replicas.db.foobar.com.")).containsExactly("127.0.91.12");
    }

    @Test
    @Order(8)
    void aPausedReplicaMissesANewMessageExceptForItsWriterAndCatchesUpOnResume() throws Exception {
        awaitReplicaCaughtUp();
        assertThat(stack.act("server-2", HostAction.PAUSE_REPLICATION)).contains("paused");
        RawHttp posted = RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"cy\",\"body\":\"fresh\"}");
        assertThat(posted.status()).isEqualTo(201);
        String cookie = posted.header("Set-Cookie");
        assertThat(cookie).startsWith("foobar_db_position=");
        long id = new ObjectMapper().readTree(posted.body()).get("id").asLong();

        RawHttp other = RawHttp.get(stack.front(), "/api/messages/" + id);
        assertThat(other.status()).as("another reader, on the paused replica").isEqualTo(404);
        assertThat(other.header("X-Database")).isEqualTo("db-2 (replica)");
        RawHttp writer = RawHttp.send(stack.front(), "GET /api/messages/" + id + " HTTP/1.1\r\nHost: www.foobar.com\r\n"
                + "Cookie: " + cookie.substring(0, cookie.indexOf(';')) + "\r\nConnection: close\r\n\r\n");
        assertThat(writer.status()).as("the writer reads its own write, from the primary").isEqualTo(200);
        assertThat(writer.header("X-Database")).isEqualTo("db-1 (primary)");
        JsonNode db2 = database("server-2");
        assertThat(db2.path("replication").path("state").asText()).isEqualTo("paused");
        assertThat(db2.path("replication").path("lagTransactions").asLong()).isPositive();

        assertThat(stack.act("server-2", HostAction.RESUME_REPLICATION)).contains("resumed");
        awaitReplicaCaughtUp();
        assertThat(RawHttp.get(stack.front(), "/api/messages/" + id).status()).isEqualTo(200);
    }

    @Test
    @Order(9)
    void promotingTheReplicaAfterThePrimaryDiesBringsWritesBackAndTheOldPrimaryIsReattachedFromACopy()
            throws Exception {
        awaitReplicaCaughtUp();
        stack.act("server-1", HostAction.KILL);
        assertThat(RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"dee\",\"body\":\"x\"}").status())
                .isEqualTo(503);

        String promoted = stack.act("server-2", HostAction.PROMOTE);
        assertThat(promoted).contains("server-2 is the primary").contains("server-1 is down: it will start fenced");

        RawHttp written = RawHttp.postJson(stack.front(), "/api/messages", "{\"author\":\"dee\",\"body\":\"after\"}");
        assertThat(written.status()).isEqualTo(201);
        assertThat(written.header("X-Database")).isEqualTo("db-2 (primary)");
        SimpleResolver resolver = new SimpleResolver(stack.dns().udpAddress());
        assertThat(records(resolver, "db.foobar.com.", Type.CNAME)).containsExactly("server-2.foobar.com.");
        assertThat(data.resolve("distributed/db-primary")).hasContent("server-2");

        stack.act("server-1", HostAction.START);
        assertThat(database("server-1").path("replication").path("role").asText())
                .as("a former primary comes back fenced").isEqualTo("fenced");
        String reattached = stack.act("server-1", HostAction.REATTACH);
        assertThat(reattached).contains("replica of server-2 from a fresh copy");
        assertThat(database("server-1").path("replication").path("role").asText()).isEqualTo("replica");
        assertThat(answers(resolver, "replicas.db.foobar.com.")).containsExactly("127.0.91.11");
        assertThat(RawHttp.get(stack.front(), "/api/messages").body()).contains("after");
    }

    /** A host's db tier as /api/topology shows it. */
    private static JsonNode database(String host) throws Exception {
        JsonNode topologyJson = new ObjectMapper().readTree(RawHttp.get(stack.admin().address(), "/api/topology").body());
        for (JsonNode h : topologyJson.path("hosts")) {
            if (h.path("name").asText().equals(host)) {
                for (JsonNode tier : h.path("tiers")) {
                    if (tier.path("role").asText().equals("db")) {
                        return tier;
                    }
                }
            }
        }
        throw new AssertionError(host + " has no db tier in /api/topology");
    }

    /** Waits until server-2's replica has applied everything server-1's primary has logged. */
    private static void awaitReplicaCaughtUp() throws InterruptedException {
        var primary = ((org.foobarstack.launcher.hosts.DbTierRuntime) stack.context()
                .tier(stack.context().dbCluster().orElseThrow().primary(), org.foobarstack.topology.Role.DB)).server();
        var replica = ((org.foobarstack.launcher.hosts.DbTierRuntime) stack.context()
                .tier("server-2", org.foobarstack.topology.Role.DB)).server();
        long target = primary.logHead().seq();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (replica.replicationStatus().applied().seq() < target) {
            assertThat(System.nanoTime()).as("the replica caught up").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
