package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.MALFORMED_BODY;

/**
 * The content of an UNKNOWN_TYPE record (§4.2): the application's answer to a management record whose type it
 * does not understand, so that the protocol can grow without breaking old peers.
 *
 * <pre>
 *   byte 0      type       the type that was not understood
 *   bytes 1-7   reserved
 * </pre>
 */
public record UnknownTypeBody(int type) {

    public static final int LENGTH = 8;

    public static UnknownTypeBody read(ByteBuf content) {
        if (content.readableBytes() != LENGTH) {
            throw new FastCgiProtocolException(MALFORMED_BODY,
                    "UNKNOWN_TYPE content must be " + LENGTH + " bytes, got " + content.readableBytes());
        }
        return new UnknownTypeBody(content.getUnsignedByte(content.readerIndex()));
    }

    public ByteBuf write(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(LENGTH);
        out.writeByte(type);
        out.writeZero(7); // reserved
        return out;
    }
}
