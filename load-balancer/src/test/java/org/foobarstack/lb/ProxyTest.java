package org.foobarstack.lb;

import org.foobarstack.lb.backend.Server;
import org.foobarstack.lb.backend.ServerStats;
import org.foobarstack.lb.config.RetryOn;
import org.foobarstack.lb.config.ServerConfig;
import org.foobarstack.lb.config.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balancer as an HTTP proxy, over real sockets: what it adds to and removes from messages, how it frames
 * bodies, how it keeps connections, and what the client gets when a server fails.
 */
class ProxyTest {

    @RegisterExtension
    final Opened opened = new Opened();

    private TestBackend backend(String name) {
        return opened.backend(name);
    }

    private LoadBalancer balancer(java.util.function.UnaryOperator<org.foobarstack.lb.config.BalancerConfig.Builder> c,
                                  TestBackend... backends) {
        return opened.balancer(c, backends);
    }

    // ------------------------------------------------------------------ what the server receives

    @Test
    void theServerLearnsWhoTheClientIsAndTheClientLearnsWhichServerAnswered() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        RawClient.Response response;
        try (RawClient client = new RawClient(lb.address())) {
            response = client.request("GET /echo HTTP/1.1\r\nHost: www.foobar.com\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\n"
                    + "traceparent: 00-" + traceId + "-00f067aa0ba902b7-01\r\n\r\n", "GET");
        }
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Backend-Server")).isEqualTo("web-1");
        assertThat(response.header("Via")).isEqualTo("1.1 lb-test");
        TestBackend.Received received = web.received.get(0);
        assertThat(received.head().fields().get("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(received.head().fields().get("x-forwarded-proto")).isEqualTo("http");
        assertThat(received.head().fields().get("forwarded"))
                .isEqualTo("for=127.0.0.1;by=127.0.0.1;proto=http;host=www.foobar.com");
        assertThat(received.head().fields().get("via")).isEqualTo("1.1 lb-test");
        assertThat(received.head().fields().get("host")).isEqualTo("www.foobar.com");
        // the same trace, one hop further down: a child context with the client's trace id
        assertThat(received.head().fields().get("traceparent")).startsWith("00-" + traceId + "-")
                .doesNotContain("00f067aa0ba902b7");
        // the balancer connects from its own address, so the server sees who called it
        assertThat(received.from().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void hopByHopFieldsStayOnTheirOwnHop() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            client.request("GET /echo HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: for this hop only\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Proxy-Connection: keep-alive\r\nX-Kept: yes\r\n\r\n", "GET");
        }
        var fields = web.received.get(0).head().fields();
        assertThat(fields.contains("x-secret")).isFalse();
        assertThat(fields.contains("keep-alive")).isFalse();
        assertThat(fields.contains("te")).isFalse();
        assertThat(fields.contains("proxy-connection")).isFalse();
        assertThat(fields.contains("connection")).isFalse();
        assertThat(fields.get("x-kept")).isEqualTo("yes");
    }

    @Test
    void anAbsoluteFormTargetReachesTheServerInOriginFormWithItsHost() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            client.request("GET http://www.foobar.com/echo?x=1 HTTP/1.1\r\nHost: other\r\n\r\n", "GET");
        }
        assertThat(web.received.get(0).head().target().raw()).isEqualTo("/echo?x=1");
        assertThat(web.received.get(0).head().fields().get("host")).isEqualTo("www.foobar.com");
    }

    @Test
    void requestBodiesArriveIntactWhateverTheirFraming() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            RawClient.Response fixed = client.request("POST /echo HTTP/1.1\r\nHost: www.foobar.com\r\n"
                    + "Content-Length: 5\r\n\r\nhello", "POST");
            RawClient.Response chunked = client.request("POST /echo HTTP/1.1\r\nHost: www.foobar.com\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n", "POST");
            assertThat(fixed.body()).contains("content-length: 5").endsWith("\n\nhello");
            assertThat(chunked.body()).contains("transfer-encoding: chunked").endsWith("\n\nhello world");
        }
        assertThat(web.received).extracting(TestBackend.Received::body).containsExactly("hello", "hello world");
    }

    @Test
    void aClientThatExpectsContinueGetsItFromTheBalancerAndItsBodyGoesThrough() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            client.send("POST /echo HTTP/1.1\r\nHost: www.foobar.com\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 4\r\n\r\n");
            RawClient.Response interim = client.read("POST");
            assertThat(interim.status()).isEqualTo(100);
            client.send("body");
            RawClient.Response response = client.read("POST");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).endsWith("\n\nbody").doesNotContain("expect:");
        }
    }

    // ------------------------------------------------------------------ what the client receives

    @Test
    void chunkedAndUntilCloseBodiesAreReframedForTheClient() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            RawClient.Response chunked = client.get("/chunked");
            assertThat(chunked.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(chunked.body()).isEqualTo("hello, world");
            // the server closed its connection to end this body; the client's stays open, the body re-chunked
            RawClient.Response untilClose = client.get("/until-close");
            assertThat(untilClose.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(untilClose.body()).isEqualTo("all until the close");
            assertThat(client.get("/").body()).isEqualTo("web-1");
        }
        try (RawClient old = new RawClient(lb.address())) {
            RawClient.Response response = old.request("GET /chunked HTTP/1.0\r\nHost: www.foobar.com\r\n\r\n", "GET");
            // HTTP/1.0 has no chunked coding: the body runs until the close
            assertThat(response.header("Transfer-Encoding")).isNull();
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(response.body()).isEqualTo("hello, world");
        }
    }

    @Test
    void theAnswerToHeadHasNoBodyAndTheConnectionGoesOn() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            RawClient.Response head = client.request("HEAD / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n", "HEAD");
            assertThat(head.header("Content-Length")).isEqualTo("5");
            assertThat(head.body()).isEmpty();
            assertThat(client.get("/").body()).isEqualTo("web-1");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            client.send("GET /status/201 HTTP/1.1\r\nHost: a\r\n\r\nGET /status/202 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /status/203 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(List.of(client.read("GET").status(), client.read("GET").status(), client.read("GET").status()))
                    .containsExactly(201, 202, 203);
        }
    }

    @Test
    void connectionsToTheServerAreKeptAndReused() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            for (int i = 0; i < 20; i++) {
                assertThat(client.get("/n" + i).status()).isEqualTo(200);
            }
        }
        Set<Integer> serverSidePorts = new HashSet<>();
        web.received.forEach(r -> serverSidePorts.add(r.from().getPort()));
        assertThat(web.received).hasSize(20);
        assertThat(serverSidePorts).as("20 requests over one kept-alive connection to the server").hasSize(1);
    }

    @Test
    void theBalancerRefusesWhatTheWebServerRefusesBeforeAnyServerSeesIt() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (RawClient client = new RawClient(lb.address())) {
            RawClient.Response bareLf = client.request("GET / HTTP/1.1\nHost: www.foobar.com\n\n", "GET");
            assertThat(bareLf.status()).isEqualTo(400);
            assertThat(bareLf.body()).contains("RFC 9112 §2.2");
            assertThat(bareLf.header("Connection")).isEqualTo("close");
        }
        try (RawClient client = new RawClient(lb.address())) {
            RawClient.Response huge = client.request("GET / HTTP/1.1\r\nHost: a\r\nX-Big: "
                    + "x".repeat(20_000) + "\r\n\r\n", "GET");
            assertThat(huge.status()).isEqualTo(431);
        }
        assertThat(web.received).isEmpty();
        assertThat(lb.stats().frontend().requestErrors()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ when a server fails

    @Test
    void aServerThatAnswersGarbageIsA502AndTheBalancerGoesOn() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        RawClient.Response broken = RawClient.get(lb.address(), "/garbage");
        assertThat(broken.status()).isEqualTo(502);
        assertThat(broken.body()).contains("invalid or incomplete response").contains("RFC 9112 §4");
        assertThat(RawClient.get(lb.address(), "/").body()).isEqualTo("web-1");
        assertThat(lb.backend().server("web-1").orElseThrow().stats().responseErrors()).isEqualTo(1);
    }

    @Test
    void aServerThatClosesAfterOnlyAnInterimResponseIsA502() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        RawClient.Response response = RawClient.get(lb.address(), "/interim-close");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.body()).contains("interim (1xx) response").contains("RFC 9110 §15.2");
        assertThat(lb.backend().server("web-1").orElseThrow().stats().responseErrors()).isEqualTo(1);
    }

    @Test
    void aBodyThatBreaksRightAfterItsHeadReachesTheClientAsABegunResponseCutOff() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        try (Socket socket = new Socket()) {
            socket.connect(lb.address());
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /broken-chunk HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String got = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            // the head was relayed before the body broke: it leaves, then the connection is cut before the
            // last chunk, which a client tells from a whole response
            assertThat(got).startsWith("HTTP/1.1 200 OK\r\n").contains("X-Backend-Server: web-1")
                    .doesNotContain("0\r\n\r\n");
        }
        assertThat(lb.backend().server("web-1").orElseThrow().stats().responseErrors()).isEqualTo(1);
    }

    @Test
    void theBalancersOwnAnswersToHeadCarryNoPage() throws IOException {
        InetSocketAddress nobody = closedPort();
        LoadBalancer lb = balancer(b -> b.retries(0).servers(List.of(ServerConfig.of("web-1", nobody))));
        try (RawClient client = new RawClient(lb.address())) {
            RawClient.Response head = client.request("HEAD / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n", "HEAD");
            assertThat(head.status()).isEqualTo(503);
            assertThat(Integer.parseInt(head.header("Content-Length"))).as("the page's length").isPositive();
            assertThat(head.body()).isEmpty();
            // had the page been sent, its bytes would now be read as the next response's status line
            RawClient.Response get = client.request("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n", "GET");
            assertThat(get.status()).isEqualTo(503);
            assertThat(get.body()).contains("web-1 could not be reached");
        }
        try (Socket socket = new Socket()) {
            // refused by the parser, once it knows the request is a HEAD: fields only, then the close
            socket.connect(lb.address());
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("HEAD / HTTP/1.1\r\nHost: www.foobar.com\r\nBad Name: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String got = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(got).startsWith("HTTP/1.1 400 ").contains("Content-Length: ").endsWith("\r\n\r\n")
                    .doesNotContain("<html");
        }
    }

    @Test
    void aSilentServerIsA504AfterTimeoutServer() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b.timeouts(new Timeouts(Duration.ofMillis(500), Duration.ofMillis(300),
                Duration.ofSeconds(5))), web);
        long start = System.nanoTime();
        RawClient.Response response = RawClient.get(lb.address(), "/silent");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(response.status()).isEqualTo(504);
        assertThat(response.body()).contains("timeout server");
        assertThat(millis).isGreaterThanOrEqualTo(300);
        assertThat(RawClient.get(lb.address(), "/").status()).isEqualTo(200);
    }

    @Test
    void aRefusedServerIsRetriedThenTheRequestRedispatchedAndNobodyFails() throws IOException {
        TestBackend alive = backend("web-2");
        InetSocketAddress dead = closedPort();
        LoadBalancer lb = balancer(b -> b.servers(List.of(ServerConfig.of("web-1", dead),
                ServerConfig.of("web-2", alive.address()))), alive);
        for (int i = 0; i < 6; i++) {
            RawClient.Response response = RawClient.get(lb.address(), "/r" + i);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("X-Backend-Server")).isEqualTo("web-2");
        }
        ServerStats web1 = lb.backend().server("web-1").orElseThrow().stats();
        // attempt, 2 retries on web-1 (each a failure seen on traffic: UP 1/3, UP 2/3, then DOWN), then redispatch
        assertThat(web1.connectionErrors()).isEqualTo(3);
        assertThat(web1.retries()).isEqualTo(2);
        assertThat(web1.redispatches()).isEqualTo(1);
        assertThat(web1.up()).isFalse();
        assertThat(web1.lastFailure().describe()).contains("L4CON").contains("Connection refused");
        assertThat(alive.received).hasSize(6);
    }

    @Test
    void withoutRetriesARefusedServerIsA503() throws IOException {
        InetSocketAddress dead = closedPort();
        LoadBalancer lb = balancer(b -> b.retries(0).servers(List.of(ServerConfig.of("web-1", dead))));
        RawClient.Response response = RawClient.get(lb.address(), "/");
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).contains("web-1 could not be reached").contains("Connection refused");
    }

    @Test
    void aGetWhoseServerDiesHoldingItIsSentToAnotherServerButAPostIsNot() throws IOException {
        TestBackend dying = backend("web-1");
        TestBackend alive = backend("web-2");
        LoadBalancer lb = balancer(b -> b.retryOn(EnumSet.of(RetryOn.CONN_FAILURE, RetryOn.EMPTY_RESPONSE)),
                dying, alive);
        dying.resetAll.set(true);
        // round robin starts with web-1, which resets the connection instead of answering
        RawClient.Response get = RawClient.get(lb.address(), "/page");
        assertThat(get.status()).as("GET is idempotent: redispatched to web-2 (RFC 9110 §9.2.2)").isEqualTo(200);
        assertThat(get.header("X-Backend-Server")).isEqualTo("web-2");
        assertThat(lb.backend().server("web-1").orElseThrow().stats().redispatches()).isEqualTo(1);
        // a POST to a server that dies holding it is not sent again: it may have been acted on
        LoadBalancer single = balancer(b -> b.retryOn(EnumSet.of(RetryOn.CONN_FAILURE, RetryOn.EMPTY_RESPONSE)),
                dying);
        try (RawClient client = new RawClient(single.address())) {
            RawClient.Response post = client.request("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
                    "POST");
            assertThat(post.status()).isEqualTo(502);
            assertThat(post.body()).contains("without sending a response").contains("RFC 9110 §9.2.2");
        }
        assertThat(dying.paths()).containsExactly("/page", "/form");
        assertThat(alive.paths()).containsExactly("/page");
    }

    @Test
    void whenNoServerIsUsableTheClientGets503WithTheReason() throws IOException {
        TestBackend web = backend("web-1");
        LoadBalancer lb = balancer(b -> b, web);
        lb.setState("web-1", Server.AdminState.MAINT);
        RawClient.Response response = RawClient.get(lb.address(), "/");
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).contains("No server is available").contains("web-1 MAINT");
        assertThat(response.header("Retry-After")).isNotNull();
        assertThat(web.received).isEmpty();
    }

    @Test
    void aDrainedServerFinishesWhatItHasAndGetsNothingNew() throws Exception {
        TestBackend web1 = backend("web-1");
        TestBackend web2 = backend("web-2");
        LoadBalancer lb = balancer(b -> b, web1, web2);
        RawClient held = new RawClient(lb.address());
        opened.add(held);
        held.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(web1.firstHeld.await(5, TimeUnit.SECONDS)).isTrue();
        lb.setState("web-1", Server.AdminState.DRAIN);
        for (int i = 0; i < 4; i++) {
            assertThat(RawClient.get(lb.address(), "/").header("X-Backend-Server")).isEqualTo("web-2");
        }
        assertThat(lb.backend().server("web-1").orElseThrow().stats().status()).isEqualTo("DRAIN");
        assertThat(lb.backend().server("web-1").orElseThrow().currentSessions()).isEqualTo(1);
        web1.release();
        RawClient.Response finished = held.read("GET");
        assertThat(finished.status()).isEqualTo(200);
        assertThat(finished.header("X-Backend-Server")).isEqualTo("web-1");
        assertThat(lb.backend().server("web-1").orElseThrow().currentSessions()).isZero();
    }

    /**
     * An address where nothing listens: a port just freed on an address no test binds, so that no server of the
     * test (the balancer's own ports included) can be handed the same address meanwhile.
     */
    static InetSocketAddress closedPort() throws IOException {
        java.net.InetAddress nobody = java.net.InetAddress.getByName("127.0.0.250");
        try (ServerSocket socket = new ServerSocket(0, 1, nobody)) {
            return new InetSocketAddress(nobody, socket.getLocalPort());
        }
    }
}
