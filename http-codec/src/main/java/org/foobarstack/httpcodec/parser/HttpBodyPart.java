package org.foobarstack.httpcodec.parser;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A piece of a request body, as the parser decodes it: the bytes of a Content-Length body, or the data of a chunk
 * with the chunk framing removed. Every request ends with one part marked {@link #isLast()}, which may be empty;
 * a request without a body is followed by {@link #emptyLast()} alone, so that a reader of the parser's output
 * always knows where one request ends and the next begins.
 *
 * <p>The content is reference-counted: whoever receives a part releases it.
 */
public final class HttpBodyPart extends DefaultByteBufHolder {

    private final boolean last;

    public HttpBodyPart(ByteBuf content, boolean last) {
        super(content);
        this.last = last;
    }

    public static HttpBodyPart emptyLast() {
        return new HttpBodyPart(Unpooled.EMPTY_BUFFER, true);
    }

    public boolean isLast() {
        return last;
    }

    @Override
    public HttpBodyPart replace(ByteBuf content) {
        return new HttpBodyPart(content, last);
    }

    @Override
    public String toString() {
        return "HttpBodyPart{" + content().readableBytes() + " bytes" + (last ? ", last" : "") + "}";
    }
}
