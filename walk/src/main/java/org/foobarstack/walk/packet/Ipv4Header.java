package org.foobarstack.walk.packet;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;

/**
 * The IPv4 header, RFC 791 §3.1:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options                    |    Padding    |
 * </pre>
 * The type of service byte is today's DSCP (RFC 2474) and ECN (RFC 3168) bits.
 *
 * @param offset         where the header begins in the frame
 * @param headerLength   IHL times 4: 20 without options
 * @param totalLength    header and payload
 * @param protocol       what the payload is: 6 TCP, 17 UDP (the IANA protocol numbers)
 * @param checksumValid  whether the header checksum adds up (RFC 791 §3.1, "Header Checksum")
 */
public record Ipv4Header(int offset, int headerLength, int totalLength, int identification, boolean dontFragment,
                         boolean moreFragments, int fragmentOffset, int timeToLive, int protocol, int checksum,
                         boolean checksumValid, String source, String destination, Field field) {

    public static final int MIN_LENGTH = 20;

    public static Ipv4Header decode(byte[] frame, int offset) {
        Bytes.check(frame, offset, MIN_LENGTH);
        int first = Bytes.u8(frame, offset);
        int version = first >> 4;
        if (version != 4) {
            throw new MalformedPacketException(offset, "IP version " + version + " where 4 was expected");
        }
        int ihl = first & 0x0f;
        int headerLength = ihl * 4;
        if (headerLength < MIN_LENGTH) {
            throw new MalformedPacketException(offset, "IHL " + ihl + ": an IPv4 header is at least 5 words");
        }
        Bytes.check(frame, offset, headerLength);
        int tos = Bytes.u8(frame, offset + 1);
        int totalLength = Bytes.u16(frame, offset + 2);
        int identification = Bytes.u16(frame, offset + 4);
        int flagsAndFragment = Bytes.u16(frame, offset + 6);
        boolean df = (flagsAndFragment & 0x4000) != 0;
        boolean mf = (flagsAndFragment & 0x2000) != 0;
        int fragmentOffset = flagsAndFragment & 0x1fff;
        int ttl = Bytes.u8(frame, offset + 8);
        int protocol = Bytes.u8(frame, offset + 9);
        int checksum = Bytes.u16(frame, offset + 10);
        boolean valid = onesComplementSum(frame, offset, headerLength) == 0xffff;
        String source = address(frame, offset + 12);
        String destination = address(frame, offset + 16);

        List<Field> children = new ArrayList<>();
        children.add(Field.of("Version", offset, 1, Field.bits(8, 0xf0, first) + " = Version: 4"));
        children.add(Field.of("Header length", offset, 1, Field.bits(8, 0x0f, first) + " = IHL: " + ihl
                + " words, " + headerLength + " bytes"));
        children.add(Field.group("Type of service", offset + 1, 1, String.format("0x%02x", tos), List.of(
                Field.of("DSCP", offset + 1, 1, Field.bits(8, 0xfc, tos) + " = Differentiated Services Code Point: "
                        + (tos >> 2) + " (RFC 2474)"),
                Field.of("ECN", offset + 1, 1, Field.bits(8, 0x03, tos) + " = Explicit Congestion Notification: "
                        + (tos & 3) + " (RFC 3168)"))));
        children.add(Field.of("Total length", offset + 2, 2, totalLength + " (header and payload)"));
        children.add(Field.of("Identification", offset + 4, 2, String.format("0x%04x (%d)", identification,
                identification)));
        children.add(Field.group("Flags", offset + 6, 2, String.format("0x%x%s", flagsAndFragment >> 13,
                df ? ", Don't fragment" : ""), List.of(
                Field.of("Reserved", offset + 6, 2, Field.bits(16, 0x8000, flagsAndFragment) + " = Reserved: 0"),
                Field.of("Don't fragment", offset + 6, 2, Field.bits(16, 0x4000, flagsAndFragment)
                        + " = Don't fragment: " + (df ? "Set" : "Not set")),
                Field.of("More fragments", offset + 6, 2, Field.bits(16, 0x2000, flagsAndFragment)
                        + " = More fragments: " + (mf ? "Set" : "Not set")))));
        children.add(Field.of("Fragment offset", offset + 6, 2, Field.bits(16, 0x1fff, flagsAndFragment)
                + " = Fragment offset: " + fragmentOffset + " (units of 8 bytes)"));
        children.add(Field.of("Time to live", offset + 8, 1, ttl + " (hops left; each router takes one)"));
        children.add(Field.of("Protocol", offset + 9, 1, protocolName(protocol)));
        children.add(Field.of("Header checksum", offset + 10, 2, String.format("0x%04x %s", checksum,
                valid ? "[correct]" : "[incorrect]")));
        children.add(Field.of("Source address", offset + 12, 4, source));
        children.add(Field.of("Destination address", offset + 16, 4, destination));
        if (headerLength > MIN_LENGTH) {
            children.add(Field.of("Options", offset + MIN_LENGTH, headerLength - MIN_LENGTH,
                    Bytes.hex(frame, offset + MIN_LENGTH, headerLength - MIN_LENGTH, " ")));
        }
        Field field = Field.group("Internet layer: Internet Protocol version 4", offset, headerLength,
                "Src: " + source + ", Dst: " + destination, children);
        return new Ipv4Header(offset, headerLength, totalLength, identification, df, mf, fragmentOffset, ttl,
                protocol, checksum, valid, source, destination, field);
    }

    /** Where the payload ends in the frame: the total length says, not the frame (Ethernet pads short frames). */
    public int payloadEnd() {
        return offset + totalLength;
    }

    static String protocolName(int protocol) {
        return protocol + switch (protocol) {
            case 1 -> " (ICMP)";
            case 6 -> " (TCP)";
            case 17 -> " (UDP)";
            case 58 -> " (ICMPv6)";
            default -> "";
        };
    }

    private static String address(byte[] frame, int offset) {
        return Bytes.u8(frame, offset) + "." + Bytes.u8(frame, offset + 1) + "." + Bytes.u8(frame, offset + 2)
                + "." + Bytes.u8(frame, offset + 3);
    }

    /** The 16-bit one's complement sum of the header (RFC 791 §3.1; RFC 1071 §1): 0xffff when the checksum is right. */
    private static int onesComplementSum(byte[] frame, int offset, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += Bytes.u16(frame, offset + i);
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return sum;
    }
}
