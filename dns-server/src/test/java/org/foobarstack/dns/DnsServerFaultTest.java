package org.foobarstack.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** Faults inside the name server, over UDP and TCP: a delay measured, a drop bounded by a read timeout. */
@Timeout(30)
class DnsServerFaultTest {

    private DnsServer server;
    private FaultPlan faults;

    @BeforeEach
    void start() {
        server = LabZone.start(LabZone.directory());
        faults = server.faults();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] query() {
        return DnsClient.query("www.foobar.com", Type.A).toWire();
    }

    /** A connection that has sent one query, framed as RFC 1035 §4.2.2 says, and reads with this timeout. */
    private Socket queryOverTcp(int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(server.tcpAddress(), DnsClient.TIMEOUT_MILLIS);
            socket.setSoTimeout(readTimeoutMillis);
            byte[] q = query();
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(q.length);
            out.write(q);
            out.flush();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Test
    void aDelayOverTcp_theAnswerTakesAtLeastTheDelay_andUdpIsUntouched() throws IOException {
        faults.add(Fault.on(Trigger.QUERY_OVER_TCP).delay(Duration.ofMillis(300)));

        long sent = System.nanoTime();
        Message overTcp = DnsClient.tcp(server.tcpAddress(), query()).get(0);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(overTcp.getRcode()).isEqualTo(Rcode.NOERROR);

        assertThat(DnsClient.udp(server.udpAddress(), query()).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(faults.fired()).as("only the TCP query met the fault").isEqualTo(1);
    }

    @Test
    void aDelayOverUdp_theAnswerTakesAtLeastTheDelay() throws IOException {
        faults.add(Fault.on(Trigger.QUERY).delay(Duration.ofMillis(300)));
        long sent = System.nanoTime();
        Message reply = DnsClient.udp(server.udpAddress(), query());
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(reply.getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void aStallOverUdp_theQueryIsDropped_andAOneShotFaultDropsOnlyOne() throws Exception {
        faults.add(Fault.on(Trigger.QUERY_OVER_UDP).then(Effect.STALL).once());
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(300);
            byte[] q = query();
            socket.send(new DatagramPacket(q, q.length, server.udpAddress()));
            assertThat(faults.awaitFired(1, Duration.ofSeconds(5))).isTrue();
            assertThatThrownBy(() -> socket.receive(new DatagramPacket(new byte[512], 512)))
                    .isInstanceOf(SocketTimeoutException.class);
        }
        assertThat(DnsClient.udp(server.udpAddress(), query()).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(faults.faults()).isEmpty();
    }

    @Test
    void aResetOverTcp_theClientsReadFails() throws IOException {
        faults.add(Fault.on(Trigger.QUERY_OVER_TCP).then(Effect.RESET));
        try (Socket socket = queryOverTcp(DnsClient.TIMEOUT_MILLIS)) {
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void aCloseOverTcp_theClientReadsTheEndOfTheStream() throws IOException {
        faults.add(Fault.on(Trigger.QUERY_OVER_TCP).then(Effect.CLOSE));
        try (Socket socket = queryOverTcp(DnsClient.TIMEOUT_MILLIS)) {
            assertThat(new DataInputStream(socket.getInputStream()).read()).isEqualTo(-1);
        }
    }

    @Test
    void aStallOverTcp_aClientWithAReadTimeoutTimesOut_andClearingThePlanHeals() throws IOException {
        faults.add(Fault.on(Trigger.QUERY_OVER_TCP).then(Effect.STALL));
        try (Socket socket = queryOverTcp(300)) {
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
        faults.clear();
        assertThat(DnsClient.tcp(server.tcpAddress(), query()).get(0).getRcode()).isEqualTo(Rcode.NOERROR);
    }
}
