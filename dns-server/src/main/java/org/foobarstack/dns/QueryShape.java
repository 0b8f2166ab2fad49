package org.foobarstack.dns;

import io.netty.buffer.ByteBuf;
import org.xbill.DNS.Type;

/**
 * Reads just enough of a query's bytes, without dnsjava and without allocating, to tell whether its
 * reply may come from the {@link AnswerCache}, and computes its key. The shape accepted is what
 * resolvers, dig and dnsperf send for an ordinary question (RFC 1035 §4.1):
 *
 * <pre>
 * header   12 bytes: QR clear, opcode QUERY, QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1
 * question a name as uncompressed labels of 1-63 bytes, 255 bytes at most (RFC 1035 §2.3.4),
 *          QTYPE (not AXFR or IXFR), QCLASS
 * OPT      (when ARCOUNT is 1) root owner, TYPE 41, version 0, no options (RFC 6891 §6.1.2)
 * </pre>
 *
 * and nothing after it. Anything else (compression pointers in a query, options such as cookies or the
 * trace option, a second question, trailing bytes) goes through the full path, where every rule of
 * {@link QueryProcessor} applies.
 *
 * <p>The key is the message from byte 2 on (everything but the ID) with the RD bit cleared; offsets are
 * from the buffer's reader index.
 */
final class QueryShape {

    static final int HEADER = 12;
    private static final int QDCOUNT = 4;
    private static final int ANCOUNT = 6;
    private static final int NSCOUNT = 8;
    private static final int ARCOUNT = 10;
    /** QR (0x80) and the four opcode bits (0x78) of byte 2; all clear for a standard query. */
    private static final int QR_AND_OPCODE = 0xF8;
    /** A length byte with either of its top bits set is a pointer or an extended label type (RFC 6891 §5). */
    private static final int LABEL_TYPE_BITS = 0xC0;
    private static final int MAX_NAME = 255;
    /** An OPT RR without options: root name (1), TYPE (2), CLASS (2), TTL (4), RDLENGTH (2). */
    private static final int BARE_OPT = 11;

    private QueryShape() {
    }

    /**
     * The end of the message (an index into {@code q}) if it has the plain shape, or -1.
     */
    static int end(ByteBuf q) {
        int start = q.readerIndex();
        int limit = q.writerIndex();
        if (limit - start < HEADER + 1 + 4
                || (q.getByte(start + AnswerCache.FLAGS_BYTE) & QR_AND_OPCODE) != 0
                || q.getUnsignedShort(start + QDCOUNT) != 1
                || q.getUnsignedShort(start + ANCOUNT) != 0
                || q.getUnsignedShort(start + NSCOUNT) != 0) {
            return -1;
        }
        int additional = q.getUnsignedShort(start + ARCOUNT);
        if (additional > 1) {
            return -1;
        }
        int i = start + HEADER;
        while (true) {
            if (i >= limit || i - start - HEADER >= MAX_NAME) {
                return -1;
            }
            int length = q.getUnsignedByte(i);
            if ((length & LABEL_TYPE_BITS) != 0) {
                return -1;
            }
            i += 1 + length;
            if (length == 0) {
                break;
            }
        }
        if (i + 4 > limit) {
            return -1;
        }
        int qtype = q.getUnsignedShort(i);
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            return -1; // RFC 5936 §6: who may transfer depends on the client, not on the question
        }
        i += 4;
        if (additional == 1) {
            // root owner, TYPE OPT, CLASS = UDP size, TTL = extended rcode, version, flags, then RDLENGTH 0
            if (i + BARE_OPT != limit || q.getByte(i) != 0 || q.getUnsignedShort(i + 1) != Type.OPT
                    || q.getByte(i + 6) != 0 || q.getUnsignedShort(i + 9) != 0) {
                return -1;
            }
            i += BARE_OPT;
        }
        return i == limit ? i : -1;
    }

    /** The question's type, {@code end} being what {@link #end} returned. */
    static int qtype(ByteBuf q, int end) {
        int opt = q.getUnsignedShort(q.readerIndex() + ARCOUNT) == 1 ? BARE_OPT : 0;
        return q.getUnsignedShort(end - opt - 4);
    }

    /** A hash of the key (FNV-1a over the bytes after the ID, RD cleared). */
    static int hash(ByteBuf q, int end) {
        int start = q.readerIndex();
        int h = 0x811C9DC5;
        for (int i = start + AnswerCache.FLAGS_BYTE; i < end; i++) {
            h = (h ^ keyByte(q, start, i)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    /** The key's bytes, kept in the entry. */
    static byte[] key(ByteBuf q, int end) {
        int start = q.readerIndex();
        byte[] key = new byte[end - start - AnswerCache.FLAGS_BYTE];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) keyByte(q, start, start + AnswerCache.FLAGS_BYTE + i);
        }
        return key;
    }

    static boolean sameKey(ByteBuf q, int end, byte[] key) {
        int start = q.readerIndex();
        if (end - start - AnswerCache.FLAGS_BYTE != key.length) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if ((byte) keyByte(q, start, start + AnswerCache.FLAGS_BYTE + i) != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** The byte at {@code i}, with RD cleared when it is the flags byte. */
    private static int keyByte(ByteBuf q, int start, int i) {
        int b = q.getUnsignedByte(i);
        return i == start + AnswerCache.FLAGS_BYTE ? b & ~AnswerCache.RD : b;
    }
}
