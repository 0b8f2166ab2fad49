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

    private static void write(HttpResponseHead head, ByteBuf out) {
        out.writeBytes(VERSION);
        out.writeCharSequence(Integer.toString(head.status().code()), StandardCharsets.US_ASCII);
        out.writeByte(' ');
        out.writeCharSequence(head.status().reason(), StandardCharsets.US_ASCII);
        out.writeBytes(CRLF);
        for (HttpResponseHead.Field field : head.fields()) {
            out.writeCharSequence(field.name(), StandardCharsets.US_ASCII);
            out.writeBytes(COLON_SP);
            // values a handler copies from elsewhere (a CGI header, a file name) must not smuggle a line break
            out.writeCharSequence(stripLineBreaks(field.value()), StandardCharsets.ISO_8859_1);
            out.writeBytes(CRLF);
        }
        out.writeBytes(CRLF);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, HttpResponseHead msg, boolean preferDirect) {
        return ctx.alloc().ioBuffer(256);
    }

    private static String stripLineBreaks(String value) {
        if (value.indexOf('\r') < 0 && value.indexOf('\n') < 0 && value.indexOf('\0') < 0) {
            return value;
        }
        return value.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
    }
}
