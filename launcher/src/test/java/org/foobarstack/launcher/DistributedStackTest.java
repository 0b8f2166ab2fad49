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
        // both app servers use server-1's database
        assertThat(passport.path("database").path("host").asText()).isEqualTo("127.0.91.11");
        assertThat(passport.path("database").path("reachable").asBoolean()).isTrue();
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
        stack.act("server-1", HostAction.KILL);
        // server-1 held the only database: the API fails on both servers, the static site still works
        RawHttp api = RawHttp.get(stack.front(), "/api/messages");
        assertThat(api.status()).isIn(502, 503);
        assertThat(RawHttp.get(stack.front(), "/").status()).isEqualTo(200);
        stack.act("server-1", HostAction.START);
        RawHttp messages = RawHttp.get(stack.front(), "/api/messages");
        assertThat(messages.status()).isEqualTo(200);
        assertThat(messages.body()).contains("kept");
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

    private static List<String> answers(SimpleResolver resolver, String name) throws Exception {
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        return response.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).toList();
    }
}
