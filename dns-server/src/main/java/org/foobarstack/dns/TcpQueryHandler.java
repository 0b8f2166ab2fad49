package org.foobarstack.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.foobarstack.trace.RateLimitedLog;
import org.foobarstack.trace.faults.Effect;
import org.foobarstack.trace.faults.Fault;
import org.foobarstack.trace.faults.FaultPlan;
import org.foobarstack.trace.faults.Trigger;

/**
 * TCP transport (RFC 1035 §4.2.2, RFC 7766). The pipeline in front of this handler has already
 * cut the stream into messages on the two-byte length prefix; this handler answers each one, in
 * order, on the same connection (RFC 7766 §6.2.1: several queries per connection), prefixing each
 * reply with its length. The idle handler in front fires when no query came for the idle timeout;
 * the connection is then closed (RFC 7766 §6.2.3).
 *
 * <p>Faults ({@link FaultPlan}, trigger {@link Trigger#QUERY} or {@link Trigger#QUERY_OVER_TCP}): the plan is read
 * once per message. DELAY answers that much later; STALL leaves the query unanswered and reads nothing more from
 * the connection, which stays open until the client or the idle timeout closes it; CLOSE and RESET close the
 * connection without an answer; SHUTDOWN_OUTPUT shuts the sending side without an answer; SHUTDOWN_INPUT shuts
 * the receiving side and answers.
 */
final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {

    /** Size of the length prefix that frames every DNS message on TCP (RFC 1035 §4.2.2). */
    static final int LENGTH_PREFIX = 2;

    private final QueryProcessor processor;
    private final RateLimitedLog problemLog;
    /** The server's fault plan: one volatile read per message while it is empty. */
    private final FaultPlan faults;

    TcpQueryHandler(QueryProcessor processor, RateLimitedLog problemLog, FaultPlan faults) {
        this.processor = processor;
        this.problemLog = problemLog;
        this.faults = faults;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        FaultPlan.Armed armed = faults.armed();
        if (armed != null) {
            Fault fault = armed.fire(Trigger.QUERY_OVER_TCP);
            if (fault != null && !carryOn(ctx, frame, client, fault)) {
                return;
            }
        }
        // A question asked before: the cached reply, after room for its length prefix.
        ByteBuf cached = processor.replyFromCache(frame, client, Transport.TCP, ctx.alloc(), LENGTH_PREFIX);
        if (cached != null) {
            cached.setShort(0, cached.readableBytes() - LENGTH_PREFIX);
            ctx.write(cached);
            return;
        }
        byte[] query = new byte[frame.readableBytes()];
        frame.readBytes(query);
        List<byte[]> replies = processor.process(query, client, Transport.TCP);
        for (byte[] reply : replies) {
            ByteBuf out = ctx.alloc().buffer(LENGTH_PREFIX + reply.length);
            out.writeShort(reply.length);
            out.writeBytes(reply);
            ctx.write(out);
        }
    }

    /** Carries out a planned fault; true when the query is then answered as usual. */
    private boolean carryOn(ChannelHandlerContext ctx, ByteBuf frame, InetSocketAddress client, Fault fault) {
        problemLog.info("TCP query from {}: fault {}", client, fault.describe());
        switch (fault.effect()) {
            case DELAY -> {
                byte[] query = new byte[frame.readableBytes()];
                frame.readBytes(query);
                List<byte[]> replies = processor.process(query, client, Transport.TCP);
                ctx.executor().schedule(() -> {
                    for (byte[] reply : replies) {
                        ctx.write(ctx.alloc().buffer(LENGTH_PREFIX + reply.length).writeShort(reply.length)
                                .writeBytes(reply));
                    }
                    ctx.flush();
                }, fault.delay().toNanos(), TimeUnit.NANOSECONDS);
                return false;
            }
            case STALL -> {
                ctx.channel().config().setAutoRead(false);
                return false;
            }
            case CLOSE, RESET -> {
                if (fault.effect() == Effect.RESET) {
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                }
                ctx.close();
                return false;
            }
            case SHUTDOWN_OUTPUT -> {
                ((DuplexChannel) ctx.channel()).shutdownOutput();
                return false;
            }
            case SHUTDOWN_INPUT -> {
                ((DuplexChannel) ctx.channel()).shutdownInput();
                return true;
            }
        }
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // One broken connection must not affect the others: log (rate-limited) and close it.
        problemLog.warnOfKind("tcp-exception", "TCP connection {}: {}", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
