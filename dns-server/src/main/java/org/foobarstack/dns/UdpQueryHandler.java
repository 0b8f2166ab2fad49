package org.foobarstack.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;

/**
 * UDP transport (RFC 1035 §4.2.1): one datagram in, at most one datagram out, to the sender.
 *
 * <p>Only the bytes actually received are read ({@code readableBytes()}), never a fixed-size
 * buffer. A question asked before is answered from {@link QueryProcessor#replyFromCache} without
 * copying the query out of Netty's buffer; any other goes through {@link QueryProcessor#process}. Replies are written as they are made and flushed once per batch of reads, so a burst of
 * queries costs one system call per batch rather than one per reply.
 *
 * <p>With Response Rate Limiting on, every reply, from the cache or not, is shown to the
 * {@link ResponseRateLimiter} last, just before it is written: it goes out as made, truncated
 * (slipped), or not at all. TCP has no such step (see the limiter for why).
 *
 * <p>Faults ({@link FaultPlan}, trigger {@link Trigger#QUERY} or {@link Trigger#QUERY_OVER_UDP}): the plan is read
 * once per datagram, after the firewall. A DELAY answers as usual, that much later; every other effect drops the
 * query unanswered, since a datagram has no connection to close, stall or reset.
 */
@ChannelHandler.Sharable
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private final QueryProcessor processor;
    private final RateLimitedLog problemLog;
    /** The host's firewall for datagrams: one it refuses is dropped unanswered. */
    private final java.util.function.BiPredicate<java.net.InetSocketAddress, java.net.InetSocketAddress> filter;
    /** Response Rate Limiting, or null when it is off (the default). */
    private final ResponseRateLimiter rateLimiter;
    private final StatsCounters stats;
    /** The server's fault plan: one volatile read per datagram while it is empty. */
    private final FaultPlan faults;

    UdpQueryHandler(QueryProcessor processor, RateLimitedLog problemLog,
                    java.util.function.BiPredicate<java.net.InetSocketAddress, java.net.InetSocketAddress> filter,
                    ResponseRateLimiter rateLimiter, StatsCounters stats, FaultPlan faults) {
        this.faults = faults;
        this.processor = processor;
        this.problemLog = problemLog;
        this.filter = filter;
        this.rateLimiter = rateLimiter;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        if (!filter.test(packet.sender(), packet.recipient())) {
            return; // dropped by the host's firewall: no answer, as a packet filter gives none
        }
        FaultPlan.Armed armed = faults.armed();
        if (armed != null) {
            Fault fault = armed.fire(Trigger.QUERY_OVER_UDP);
            if (fault != null) {
                answerWithFault(ctx, packet, fault);
                return;
            }
        }
        ByteBuf content = packet.content();
        // A question asked before: its reply is copied from the cache straight into the datagram.
        ByteBuf cached = processor.replyFromCache(content, packet.sender(), Transport.UDP, ctx.alloc(), 0);
        if (cached != null) {
            send(ctx, cached, packet.sender());
            return;
        }
        byte[] query = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), query);
        List<byte[]> replies = processor.process(query, packet.sender(), Transport.UDP);
        for (byte[] reply : replies) {
            // A direct (I/O) buffer: the socket would otherwise copy a heap buffer into one.
            send(ctx, ctx.alloc().ioBuffer(reply.length).writeBytes(reply), packet.sender());
        }
    }

    /** A planned fault met this query: its answer goes out later (DELAY), or never. */
    private void answerWithFault(ChannelHandlerContext ctx, DatagramPacket packet, Fault fault) {
        problemLog.info("UDP query from {}: fault {}", packet.sender(), fault.describe());
        if (fault.effect() != Effect.DELAY) {
            return; // dropped: what a client sees of a name server that stalls, closes or resets
        }
        ByteBuf content = packet.content();
        byte[] query = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), query);
        java.net.InetSocketAddress client = packet.sender();
        List<byte[]> replies = processor.process(query, client, Transport.UDP);
        ctx.executor().schedule(() -> {
            for (byte[] reply : replies) {
                send(ctx, ctx.alloc().ioBuffer(reply.length).writeBytes(reply), client);
            }
            ctx.flush();
        }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Writes one reply, after Response Rate Limiting when it is on; {@code reply} is consumed either way. */
    private void send(ChannelHandlerContext ctx, ByteBuf reply, java.net.InetSocketAddress client) {
        if (rateLimiter == null) {
            ctx.write(new DatagramPacket(reply, client));
            return;
        }
        ResponseRateLimiter.Verdict verdict = rateLimiter.check(client.getAddress(),
                reply.nioBuffer(reply.readerIndex(), reply.readableBytes()));
        switch (verdict) {
            case SEND -> ctx.write(new DatagramPacket(reply, client));
            case SLIP -> {
                stats.rateLimitSlipped();
                ByteBufAllocator alloc = ctx.alloc();
                ByteBuf truncated = ResponseRateLimiter.truncated(reply, alloc);
                reply.release();
                ctx.write(new DatagramPacket(truncated, client));
            }
            case DROP -> {
                stats.rateLimitDropped();
                reply.release();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket serves everyone: never close it because of one bad exchange.
        problemLog.warnOfKind("udp-exception", "UDP listener {}: {}", ctx.channel().localAddress(), cause);
    }
}
