package org.foobarstack.httpcodec.response;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
     * The head is written straight into one exactly sized buffer: its size is counted first, so the buffer never
     * grows, and no intermediate array is made (a proxy writes one head per response it passes on).
     */
    @Override
    protected void encode(ChannelHandlerContext ctx, HttpResponseHead head, List<Object> out) {
        ByteBuf buffer = ctx.alloc().ioBuffer(length(head));
        writeTo(head, buffer);
        out.add(buffer);
    }

    /**
     * The head's bytes exactly as {@link #encode} puts them on the wire: also what a trace's field tree is built
     * from, so that its offsets are the real ones.
     */
    public static byte[] toBytes(HttpResponseHead head) {
        byte[] bytes = new byte[length(head)];
        writeTo(head, Unpooled.wrappedBuffer(bytes).clear());
        return bytes;
    }

    /** Status line, field lines, empty line: RFC 9112 §4 and §5. */
    private static void writeTo(HttpResponseHead head, ByteBuf out) {
        out.writeBytes(VERSION);
        writeCode(head.status().code(), out);
        out.writeByte(' ');
        writeAscii(head.status().reason(), out);
        out.writeBytes(CRLF);
        for (HttpResponseHead.Field field : head.fields()) {
            writeAscii(field.name(), out);
            out.writeBytes(COLON_SP);
            FieldValues.write(field.value(), out);
            out.writeBytes(CRLF);
        }
        out.writeBytes(CRLF);
    }

    /** The head's size on the wire: one byte per character, since names are tokens and values Latin-1. */
    private static int length(HttpResponseHead head) {
        int length = VERSION.length + codeLength(head.status().code()) + 1
                + head.status().reason().length() + CRLF.length;
        for (HttpResponseHead.Field field : head.fields()) {
            length += field.name().length() + COLON_SP.length + field.value().length() + CRLF.length;
        }
        return length + CRLF.length;
    }

    /** status-code = 3DIGIT (RFC 9112 §4), written without making a String of it. */
    private static void writeCode(int code, ByteBuf out) {
        if (code >= 100 && code <= 999) {
            out.writeByte('0' + code / 100);
            out.writeByte('0' + code / 10 % 10);
            out.writeByte('0' + code % 10);
        } else {
            writeAscii(Integer.toString(code), out);
        }
    }

    private static int codeLength(int code) {
        return code >= 100 && code <= 999 ? 3 : Integer.toString(code).length();
    }

    /** A token or reason phrase: ASCII by construction (RFC 9110 §5.1, §15). */
    private static void writeAscii(String text, ByteBuf out) {
        out.writeCharSequence(text, StandardCharsets.ISO_8859_1);
    }
}
