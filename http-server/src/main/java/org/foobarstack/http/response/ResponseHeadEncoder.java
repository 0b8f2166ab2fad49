package org.foobarstack.http.response;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import java.nio.charset.StandardCharsets;

/**
 * Writes a response's status line and header section (RFC 9112 §4 and §5):
 *
 * <pre>
 *   HTTP/1.1 200 OK CRLF
 *   Content-Type: text/html CRLF
 *   ... CRLF
 *   CRLF
 * </pre>
 *
 * The status line always says HTTP/1.1, also to HTTP/1.0 clients: it names the version the server speaks, and the
 * rest of the response is kept within what HTTP/1.0 understands (RFC 9110 §6.2). Body bytes pass through this
 * encoder untouched, since they are ByteBufs or FileRegions rather than heads.
 */
@ChannelHandler.Sharable
public final class ResponseHeadEncoder extends MessageToByteEncoder<HttpResponseHead> {

    private static final byte[] VERSION = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COLON_SP = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};

    @Override
    protected void encode(ChannelHandlerContext ctx, HttpResponseHead head, ByteBuf out) {
        write(head, out);
    }

    /**
     * The head's bytes exactly as {@link #encode} puts them on the wire: what a trace's field tree is built from, so
     * that its offsets are the real ones.
     */
    public static byte[] toBytes(HttpResponseHead head) {
        ByteBuf out = Unpooled.buffer(256);
        write(head, out);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /**
     * The head is laid out in a byte array first and copied into the connection's buffer in one piece: one copy
     * of exactly {@link #length} bytes, rather than a dozen small writes that each check and grow the buffer.
     */
    private static void write(HttpResponseHead head, ByteBuf out) {
        byte[] bytes = new byte[length(head)];
        int at = put(VERSION, bytes, 0);
        at = putAscii(Integer.toString(head.status().code()), bytes, at);
        bytes[at++] = ' ';
        at = putAscii(head.status().reason(), bytes, at);
        at = put(CRLF, bytes, at);
        for (HttpResponseHead.Field field : head.fields()) {
            at = putAscii(field.name(), bytes, at);
            at = put(COLON_SP, bytes, at);
            at = putValue(field.value(), bytes, at);
            at = put(CRLF, bytes, at);
        }
        put(CRLF, bytes, at);
        out.writeBytes(bytes);
    }

    /** The head's size on the wire: one byte per character, since names are tokens and values Latin-1. */
    static int length(HttpResponseHead head) {
        int length = VERSION.length + Integer.toString(head.status().code()).length() + 1
                + head.status().reason().length() + CRLF.length;
        for (HttpResponseHead.Field field : head.fields()) {
            length += field.name().length() + COLON_SP.length + field.value().length() + CRLF.length;
        }
        return length + CRLF.length;
    }

    private static int put(byte[] source, byte[] bytes, int at) {
        System.arraycopy(source, 0, bytes, at, source.length);
        return at + source.length;
    }

    /** A token or reason phrase: ASCII by construction (RFC 9110 §5.1, §15). */
    private static int putAscii(String text, byte[] bytes, int at) {
        for (int i = 0; i < text.length(); i++) {
            bytes[at++] = (byte) text.charAt(i);
        }
        return at;
    }

    /**
     * A field value as ISO-8859-1 (RFC 9110 §5.5 allows obs-text octets). Values a handler copies from elsewhere
     * (a CGI header, a file name) must not smuggle a line break, so CR, LF and NUL become spaces.
     */
    private static int putValue(String value, byte[] bytes, int at) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            bytes[at++] = c == '\r' || c == '\n' || c == '\0' ? (byte) ' ' : c > 0xff ? (byte) '?' : (byte) c;
        }
        return at;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, HttpResponseHead msg, boolean preferDirect) {
        return ctx.alloc().ioBuffer(length(msg));
    }
}
