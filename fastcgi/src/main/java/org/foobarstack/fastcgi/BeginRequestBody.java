package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import static org.foobarstack.fastcgi.FastCgiProtocolException.Violation.MALFORMED_BODY;

/**
 * The content of a BEGIN_REQUEST record (§5.1):
 *
 * <pre>
 *   bytes 0-1   role        big-endian, see {@link Role}
 *   byte 2      flags       bit 0 = FCGI_KEEP_CONN
 *   bytes 3-7   reserved
 * </pre>
 *
 * @param roleCode the raw role, kept raw so that an unknown role can be refused with UNKNOWN_ROLE
 * @param flags    the flags byte
 */
public record BeginRequestBody(int roleCode, int flags) {

    public static final int LENGTH = 8;
    /**
     * FCGI_KEEP_CONN: when set, the application keeps the connection open after END_REQUEST; when clear, it
     * closes the connection once the request is done (§5.1).
     */
    public static final int FLAG_KEEP_CONN = 1;

    public static BeginRequestBody of(Role role, boolean keepConnection) {
        return new BeginRequestBody(role.code(), keepConnection ? FLAG_KEEP_CONN : 0);
    }

    public boolean keepConnection() {
        return (flags & FLAG_KEEP_CONN) != 0;
    }

    public java.util.Optional<Role> role() {
        return Role.of(roleCode);
    }

    public static BeginRequestBody read(ByteBuf content) {
        if (content.readableBytes() != LENGTH) {
            throw new FastCgiProtocolException(MALFORMED_BODY,
                    "BEGIN_REQUEST content must be " + LENGTH + " bytes, got " + content.readableBytes());
        }
        int role = content.getUnsignedShort(content.readerIndex());
        int flags = content.getUnsignedByte(content.readerIndex() + 2);
        return new BeginRequestBody(role, flags);
    }

    public ByteBuf write(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(LENGTH);
        out.writeShort(roleCode);
        out.writeByte(flags);
        out.writeZero(5); // reserved
        return out;
    }
}
