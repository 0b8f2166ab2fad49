package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.MALFORMED_BODY;

/**
 * The content of an END_REQUEST record (§5.5):
 *
 * <pre>
 *   bytes 0-3   appStatus        big-endian; the application's exit status, like a CGI program's
 *   byte 4      protocolStatus   see {@link ProtocolStatus}
 *   bytes 5-7   reserved
 * </pre>
 *
 * @param appStatus          0..2^32-1
 * @param protocolStatusCode the raw protocol status
 */
public record EndRequestBody(long appStatus, int protocolStatusCode) {

    public static final int LENGTH = 8;

    public static EndRequestBody of(long appStatus, ProtocolStatus status) {
        return new EndRequestBody(appStatus, status.code());
    }

    public java.util.Optional<ProtocolStatus> protocolStatus() {
        return ProtocolStatus.of(protocolStatusCode);
    }

    public static EndRequestBody read(ByteBuf content) {
        if (content.readableBytes() != LENGTH) {
            throw new FastCgiProtocolException(MALFORMED_BODY,
                    "END_REQUEST content must be " + LENGTH + " bytes, got " + content.readableBytes());
        }
        long appStatus = content.getUnsignedInt(content.readerIndex());
        int status = content.getUnsignedByte(content.readerIndex() + 4);
        return new EndRequestBody(appStatus, status);
    }

    public ByteBuf write(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(LENGTH);
        out.writeInt((int) appStatus);
        out.writeByte(protocolStatusCode);
        out.writeZero(3); // reserved
        return out;
    }
}
