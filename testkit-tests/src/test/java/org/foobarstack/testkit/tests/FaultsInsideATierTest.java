package org.foobarstack.testkit.tests;

import org.foobarstack.testkit.FoobarStackUnderTest;
import org.foobarstack.testkit.TestHost;
import org.foobarstack.testkit.TestStack;
import org.foobarstack.topology.Role;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The examples of docs/faults-inside-a-tier.md: a fault planned inside one tier of the simple design, and what a
 * client at the front sees of it. One stack for the class; every test clears the plans it used.
 */
@Timeout(60)
class FaultsInsideATierTest {

    @FoobarStackUnderTest("simple")
    static TestStack stack;

    private static FaultPlan faults(Role role) {
        return stack.host("server-1").faults(role);
    }

    @AfterEach
    void clearEveryPlan() {
        TestHost server = stack.host("server-1");
        server.faults(Role.WEB).clear();
        server.faults(Role.APP).clear();
        server.faults(Role.DNS).clear();
    }

    @Test
    void theAppServerResetsHalfWayThroughItsCgiHead_theWebServerAnswers502() throws Exception {
        faults(Role.APP).add(Fault.on(Trigger.RESPONSE_BODY).after(10).then(Effect.RESET));

        RawHttp response = RawHttp.send("GET", stack.url("/api/messages"), Map.of(), null);

        assertThat(response.status()).isEqualTo(502);
        assertThat(faults(Role.APP).fired()).isPositive();
    }

    @Test
    void aOneShotFaultFailsOneRequest_theNextIsServed() throws Exception {
        faults(Role.APP).add(Fault.on(Trigger.RESPONSE_START).then(Effect.RESET).once());

        assertThat(RawHttp.send("GET", stack.url("/api/messages"), Map.of(), null).status()).isEqualTo(502);
        assertThat(RawHttp.send("GET", stack.url("/api/messages"), Map.of(), null).status()).isEqualTo(200);
        assertThat(faults(Role.APP).fired()).isEqualTo(1);
        assertThat(faults(Role.APP).faults()).isEmpty();
    }

    @Test
    void theWebServerClosesOnTheRequestBody_theClientsReadEndsWithoutAResponse() throws Exception {
        faults(Role.WEB).add(Fault.on(Trigger.REQUEST_BODY).then(Effect.CLOSE));
        URI url = stack.url("/api/messages");
        byte[] body = "{\"author\":\"ada\",\"body\":\"lost\"}".getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/messages HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();

            assertThat(socket.getInputStream().read()).as("end of stream, not a byte of a response").isEqualTo(-1);
        }
    }

    @Test
    void theWebServerStallsAfterTheResponseHead_aReadTimeoutEndsTheWait_andClearingHeals() throws Exception {
        faults(Role.WEB).add(Fault.on(Trigger.RESPONSE_BODY).then(Effect.STALL));
        URI url = stack.url("/");
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(500);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n");
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        }

        faults(Role.WEB).clear();

        assertThat(RawHttp.send("GET", stack.url("/"), Map.of(), null).status()).isEqualTo(200);
    }

    @Test
    void theDnsServerDelaysEveryQueryBy300msOverTcp() throws Exception {
        faults(Role.DNS).add(Fault.on(Trigger.QUERY_OVER_TCP).delay(Duration.ofMillis(300)));
        SimpleResolver resolver = new SimpleResolver(stack.dnsAddress());
        resolver.setTCP(true);
        resolver.setTimeout(Duration.ofSeconds(5));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("www.foobar.com."), Type.A, DClass.IN));

        long sent = System.nanoTime();
        Message reply = resolver.send(query);

        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
    }

    /** Reads up to and including the blank line that ends a response head. */
    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
