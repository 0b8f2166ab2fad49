package org.foobarstack.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/** The probes a topology supplier uses, against sockets opened here: something answers, or nothing does. */
class TierProbeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void tcpIsUpWhileSomethingListensAndDownOnceItStops() throws Exception {
        InetSocketAddress address;
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            address = (InetSocketAddress) listener.getLocalSocketAddress();
            assertThat(TierProbe.tcp(address, TIMEOUT)).isTrue();
        }
        assertThat(TierProbe.tcp(address, TIMEOUT)).isFalse();
    }

    @Test
    void dnsIsUpWhenAServerAnswersEvenWithRefused() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Message> seen = CompletableFuture.supplyAsync(() -> {
                try {
                    // first a datagram that is not DNS at all, then a real answer: the probe skips the first
                    byte[] buffer = new byte[512];
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    server.receive(packet);
                    Message query = new Message(Arrays.copyOf(buffer, packet.getLength()));
                    server.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, packet.getSocketAddress()));
                    Message answer = new Message(query.getHeader().getID());
                    answer.getHeader().setFlag(Flags.QR);
                    answer.getHeader().setRcode(Rcode.REFUSED);
                    byte[] wire = answer.toWire();
                    server.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                    return query;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            InetSocketAddress address = (InetSocketAddress) server.getLocalSocketAddress();
            assertThat(TierProbe.dns(address, "foobar.com", TIMEOUT)).isTrue();
            assertThat(seen.get().getQuestion().getName().toString()).isEqualTo("foobar.com.");
        }
    }

    @Test
    void dnsIsDownWhenNothingListens() throws Exception {
        InetSocketAddress address;
        try (DatagramSocket closed = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            address = (InetSocketAddress) closed.getLocalSocketAddress();
        }
        // the kernel answers ICMP port unreachable on loopback, so this returns at once rather than at the timeout
        assertThat(TierProbe.dns(address, "foobar.com.", TIMEOUT)).isFalse();
    }
}
