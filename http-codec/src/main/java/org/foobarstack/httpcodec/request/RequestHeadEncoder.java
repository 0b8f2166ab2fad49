package org.foobarstack.httpcodec.request;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

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

    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Override
    protected void encode(ChannelHandlerContext ctx, RequestHead head, List<Object> out) {
        byte[] bytes = toBytes(head);
        out.add(ctx.alloc().ioBuffer(bytes.length).writeBytes(bytes));
    }

    /** The head's bytes exactly as {@link #encode} puts them on the wire. */
    public static byte[] toBytes(RequestHead head) {
        requireVisible("method", head.method());
        requireVisible("request-target", head.target());
        int length = head.method().length() + 1 + head.target().length() + VERSION.length + 2;
        for (RequestHead.Field field : head.fields()) {
            requireVisible("field name", field.name());
            length += field.name().length() + 2 + field.value().length() + 2;
        }
        byte[] bytes = new byte[length];
        int at = putAscii(head.method(), bytes, 0);
        bytes[at++] = ' ';
        at = putAscii(head.target(), bytes, at);
        System.arraycopy(VERSION, 0, bytes, at, VERSION.length);
        at += VERSION.length;
        for (RequestHead.Field field : head.fields()) {
            at = putAscii(field.name(), bytes, at);
            bytes[at++] = ':';
            bytes[at++] = ' ';
            at = putValue(field.value(), bytes, at);
            bytes[at++] = '\r';
            bytes[at++] = '\n';
        }
        bytes[at++] = '\r';
        bytes[at] = '\n';
        return bytes;
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

    private static int putAscii(String text, byte[] bytes, int at) {
        for (int i = 0; i < text.length(); i++) {
            bytes[at++] = (byte) text.charAt(i);
        }
        return at;
    }

    private static int putValue(String value, byte[] bytes, int at) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            bytes[at++] = c == '\r' || c == '\n' || c == '\0' ? (byte) ' ' : c > 0xff ? (byte) '?' : (byte) c;
        }
        return at;
    }
}
