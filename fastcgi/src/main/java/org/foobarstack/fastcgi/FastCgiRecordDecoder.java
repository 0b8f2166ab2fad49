package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.UNSUPPORTED_VERSION;

/**
 * Turns the bytes of a connection into {@link FastCgiRecord}s.
 *
 * <p>How it reads, step by step:
 * <ol>
 *   <li>Wait until the 8 header bytes are there ({@link RecordHeader#LENGTH}); TCP may deliver them one at a time.
 *   <li>Check the version byte: only version 1 exists (§3.3). Anything else means the peer is not speaking
 *       FastCGI, so decoding stops with a {@link FastCgiProtocolException} and the connection is closed.
 *   <li>Wait until content and padding have both arrived.
 *   <li>Emit the content as a record and skip the padding, which carries no meaning.
 * </ol>
 * Because contentLength is a 16-bit field, a single record can never be larger than 65,535 + 255 + 8 bytes: the
 * decoder needs no size limit of its own. Limits on whole streams belong to the layer that assembles them.
 */
public final class FastCgiRecordDecoder extends ByteToMessageDecoder {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // Step 1: a whole header, without consuming it, so that a partial record leaves the buffer untouched.
        if (in.readableBytes() < RecordHeader.LENGTH) {
            return;
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        // Step 2
        if (version != RecordHeader.VERSION_1) {
            in.skipBytes(in.readableBytes());
            throw new FastCgiProtocolException(UNSUPPORTED_VERSION, "got version " + version);
        }
        int contentLength = in.getUnsignedShort(start + 4);
        int paddingLength = in.getUnsignedByte(start + 6);
        // Step 3
        if (in.readableBytes() < RecordHeader.LENGTH + contentLength + paddingLength) {
            return;
        }
        // Step 4
        RecordHeader header = RecordHeader.read(in);
        ByteBuf content = in.readRetainedSlice(header.contentLength());
        in.skipBytes(header.paddingLength());
        out.add(new FastCgiRecord(header.type(), header.requestId(), content, header.paddingLength()));
    }

    /**
     * Bytes received but not yet part of a whole record. Non-zero when a peer went silent in the middle of a
     * record, which a server that closes idle connections wants to tell apart from a quiet keep-alive connection.
     */
    public int bufferedBytes() {
        return internalBuffer().readableBytes();
    }
}
