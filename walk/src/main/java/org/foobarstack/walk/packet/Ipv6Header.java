package org.foobarstack.walk.packet;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;

/**
 * The IPv6 header, RFC 8200 §3: a fixed 40 bytes, with no checksum and no fragmentation fields of its own.
 *
 * <pre>
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                  Source Address (128 bits)                    |
 * |               Destination Address (128 bits)                  |
 * </pre>
 * Extension headers (RFC 8200 §4) would come between it and TCP or UDP; traffic on loopback has none,
 * and a packet that has them is shown with its next header named and not decoded further.
 *
 * @param nextHeader  what follows: 6 TCP, 17 UDP, or an extension header
 */
public record Ipv6Header(int offset, int payloadLength, int nextHeader, int hopLimit, String source,
                         String destination, Field field) {

    public static final int LENGTH = 40;

    public static Ipv6Header decode(byte[] frame, int offset) {
        Bytes.check(frame, offset, LENGTH);
        long first = Bytes.u32(frame, offset);
        int version = (int) (first >>> 28);
        if (version != 6) {
            throw new MalformedPacketException(offset, "IP version " + version + " where 6 was expected");
        }
        int trafficClass = (int) (first >>> 20) & 0xff;
        int flowLabel = (int) (first & 0xfffff);
        int payloadLength = Bytes.u16(frame, offset + 4);
        int nextHeader = Bytes.u8(frame, offset + 6);
        int hopLimit = Bytes.u8(frame, offset + 7);
        String source = address(frame, offset + 8);
        String destination = address(frame, offset + 24);
        List<Field> children = new ArrayList<>();
        children.add(Field.of("Version", offset, 1, Field.bits(8, 0xf0, Bytes.u8(frame, offset)) + " = Version: 6"));
        children.add(Field.of("Traffic class", offset, 2, String.format("0x%02x (DSCP %d, ECN %d; RFC 8200 §7)",
                trafficClass, trafficClass >> 2, trafficClass & 3)));
        children.add(Field.of("Flow label", offset + 1, 3, String.format("0x%05x (RFC 8200 §6)", flowLabel)));
        children.add(Field.of("Payload length", offset + 4, 2, payloadLength + " (what follows this header)"));
        children.add(Field.of("Next header", offset + 6, 1, Ipv4Header.protocolName(nextHeader)));
        children.add(Field.of("Hop limit", offset + 7, 1, Integer.toString(hopLimit)));
        children.add(Field.of("Source address", offset + 8, 16, source));
        children.add(Field.of("Destination address", offset + 24, 16, destination));
        Field field = Field.group("Internet layer: Internet Protocol version 6", offset, LENGTH,
                "Src: " + source + ", Dst: " + destination, children);
        return new Ipv6Header(offset, payloadLength, nextHeader, hopLimit, source, destination, field);
    }

    public int payloadEnd() {
        return offset + LENGTH + payloadLength;
    }

    /** The address in RFC 5952 text form: lower case, leading zeros dropped, the longest run of zero groups as "::". */
    static String address(byte[] frame, int offset) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = Bytes.u16(frame, offset + 2 * i);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
