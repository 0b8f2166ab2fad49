package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Writes {@link FastCgiRecord}s as header, content and padding (§3.3).
 *
 * <p>The content buffer is passed on as it is, without copying: the encoder only allocates the 8-byte header
 * and the padding. Padding brings every record to a multiple of 8 bytes, as the specification recommends.
 */
@ChannelHandler.Sharable
public final class FastCgiRecordEncoder extends MessageToMessageEncoder<FastCgiRecord> {

    /** Padding bytes are never read, so one shared zero-filled array serves every record. */
    private static final byte[] ZEROS = new byte[RecordHeader.ALIGNMENT];

    @Override
    protected void encode(ChannelHandlerContext ctx, FastCgiRecord record, List<Object> out) {
        ByteBuf content = record.content();
        RecordHeader header = new RecordHeader(RecordHeader.VERSION_1, record.typeCode(), record.requestId(),
                content.readableBytes(), RecordHeader.paddingFor(content.readableBytes()));
        ByteBuf head = ctx.alloc().buffer(RecordHeader.LENGTH);
        header.write(head);
        out.add(head);
        if (content.isReadable()) {
            out.add(content.retain());
        }
        if (header.paddingLength() > 0) {
            out.add(ctx.alloc().buffer(header.paddingLength()).writeBytes(ZEROS, 0, header.paddingLength()));
        }
    }
}
