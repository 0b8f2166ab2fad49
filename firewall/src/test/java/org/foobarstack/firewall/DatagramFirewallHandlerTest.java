package org.foobarstack.firewall;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The firewall in front of a UDP server (a name server's port 53, here an echo): a datagram from a sender it
 * blocks gets no answer and never reaches the server; the others are answered as usual.
 */
class DatagramFirewallHandlerTest {

    private static final String NS_1 = "127.0.0.2";
    private static final String CLIENT = "127.0.0.10";
    private static final String DROPPED = "127.0.0.30";
    private static final String REJECTED = "127.0.0.20";

    private final Transport transport = Transport.best();
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private Firewall firewall;
    private Channel server;

    @BeforeEach
    void startEchoServer() {
        group = transport.newGroup();
        firewall = new Firewall("ns-1", List.of(
                new Rule(1, Action.DROP, Protocol.UDP, 0, List.of(Source.parse(DROPPED)), ""),
                new Rule(2, Action.REJECT, Protocol.UDP, 0, List.of(Source.parse(REJECTED)), ""),
                new Rule(3, Action.ACCEPT, Protocol.UDP, 0, List.of(Source.parse("127.0.0.0/24")), "")),
                Action.DROP);
        server = new Bootstrap()
                .group(group)
                .channel(transport.datagramChannel())
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        DatagramFirewallHandler.install(ch, firewall);
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                                heard.add(packet.sender().getAddress().getHostAddress() + " "
                                        + packet.content().toString(StandardCharsets.US_ASCII));
                                ctx.writeAndFlush(new DatagramPacket(packet.content().retain(), packet.sender()));
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(NS_1, 0)).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        Transport.shutDown(group);
    }

    @Test
    void aDatagramFromABlockedSenderGetsNoAnswerAndOthersAreAnswered() throws Exception {
        try (java.net.DatagramSocket dropped = socketOn(DROPPED);
             java.net.DatagramSocket allowed = socketOn(CLIENT)) {
            send(dropped, "from a dropped sender");
            awaitAtLeast(() -> firewall.blocked(1), 1);
            send(allowed, "query");

            assertThat(receive(allowed)).isEqualTo("query");
            dropped.setSoTimeout(300);
            assertThatThrownBy(() -> receive(dropped)).isInstanceOf(SocketTimeoutException.class);
            assertThat(heard).containsExactly(CLIENT + " query");
        }
    }

    @Test
    void aRejectedDatagramIsDroppedTooForJavaCannotSendIcmp() throws Exception {
        try (java.net.DatagramSocket rejected = socketOn(REJECTED);
             java.net.DatagramSocket stranger = socketOn("127.0.1.1")) {
            send(rejected, "one");
            send(stranger, "two"); // outside 127.0.0.0/24: the default policy drops it
            awaitAtLeast(() -> firewall.blocked(2) + firewall.blockedByDefault(), 2);

            rejected.setSoTimeout(300);
            assertThatThrownBy(() -> receive(rejected)).isInstanceOf(SocketTimeoutException.class);
            stranger.setSoTimeout(300);
            assertThatThrownBy(() -> receive(stranger)).isInstanceOf(SocketTimeoutException.class);
            assertThat(heard).isEmpty();
            assertThat(firewall.blocked(2)).isEqualTo(1);
            assertThat(firewall.blockedByDefault()).isEqualTo(1);
        }
    }

    private static java.net.DatagramSocket socketOn(String address) throws Exception {
        java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress(address, 0));
        s.setSoTimeout(5000);
        return s;
    }

    private void send(java.net.DatagramSocket from, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        from.send(new java.net.DatagramPacket(bytes, bytes.length, server.localAddress()));
    }

    private static String receive(java.net.DatagramSocket on) throws Exception {
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[512], 512);
        on.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    /** Polls until the count reaches {@code expected}, for at most 5 s: the server reads on its own thread. */
    private static void awaitAtLeast(LongSupplier count, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("count stayed at " + count.getAsLong() + ", expected " + expected);
            }
            Thread.sleep(5);
        }
    }
}
