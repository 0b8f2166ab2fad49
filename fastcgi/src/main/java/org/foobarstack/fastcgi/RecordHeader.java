package org.foobarstack.fastcgi;

import io.netty.buffer.ByteBuf;

/**
 * The fixed 8-byte header that starts every FastCGI record (specification §3.3):
 *
 * <pre>
 *   byte 0      version          always 1 (FCGI_VERSION_1)
 *   byte 1      type             see {@link RecordType}
 *   bytes 2-3   requestId        big-endian; 0 for management records
 *   bytes 4-5   contentLength    big-endian; 0..65535
 *   byte 6      paddingLength    0..255 bytes of padding after the content
 *   byte 7      reserved         sent as 0, ignored on receipt
 * </pre>
 *
 * Padding lets a sender keep records aligned; the specification recommends a multiple of 8 bytes (§3.3),
 * which is what {@link #paddingFor(int)} computes.
 *
 * @param version       the protocol version byte
 * @param type          the raw type byte (kept raw so that unknown types can be answered with UNKNOWN_TYPE)
 * @param requestId     the request this record belongs to, or 0 for management records
 * @param contentLength how many content bytes follow the header
 * @param paddingLength how many padding bytes follow the content
 */
public record RecordHeader(int version, int type, int requestId, int contentLength, int paddingLength) {

    /** Length of the header itself. */
    public static final int LENGTH = 8;
    /** FCGI_VERSION_1: the only version ever published. */
    public static final int VERSION_1 = 1;
    /** FCGI_NULL_REQUEST_ID: the id management records carry. */
    public static final int NULL_REQUEST_ID = 0;
    /** contentLength is two bytes, so one record carries at most this many content bytes. */
    public static final int MAX_CONTENT_LENGTH = 0xFFFF;
    /** paddingLength is one byte. */
    public static final int MAX_PADDING_LENGTH = 0xFF;
    /** The alignment the specification recommends for records (§3.3). */
    public static final int ALIGNMENT = 8;

    public RecordHeader {
        checkRange("version", version, 0, 0xFF);
        checkRange("type", type, 0, 0xFF);
        checkRange("requestId", requestId, 0, 0xFFFF);
        checkRange("contentLength", contentLength, 0, MAX_CONTENT_LENGTH);
        checkRange("paddingLength", paddingLength, 0, MAX_PADDING_LENGTH);
    }

    /** A version-1 header with the recommended padding for {@code contentLength}. */
    public static RecordHeader of(RecordType type, int requestId, int contentLength) {
        return new RecordHeader(VERSION_1, type.code(), requestId, contentLength, paddingFor(contentLength));
    }

    /** Padding that brings {@code contentLength} up to the next multiple of {@link #ALIGNMENT}. */
    public static int paddingFor(int contentLength) {
        return (ALIGNMENT - (contentLength % ALIGNMENT)) % ALIGNMENT;
    }

    /** Reads a header; the caller has checked that {@link #LENGTH} bytes are readable. */
    public static RecordHeader read(ByteBuf in) {
        int version = in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int requestId = in.readUnsignedShort();
        int contentLength = in.readUnsignedShort();
        int paddingLength = in.readUnsignedByte();
        in.skipBytes(1); // reserved
        return new RecordHeader(version, type, requestId, contentLength, paddingLength);
    }

    public void write(ByteBuf out) {
        out.writeByte(version);
        out.writeByte(type);
        out.writeShort(requestId);
        out.writeShort(contentLength);
        out.writeByte(paddingLength);
        out.writeByte(0); // reserved
    }

    /** Header, content and padding together. */
    public int recordLength() {
        return LENGTH + contentLength + paddingLength;
    }

    /**
     * The header as a reader wants it, type by name: {@code "PARAMS, request 1, 412 content bytes, 4 padding
     * bytes"}. A type FastCGI 1.0 does not define shows its number ({@code "type 42"}); a version other than 1 is
     * added at the end, since no other exists.
     */
    @Override
    public String toString() {
        return RecordType.nameOf(type) + ", request " + requestId + ", " + contentLength + " content bytes, "
                + paddingLength + " padding bytes" + (version == VERSION_1 ? "" : ", version " + version);
    }

    private static void checkRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " " + value + " outside " + min + ".." + max);
        }
    }
}
