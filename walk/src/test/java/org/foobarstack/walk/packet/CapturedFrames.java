package org.foobarstack.walk.packet;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * Frames captured by tcpdump on Linux's loopback ({@code -i lo}, link type Ethernet), as hexadecimal, and a pcap
 * file of a test's own making that holds them: the known bytes the decoder tests and the walk's JSON tests read.
 */
public final class CapturedFrames {

    /** dig's query for www.foobar.com A, from port 54374 to our DNS server's 5300. */
    public static final String DNS_QUERY = "000000000000000000000000080045000"
            + "03c81b500004011faf97f0000017f000001d46614b40028fe3ba700012000010000000000000377777706666f6f"
            + "62617203636f6d0000010001";
    /** SYN from port 57312 to 8080, with MSS, SACK permitted, timestamps, NOP and window scale 10. */
    public static final String SYN = "00000000000000000000000008004500003c6c0d40004006d0ac7f0000017f000001"
            + "dfe01f9008617aed00000000a002ffd7fe3000000204ffd70402080a8f8f1489000000000103030a";
    public static final String SYN_ACK = "00000000000000000000000008004500003c0000400040063cba7f0000017f000001"
            + "1f90dfe08148ebfe08617aeea012ffcbfe3000000204ffd70402080acfda3a318f8f14890103030a";
    public static final String ACK = "0000000000000000000000000800450000346c0e40004006d0b37f0000017f000001"
            + "dfe01f9008617aee8148ebff80100040fe2800000101080a8f8f1489cfda3a31";

    /** When {@link #pcap}'s first packet was captured, in microseconds since the epoch; each next one 13 µs later. */
    public static final long FIRST_EPOCH_MICROS = 1796461993_875280L;

    private static final HexFormat HEX = HexFormat.of();

    private CapturedFrames() {
    }

    /**
     * A pcap file as tcpdump writes it (the classic format, not pcapng): a 24-byte header with microsecond timestamps
     * and snap length 262144 in the given byte order, then a 16-byte record header before each frame.
     */
    public static byte[] pcap(ByteOrder order, int linkType, String... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(24).order(order);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144)
                .putInt(linkType);
        out.writeBytes(header.array());
        long micros = FIRST_EPOCH_MICROS;
        for (String frame : frames) {
            byte[] bytes = HEX.parseHex(frame);
            ByteBuffer record = ByteBuffer.allocate(16).order(order);
            record.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(bytes.length)
                    .putInt(bytes.length);
            out.writeBytes(record.array());
            out.writeBytes(bytes);
            micros += 13;
        }
        return out.toByteArray();
    }
}
