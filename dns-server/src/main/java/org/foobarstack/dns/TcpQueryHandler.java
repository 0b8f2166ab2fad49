package org.foobarstack.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.List;
import org.foobarstack.trace.RateLimitedLog;

/**
 * TCP transport (RFC 1035 §4.2.2, RFC 7766). The pipeline in front of this handler has already
 * cut the stream into messages on the two-byte length prefix; this handler answers each one, in
 * order, on the same connection (RFC 7766 §6.2.1: several queries per connection), prefixing each
 * reply with its length. The idle handler in front fires when no query came for the idle timeout;
 * the connection is then closed (RFC 7766 §6.2.3).
 */
final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {

    /** Size of the length prefix that frames every DNS message on TCP (RFC 1035 §4.2.2). */
    static final int LENGTH_PREFIX = 2;

    private final QueryProcessor processor;
    private final RateLimitedLog problemLog;

    TcpQueryHandler(QueryProcessor processor, RateLimitedLog problemLog) {
        this.processor = processor;
        this.problemLog = problemLog;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
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
