package org.foobarstack.firewall;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A host's firewall for the datagrams a UDP server receives (the name server's queries): the first handler of the
 * datagram channel, which judges each datagram by its sender and lets only the accepted ones on.
 *
 * <p>UDP has no connection, so every datagram is judged, as an nftables rule judges every packet that no
 * {@code ct state established} rule has let through. A blocked datagram is released here and never reaches the
 * server, so it gets no answer.
 *
 * <p>Drop and reject look the same to the client here. A real {@code reject} answers a UDP datagram with an ICMP
 * "port unreachable", which makes a connected UDP socket's next receive fail at once ("Connection refused"); Java
 * has no way to send ICMP, so the client waits for its timeout in both cases, as it would for a real drop.
 */
@Sharable
public final class DatagramFirewallHandler extends ChannelInboundHandlerAdapter {

    /** The name the handler has in a pipeline. */
    public static final String NAME = "firewall";

    private final Firewall firewall;

    public DatagramFirewallHandler(Firewall firewall) {
        this.firewall = Objects.requireNonNull(firewall, "firewall");
    }

    /** Puts the firewall at the head of a datagram channel's pipeline. */
    public static void install(Channel datagramChannel, Firewall firewall) {
        datagramChannel.pipeline().addFirst(NAME, new DatagramFirewallHandler(firewall));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            InetSocketAddress to = packet.recipient() != null
                    ? packet.recipient() : (InetSocketAddress) ctx.channel().localAddress();
            if (!firewall.check(Protocol.UDP, packet.sender(), to).accepted()) {
                packet.release(); // stopped here: the server never sees it, so it never answers
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
