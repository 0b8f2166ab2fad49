package org.foobarstack.walk.packet;

/** Big-endian ("network byte order", RFC 791 Appendix B) reads from a frame's bytes, bounds-checked. */
final class Bytes {

    private Bytes() {
    }

    static int u8(byte[] bytes, int offset) {
        check(bytes, offset, 1);
        return bytes[offset] & 0xff;
    }

    static int u16(byte[] bytes, int offset) {
        check(bytes, offset, 2);
        return (bytes[offset] & 0xff) << 8 | bytes[offset + 1] & 0xff;
    }

    static int u24(byte[] bytes, int offset) {
        check(bytes, offset, 3);
        return (bytes[offset] & 0xff) << 16 | (bytes[offset + 1] & 0xff) << 8 | bytes[offset + 2] & 0xff;
    }

    static long u32(byte[] bytes, int offset) {
        check(bytes, offset, 4);
        return (long) u16(bytes, offset) << 16 | u16(bytes, offset + 2);
    }

    /** A 32-bit little-endian read: a pcap file written on a little-endian machine stores its numbers so. */
    static long u32le(byte[] bytes, int offset) {
        check(bytes, offset, 4);
        return (bytes[offset] & 0xffL) | (bytes[offset + 1] & 0xffL) << 8 | (bytes[offset + 2] & 0xffL) << 16
                | (bytes[offset + 3] & 0xffL) << 24;
    }

    static String hex(byte[] bytes, int offset, int length, String separator) {
        check(bytes, offset, length);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                out.append(separator);
            }
            out.append(String.format("%02x", bytes[offset + i] & 0xff));
        }
        return out.toString();
    }

    static void check(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new MalformedPacketException(offset, "needs " + length + " bytes at offset " + offset
                    + ", the frame has " + bytes.length);
        }
    }
}
