package org.foobarstack.walk.packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A pcap capture file, the format tcpdump writes with {@code -w} (pcap-savefile(5); the IETF's
 * draft-ietf-opsawg-pcap describes the same bytes):
 *
 * <pre>
 * file header, 24 bytes:
 *   0  magic number   a1 b2 c3 d4 in the writer's byte order (a1 b2 3c 4d: nanosecond timestamps)
 *   4  major version  2
 *   6  minor version  4
 *   8  reserved       (once "thiszone" and "sigfigs"; always 0)
 *  16  snapshot length, the most bytes kept of one packet
 *  20  link type      how each frame begins: 1 Ethernet, 113 Linux cooked capture, 276 its version 2...
 * then, for each packet, a 16-byte record header and the captured bytes:
 *   0  timestamp, seconds
 *   4  timestamp, microseconds (or nanoseconds)
 *   8  captured length
 *  12  original length
 * </pre>
 * The numbers are in the byte order of the machine that wrote the file: the magic number tells which.
 * A record cut short at the end of the file (tcpdump still writing it) is left out and counted.
 *
 * @param linkType        the link type of every frame in the file ({@link LinkHeader} decodes it)
 * @param snapLength      the snapshot length
 * @param nanoseconds     whether the timestamps' second field counts nanoseconds
 * @param records         the complete records, in file order
 * @param truncatedTail   the bytes at the end that do not make a whole record yet
 */
public record PcapFile(int linkType, long snapLength, boolean nanoseconds, List<PcapRecord> records,
                       int truncatedTail) {

    public static final int FILE_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    private static final long MAGIC_MICROS = 0xa1b2c3d4L;
    private static final long MAGIC_NANOS = 0xa1b23c4dL;
    /** The link type is the low 16 bits; the high bits of the field may say whether frames carry an FCS. */
    private static final long LINK_TYPE_MASK = 0xffff;

    public PcapFile {
        records = List.copyOf(records);
    }

    /** Reads a whole file's bytes. */
    public static PcapFile read(byte[] file) {
        if (file.length < FILE_HEADER_LENGTH) {
            throw new MalformedPacketException(0, "a pcap file begins with a 24-byte header; this one has "
                    + file.length + " bytes");
        }
        boolean littleEndian;
        boolean nanos;
        long big = Bytes.u32(file, 0);
        long little = Bytes.u32le(file, 0);
        if (big == MAGIC_MICROS || big == MAGIC_NANOS) {
            littleEndian = false;
            nanos = big == MAGIC_NANOS;
        } else if (little == MAGIC_MICROS || little == MAGIC_NANOS) {
            littleEndian = true;
            nanos = little == MAGIC_NANOS;
        } else {
            throw new MalformedPacketException(0, String.format("not a pcap file: magic number 0x%08x"
                    + " (pcapng files begin with 0x0a0d0d0a; tcpdump -w writes pcap)", big));
        }
        long snapLength = u32(file, 16, littleEndian);
        int linkType = (int) (u32(file, 20, littleEndian) & LINK_TYPE_MASK);
        List<PcapRecord> records = new ArrayList<>();
        int offset = FILE_HEADER_LENGTH;
        while (offset + RECORD_HEADER_LENGTH <= file.length) {
            long seconds = u32(file, offset, littleEndian);
            long fraction = u32(file, offset + 4, littleEndian);
            long captured = u32(file, offset + 8, littleEndian);
            long original = u32(file, offset + 12, littleEndian);
            if (captured > Integer.MAX_VALUE - offset) {
                throw new MalformedPacketException(offset + 8, "record " + (records.size() + 1)
                        + " claims " + captured + " captured bytes");
            }
            int start = offset + RECORD_HEADER_LENGTH;
            if (start + captured > file.length) {
                break;
            }
            long micros = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
            records.add(new PcapRecord(records.size() + 1, micros, (int) Math.min(original, Integer.MAX_VALUE),
                    Arrays.copyOfRange(file, start, start + (int) captured)));
            offset = start + (int) captured;
        }
        return new PcapFile(linkType, snapLength, nanos, records, file.length - offset);
    }

    private static long u32(byte[] file, int offset, boolean littleEndian) {
        return littleEndian ? Bytes.u32le(file, offset) : Bytes.u32(file, offset);
    }
}
