package org.foobarstack.launcher.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.foobarstack.admin.HostAction;
import org.foobarstack.admin.StackControl;
import org.foobarstack.launcher.Main;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --topology distributed --processes}: four JVMs (ns1, lb-1, server-1, server-2) that share nothing but
 * the network, on 127.0.85.0/24, and this JVM their supervisor. What is checked is what a user sees from outside:
 * the balancer's answers, its stats page, DNS, and the processes themselves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessesTest {

    private static final InetSocketAddress BALANCER = new InetSocketAddress("127.0.85.10", 8080);
    private static final InetSocketAddress STATS = new InetSocketAddress("127.0.85.10", 8404);
    private static final Duration NOTICED_WITHIN = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    private static ProcessStack stack;
    private static final List<String> lines = new CopyOnWriteArrayList<>();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void startEveryHostAsAProcess() throws Exception {
        InetAddress network = InetAddress.getByName("127.0.85.0");
        Topology design = ShippedTopologies.resolve("distributed").renumbered(network);
        // the test JVM's class path, as Maven's test runner gives it
        List<String> jvm = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("surefire.test.class.path",
                        System.getProperty("java.class.path")), Main.class.getName());
        stack = new ProcessStack(jvm, design, "distributed", network, dataDir,
                new InetSocketAddress("127.0.0.1", 0), lines::add);
        try {
            stack.start(lines::add);
        } catch (RuntimeException e) {
            throw new AssertionError("the hosts did not come up; they printed:\n" + String.join("\n", lines), e);
        }
    }

    @AfterAll
    static void stopEveryProcess() {
        if (stack != null) {
            List<ProcessHandle> handles = stack.processes().stream().map(p -> ProcessHandle.of(p.pid()))
                    .flatMap(java.util.Optional::stream).toList();
            stack.close();
            assertThat(handles).as("no host outlives the supervisor's close").noneMatch(ProcessHandle::isAlive);
        }
    }

    @Test
    @Order(1)
    void everyHostIsAJvmOfItsOwnAndTheBalancerSpreadsOverTwoOfThem() throws Exception {
        Set<Long> pids = new HashSet<>();
        for (HostProcess process : stack.processes()) {
            assertThat(process.state()).as(process.name()).isEqualTo(HostProcess.State.RUNNING);
            pids.add(process.pid());
        }
        assertThat(pids).hasSize(4).doesNotContain(ProcessHandle.current().pid());
        assertThat(lines).contains("[server-2]   server-2 waits for its primary database, server-1 at 127.0.85.11:1527",
                "[lb-1] lb-1 up");

        Set<String> served = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> whoami = get(BALANCER, "/api/whoami");
            assertThat(whoami.statusCode()).isEqualTo(200);
            served.add(json.readTree(whoami.body()).path("webServer").path("instance").asText());
        }
        assertThat(served).containsExactlyInAnyOrder("web-1", "web-2");
    }

    @Test
    @Order(2)
    void aWriteOnOneServerIsReadOnTheOtherThroughTheReplicaInAnotherProcess() throws Exception {
        HttpResponse<String> written = http.send(HttpRequest.newBuilder(uri(BALANCER, "/api/messages"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"author\":\"ada\",\"body\":\"across processes\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(written.statusCode()).isEqualTo(201);
        long deadline = System.nanoTime() + NOTICED_WITHIN.toNanos();
        Set<String> sawIt = new HashSet<>();
        while (sawIt.size() < 2 && System.nanoTime() < deadline) {
            HttpResponse<String> read = get(BALANCER, "/api/messages");
            if (read.body().contains("across processes")) {
                sawIt.add(read.headers().firstValue("X-Backend-Server").orElse("?"));
            }
        }
        assertThat(sawIt).as("both web servers read the message").containsExactlyInAnyOrder("web-1", "web-2");
    }

    @Test
    @Order(3)
    void aRequestsHopsFromFourProcessesJoinIntoOneTraceAtTheSupervisor() throws Exception {
        HttpResponse<String> read = get(BALANCER, "/api/messages");
        assertThat(read.statusCode()).isEqualTo(200);
        String requestId = read.headers().firstValue("X-Request-Id").orElseThrow();
        InetSocketAddress admin = stack.admin().address();
        long deadline = System.nanoTime() + NOTICED_WITHIN.toNanos();
        Set<String> tiers = Set.of();
        List<String> hops = List.of();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> trace = get(admin, "/api/traces/" + requestId);
            if (trace.statusCode() == 200) {
                tiers = new HashSet<>();
                hops = new java.util.ArrayList<>();
                for (JsonNode hop : json.readTree(trace.body()).path("hops")) {
                    tiers.add(hop.path("tier").asText());
                    hops.add(hop.path("instance").asText() + " " + hop.path("startNanos").asLong() + " "
                            + hop.path("summary").asText());
                }
                if (tiers.containsAll(Set.of("lb", "web", "app"))) {
                    break;
                }
            }
            Thread.sleep(100); // the supervisor copies the hosts' hops every 500 ms
        }
        assertThat(tiers).as("hops of request %s at the supervisor", requestId)
                .contains("lb", "web", "app");
        Thread.sleep(2 * HopCollector.INTERVAL.toMillis()); // two more copies: none may bring a hop again
        List<String> later = new java.util.ArrayList<>();
        for (JsonNode hop : json.readTree(get(admin, "/api/traces/" + requestId).body()).path("hops")) {
            later.add(hop.path("instance").asText() + " " + hop.path("startNanos").asLong() + " "
                    + hop.path("summary").asText());
        }
        assertThat(later).as("every hop once").doesNotHaveDuplicates().containsAll(hops);
    }

    @Test
    @Order(4)
    void killingAHostsProcessIsNoticedByTheBalancerAndStartingItAgainBringsItBack() throws Exception {
        HostProcess server2 = stack.process("server-2").orElseThrow();
        long killed = server2.pid();
        String said = stack.act("server-2", HostAction.KILL);
        assertThat(said).startsWith("server-2 killed: its process " + killed + " got SIGKILL");
        assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(server2.state()).isEqualTo(HostProcess.State.KILLED);

        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get(BALANCER, "/api/messages");
            assertThat(response.statusCode()).as("request %d after the kill", i).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Backend-Server")).hasValue("web-1");
        }
        awaitStatus("web-2", "DOWN");
        JsonNode host = hostStatus("server-2");
        assertThat(host.path("state").asText()).isEqualTo("killed");
        assertThat(host.path("up").asBoolean()).isFalse();
        assertThatThrownBy(() -> stack.act("server-2", HostAction.KILL))
                .isInstanceOf(StackControl.ControlException.class).hasMessageContaining("not running");

        assertThat(stack.act("server-2", HostAction.START)).startsWith("server-2 started in");
        assertThat(server2.pid()).isNotEqualTo(killed).isPositive();
        awaitStatus("web-2", "UP");
        Set<String> served = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            served.add(get(BALANCER, "/").headers().firstValue("X-Backend-Server").orElse("?"));
        }
        assertThat(served).containsExactlyInAnyOrder("web-1", "web-2");
        assertThat(hostStatus("server-2").path("up").asBoolean()).isTrue();
    }

    @Test
    @Order(5)
    void actionsInsideAHostAreRefusedWithTheReason() {
        assertThatThrownBy(() -> stack.act("server-2", HostAction.DRAIN))
                .isInstanceOf(StackControl.ControlException.class)
                .hasMessageContaining("each host is a process of its own");
        assertThatThrownBy(() -> stack.act("server-9", HostAction.KILL))
                .isInstanceOf(StackControl.ControlException.class)
                .hasMessageContaining("no host server-9 in the topology distributed");
    }

    /** Polls the balancer's stats page (HAProxy's CSV) until {@code server}'s status is {@code status}. */
    private static void awaitStatus(String server, String status) throws Exception {
        long deadline = System.nanoTime() + NOTICED_WITHIN.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = serverStatus(server);
            if (last.startsWith(status)) {
                return;
            }
            Thread.sleep(100); // polling another process's page; the balancer checks every 2 s
        }
        throw new AssertionError(server + " was " + last + ", not " + status + ", after " + NOTICED_WITHIN);
    }

    private static String serverStatus(String server) throws Exception {
        List<String> rows = get(STATS, "/stats;csv").body().lines().toList();
        List<String> header = List.of(rows.get(0).replaceFirst("^# ", "").split(","));
        int svname = header.indexOf("svname");
        int status = header.indexOf("status");
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",", -1);
            if (cells.length > status && cells[svname].equals(server)) {
                return cells[status];
            }
        }
        throw new AssertionError("no row for " + server + " in\n" + String.join("\n", rows));
    }

    private static JsonNode hostStatus(String name) throws IOException {
        for (JsonNode host : json.valueToTree(stack.topology()).path("hosts")) {
            if (host.path("name").asText().equals(name)) {
                return host;
            }
        }
        throw new AssertionError("no host " + name);
    }

    private static HttpResponse<String> get(InetSocketAddress target, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(target, path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(InetSocketAddress target, String path) {
        return URI.create("http://" + target.getAddress().getHostAddress() + ":" + target.getPort() + path);
    }
}
