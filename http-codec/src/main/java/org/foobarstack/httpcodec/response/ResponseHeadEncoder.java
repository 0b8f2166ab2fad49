package org.foobarstack.httpcodec.response;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

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
public final class ResponseHeadEncoder extends MessageToMessageEncoder<HttpResponseHead> {

    private static final byte[] VERSION = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COLON_SP = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};

    /**
     * The head is laid out in a byte array first and copied into an exactly sized buffer in one piece, rather than
     * written in a dozen small writes that each check and grow the buffer.
     */
    @Override
    protected void encode(ChannelHandlerContext ctx, HttpResponseHead head, List<Object> out) {
        byte[] bytes = toBytes(head);
        out.add(ctx.alloc().ioBuffer(bytes.length).writeBytes(bytes));
    }

    /**
     * The head's bytes exactly as {@link #encode} puts them on the wire: also what a trace's field tree is built
     * from, so that its offsets are the real ones.
     */
    public static byte[] toBytes(HttpResponseHead head) {
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
        return bytes;
    }

    /** The head's size on the wire: one byte per character, since names are tokens and values Latin-1. */
    private static int length(HttpResponseHead head) {
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
}
