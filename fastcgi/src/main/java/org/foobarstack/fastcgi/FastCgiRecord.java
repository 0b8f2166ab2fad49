package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One FastCGI record as it travels through a Netty pipeline: its type, its request id and its content.
 *
 * <p>The header's length fields and the padding are not stored here: the {@link FastCgiRecordEncoder} computes
 * them when writing and the {@link FastCgiRecordDecoder} checks and drops them when reading. The type is kept as
 * the raw byte so that a record of a type this code does not know can still be decoded and answered.
 *
 * <p>The content is a reference-counted buffer: whoever receives a record releases it (Netty's rule for every
 * message that holds a {@link ByteBuf}).
 */
public final class FastCgiRecord extends DefaultByteBufHolder {

    private final int type;
    private final int requestId;
    private final int paddingLength;

    /** A record to send: the encoder will pad it to a multiple of 8 bytes ({@link RecordHeader#paddingFor}). */
    public FastCgiRecord(int type, int requestId, ByteBuf content) {
        this(type, requestId, content, RecordHeader.paddingFor(content.readableBytes()));
    }

    /**
     * A record as it was received, with the padding its sender chose (nginx pads to 8, php-fpm too, other peers
     * not at all): the decoder drops the padding bytes but keeps their count, so that a trace can show the header
     * exactly as it crossed the wire.
     */
    public FastCgiRecord(int type, int requestId, ByteBuf content, int paddingLength) {
        super(checkedContent(content));
        if (paddingLength < 0 || paddingLength > RecordHeader.MAX_PADDING_LENGTH) {
            content.release();
            throw new IllegalArgumentException("paddingLength is one byte (FastCGI §3.3), got " + paddingLength);
        }
        this.paddingLength = paddingLength;
        if (type < 0 || type > 0xFF || requestId < 0 || requestId > 0xFFFF) {
            content.release();
            throw new IllegalArgumentException("type must fit one byte and requestId two (FastCGI §3.3), got type "
                    + type + ", requestId " + requestId);
        }
        this.type = type;
        this.requestId = requestId;
    }

    public FastCgiRecord(RecordType type, int requestId, ByteBuf content) {
        this(type.code(), requestId, content);
    }

    /** Checked before the buffer is adopted, so that a refused buffer is released rather than leaked. */
    private static ByteBuf checkedContent(ByteBuf content) {
        if (content.readableBytes() > RecordHeader.MAX_CONTENT_LENGTH) {
            int length = content.readableBytes();
            content.release();
            throw new IllegalArgumentException("a record carries at most " + RecordHeader.MAX_CONTENT_LENGTH
                    + " content bytes (FastCGI §3.3), got " + length);
        }
        return content;
    }

    /** A record with no content: the end of a stream, or an ABORT_REQUEST. */
    public static FastCgiRecord empty(RecordType type, int requestId) {
        return new FastCgiRecord(type, requestId, Unpooled.EMPTY_BUFFER);
    }

    /** The raw type byte. */
    public int typeCode() {
        return type;
    }

    /** The type, or {@code null} for a type FastCGI 1.0 does not define. */
    public RecordType type() {
        return RecordType.byCode(type);
    }

    public boolean is(RecordType expected) {
        return type == expected.code();
    }

    public int requestId() {
        return requestId;
    }

    /** Padding bytes after the content: as received, or as the encoder will write them. */
    public int paddingLength() {
        return paddingLength;
    }

    /** The 8-byte header of this record (§3.3), as received or as it will be sent. */
    public RecordHeader header() {
        return new RecordHeader(RecordHeader.VERSION_1, type, requestId, content().readableBytes(), paddingLength);
    }

    /** True for the empty record that ends a stream (§3.3). */
    public boolean isEndOfStream() {
        return content().readableBytes() == 0;
    }

    @Override
    public FastCgiRecord replace(ByteBuf content) {
        return new FastCgiRecord(type, requestId, content, paddingLength);
    }

    @Override
    public FastCgiRecord retain() {
        super.retain();
        return this;
    }

    @Override
    public FastCgiRecord retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public String toString() {
        return "FastCgiRecord{" + RecordType.nameOf(type) + ", requestId=" + requestId
                + ", contentLength=" + content().readableBytes() + "}";
    }
}
