package org.foobarstack.httpcodec.request;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import org.foobarstack.httpcodec.response.FieldValues;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a request line and header section (RFC 9112 §3 and §5):
 *
 * <pre>
 *   GET /api/messages HTTP/1.1 CRLF
 *   Host: www.foobar.com CRLF
 *   ... CRLF
 *   CRLF
 * </pre>
 *
 * Body bytes pass through untouched. The method and target are checked, not repaired: a space or a control
 * character in either would change where the request line ends, which is how a request is smuggled; so they are
 * refused with an exception. Field values copied from elsewhere have CR, LF and NUL replaced by spaces, as the
 * response encoder does, so that a value cannot add a line of its own.
 */
@ChannelHandler.Sharable
public final class RequestHeadEncoder extends MessageToMessageEncoder<RequestHead> {

    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Counted first, then written straight into one exactly sized buffer, as the response encoder does. */
    @Override
    protected void encode(ChannelHandlerContext ctx, RequestHead head, List<Object> out) {
        ByteBuf buffer = ctx.alloc().ioBuffer(length(head));
        writeTo(head, buffer);
        out.add(buffer);
    }

    /** The head's bytes exactly as {@link #encode} puts them on the wire. */
    public static byte[] toBytes(RequestHead head) {
        byte[] bytes = new byte[length(head)];
        writeTo(head, Unpooled.wrappedBuffer(bytes).clear());
        return bytes;
    }

    private static int length(RequestHead head) {
        requireVisible("method", head.method());
        requireVisible("request-target", head.target());
        int length = head.method().length() + 1 + head.target().length() + VERSION.length + 2;
        for (RequestHead.Field field : head.fields()) {
            requireVisible("field name", field.name());
            length += field.name().length() + 2 + field.value().length() + 2;
        }
        return length;
    }

    private static void writeTo(RequestHead head, ByteBuf out) {
        out.writeCharSequence(head.method(), StandardCharsets.ISO_8859_1);
        out.writeByte(' ');
        out.writeCharSequence(head.target(), StandardCharsets.ISO_8859_1);
        out.writeBytes(VERSION);
        for (RequestHead.Field field : head.fields()) {
            out.writeCharSequence(field.name(), StandardCharsets.ISO_8859_1);
            out.writeByte(':');
            out.writeByte(' ');
            FieldValues.write(field.value(), out);
            out.writeByte('\r');
            out.writeByte('\n');
        }
        out.writeByte('\r');
        out.writeByte('\n');
    }

    /** A method, target or field name must be visible ASCII without spaces (RFC 9112 §3, RFC 9110 §5.1). */
    private static void requireVisible(String what, String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty " + what);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new IllegalArgumentException(what + " contains character 0x" + Integer.toHexString(c)
                        + ": " + text);
            }
        }
    }
}
