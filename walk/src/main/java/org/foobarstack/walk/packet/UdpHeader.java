package org.foobarstack.walk.packet;

import java.util.List;
import org.foobarstack.trace.Field;

/**
 * The UDP header, RFC 768: four 16-bit fields, then the datagram's data. No connection, no sequence
 * numbers, no retransmission: one datagram is one message (a DNS query fits in one, RFC 1035 §4.2.1).
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * |     Length      |    Checksum     |
 * |          data octets ...
 * </pre>
 *
 * @param length header and data, in bytes
 */
public record UdpHeader(int offset, int sourcePort, int destinationPort, int length, int checksum) {

    public static final int LENGTH = 8;

    public static UdpHeader decode(byte[] frame, int offset, int end) {
        Bytes.check(frame, offset, LENGTH);
        int length = Bytes.u16(frame, offset + 4);
        if (length < LENGTH || offset + length > end) {
            throw new MalformedPacketException(offset + 4, "UDP length " + length + " does not fit the IP packet ("
                    + (end - offset) + " bytes)");
        }
        return new UdpHeader(offset, Bytes.u16(frame, offset), Bytes.u16(frame, offset + 2), length,
                Bytes.u16(frame, offset + 6));
    }

    public int payloadOffset() {
        return offset + LENGTH;
    }

    public int payloadLength() {
        return length - LENGTH;
    }

    public Field field() {
        return Field.group("Transport layer: User Datagram Protocol", offset, LENGTH,
                sourcePort + " -> " + destinationPort + " Len=" + payloadLength(), List.of(
                        Field.of("Source port", offset, 2, Integer.toString(sourcePort)),
                        Field.of("Destination port", offset + 2, 2, Integer.toString(destinationPort)),
                        Field.of("Length", offset + 4, 2, length + " (8 bytes of header and " + payloadLength()
                                + " of data)"),
                        Field.of("Checksum", offset + 6, 2, String.format("0x%04x [not verified]", checksum))));
    }
}
