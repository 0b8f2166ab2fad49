package org.foobarstack.firewall;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The firewall in front of a real server, over real sockets on loopback: what a client on each side of it sees,
 * and that the server behind it hears nothing of a blocked connection.
 *
 * <p>server-1 (127.0.0.11) lets in the balancer (127.0.0.10), rejects 127.0.0.20, drops 127.0.0.30 and, by its
 * default policy, everyone else.
 */
class FirewallHandlerTest {

    private static final String SERVER_1 = "127.0.0.11";
    private static final String BALANCER = "127.0.0.10";
    private static final String REJECTED = "127.0.0.20";
    private static final String DROPPED = "127.0.0.30";

    private final Transport transport = transport();
    private EventLoopGroup group;
    private Firewall firewall;

    /** The transport the servers run on; {@link FirewallHandlerNioTest} runs every test again on NIO. */
    Transport transport() {
        return Transport.best();
    }

    @BeforeEach
    void startLoops() {
        group = transport.newGroup();
        firewall = new Firewall("server-1", List.of(
                new Rule(1, Action.ACCEPT, Protocol.TCP, 0, List.of(Source.parse(BALANCER)), "the balancer"),
                new Rule(2, Action.REJECT, Protocol.TCP, 0, List.of(Source.parse(REJECTED)), ""),
                new Rule(3, Action.DROP, Protocol.TCP, 0, List.of(Source.parse(DROPPED)), "")), Action.DROP);
    }

    @AfterEach
    void stopLoops() {
        Transport.shutDown(group);
    }

    @Test
    void anAcceptedClientIsServedAsIfThereWereNoFirewall() throws Exception {
        try (EchoServer server = new EchoServer(transport, group, at(SERVER_1, 0), firewall, Duration.ofMinutes(2));
             Socket client = connect(BALANCER, server)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));

            assertThat(new String(client.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                    .isEqualTo("hello");
            assertThat(server.heard).containsExactly("active " + BALANCER + ":" + client.getLocalPort(), "read 5");
            Channel accepted = server.nextAccepted();
            assertThat(accepted.pipeline().get(FirewallHandler.NAME)).as("the firewall stepped aside").isNull();
        }
        assertThat(firewall.counts()).extracting(RuleCount::blocked).containsOnly(0L);
    }

    @Test
    void aRejectedClientIsResetAtOnceAndTheServerHearsNothing() throws Exception {
        try (EchoServer server = new EchoServer(transport, group, at(SERVER_1, 0), firewall, Duration.ofMinutes(2))) {
            // the kernel completes the handshake, so connect() usually succeeds; the reset follows at once
            long start = System.nanoTime();

            assertThat(Clients.resetSeenFrom(REJECTED, server.address())).hasMessageContaining("Connection reset");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not a timeout").isLessThan(Duration.ofSeconds(4));

            awaitClosed(server.nextAccepted());
            assertThat(server.heard).as("nothing of it reached the server").isEmpty();
        }
        assertThat(firewall.blocked(2)).isEqualTo(1);
    }

    @Test
    void aDroppedClientGetsNoAnswerUntilTheHoldEndsWithAReset() throws Exception {
        Duration hold = Duration.ofSeconds(3); // well past the 300 ms read below, even on a busy machine
        try (EchoServer server = new EchoServer(transport, group, at(SERVER_1, 0), firewall, hold);
             Socket client = connect(DROPPED, server)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();

            // as a real drop: no byte, no FIN, no reset, only the client's own timeout
            client.setSoTimeout(300);
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.heard).isEmpty();

            // the hold ends: the connection is reset, so the server does not keep it forever
            client.setSoTimeout(10_000);
            assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            awaitClosed(server.nextAccepted());
            assertThat(server.heard).as("not the bytes it sent, not even its closing").isEmpty();
        }
        assertThat(firewall.blocked(3)).isEqualTo(1);
    }

    @Test
    void theDefaultPolicyDropsAStrangerToo() throws Exception {
        try (EchoServer server = new EchoServer(transport, group, at(SERVER_1, 0), firewall, Duration.ofMinutes(2));
             Socket client = connect("127.0.0.99", server)) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(300);

            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.heard).isEmpty();
        }
        assertThat(firewall.blockedByDefault()).isEqualTo(1);
    }

    @Test
    void aDroppedConnectionIsLetGoWhenTheClientGivesUp() throws Exception {
        // epoll reports the client's FIN while nothing is read; NIO does not, and there the hold is what ends it
        assumeThat(transport.epoll()).as("the epoll transport").isTrue();
        try (EchoServer server = new EchoServer(transport, group, at(SERVER_1, 0), firewall, Duration.ofMinutes(2))) {
            try (Socket client = connect(DROPPED, server)) {
                client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                client.setSoTimeout(300);
                assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            } // the client gives up

            Channel held = server.nextAccepted();
            assertThat(held.closeFuture().await(5, TimeUnit.SECONDS))
                    .as("closed long before the 2-minute hold").isTrue();
            assertThat(server.heard).isEmpty();
        }
    }

    @Test
    void blockedConnectionsDoNotStopTheNextAcceptedOne() throws Exception {
        try (EchoServer server = new EchoServer(transport, group, at(SERVER_1, 0), firewall, Duration.ofMinutes(2));
             Socket dropped = connect(DROPPED, server)) {
            Clients.resetSeenFrom(REJECTED, server.address());
            try (Socket accepted = connect(BALANCER, server)) {
                accepted.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));

                assertThat(new String(accepted.getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
                        .isEqualTo("ping");
                assertThat(server.heard)
                        .containsExactly("active " + BALANCER + ":" + accepted.getLocalPort(), "read 4");
            }
        }
    }

    /** A client on {@code from}, as a host's outgoing connections leave from the host's own address. */
    private static Socket connect(String from, EchoServer server) throws IOException {
        return Clients.connect(from, server.address());
    }

    private static void awaitClosed(Channel ch) throws InterruptedException {
        assertThat(ch.closeFuture().await(10, TimeUnit.SECONDS)).as("server side closed").isTrue();
    }

    private static InetSocketAddress at(String address, int port) {
        return new InetSocketAddress(address, port);
    }
}
