package org.foobarstack.walk.packet;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;

/**
 * The TCP header, RFC 9293 §3.1:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * |           Checksum            |         Urgent Pointer        |
 * |                           [Options]                           |
 * </pre>
 * The sequence number counts the bytes the sender has sent, from a random initial value (ISN, §3.4.1) that
 * the SYN carries; SYN and FIN each take one number. The acknowledgment number is the next byte the sender
 * expects from the other side. Like Wireshark, {@link TcpNumbers} shows both relative to the ISNs, so a
 * connection's first data byte is number 1.
 *
 * @param offset      where the header begins in the frame
 * @param dataOffset  the header's length in bytes (the Data Offset field times 4)
 * @param flags       the control bits byte: CWR ECE URG ACK PSH RST SYN FIN
 * @param payloadLength bytes of data after the header in this segment
 */
public record TcpHeader(int offset, int sourcePort, int destinationPort, long sequenceNumber,
                        long acknowledgmentNumber, int dataOffset, int flags, int window, int checksum,
                        int urgentPointer, List<TcpOption> options, int payloadLength) {

    public static final int MIN_LENGTH = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private static final int[] FLAG_BITS = {CWR, ECE, URG, ACK, PSH, RST, SYN, FIN};
    private static final String[] FLAG_NAMES = {"CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"};
    private static final String[] FLAG_MEANINGS = {
        "Congestion window reduced (RFC 3168)", "ECN-Echo (RFC 3168)", "Urgent pointer is significant",
        "Acknowledgment number is significant", "Push: hand the data to the application now",
        "Reset the connection", "Synchronize sequence numbers: open a connection", "No more data from sender"};
    /** The order of flag names in a summary: what opens or closes the connection first, ACK after. */
    private static final int[] NAMING_ORDER = {SYN, FIN, RST, PSH, ACK, URG, ECE, CWR};

    public TcpHeader {
        options = List.copyOf(options);
    }

    /**
     * @param end where the segment ends in the frame (the IP header's length says, not the frame's)
     */
    public static TcpHeader decode(byte[] frame, int offset, int end) {
        Bytes.check(frame, offset, MIN_LENGTH);
        int dataOffset = (Bytes.u8(frame, offset + 12) >> 4) * 4;
        if (dataOffset < MIN_LENGTH) {
            throw new MalformedPacketException(offset + 12, "data offset " + dataOffset / 4
                    + " words: a TCP header is at least 5");
        }
        Bytes.check(frame, offset, dataOffset);
        if (offset + dataOffset > end) {
            throw new MalformedPacketException(offset, "the TCP header runs past the end of the IP packet");
        }
        return new TcpHeader(offset, Bytes.u16(frame, offset), Bytes.u16(frame, offset + 2),
                Bytes.u32(frame, offset + 4), Bytes.u32(frame, offset + 8), dataOffset,
                Bytes.u8(frame, offset + 13), Bytes.u16(frame, offset + 14), Bytes.u16(frame, offset + 16),
                Bytes.u16(frame, offset + 18), TcpOption.decodeAll(frame, offset + MIN_LENGTH, offset + dataOffset),
                end - offset - dataOffset);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public int payloadOffset() {
        return offset + dataOffset;
    }

    /** The set flags the way Wireshark names them: {@code SYN, ACK}, {@code PSH, ACK}, {@code FIN, ACK}. */
    public String flagNames() {
        List<String> names = new ArrayList<>();
        for (int flag : NAMING_ORDER) {
            if (has(flag)) {
                names.add(FLAG_NAMES[indexOf(flag)]);
            }
        }
        return String.join(", ", names);
    }

    private static int indexOf(int flag) {
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if (FLAG_BITS[i] == flag) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a TCP flag: " + flag);
    }

    /** The header as a field tree; {@code numbers} gives the relative sequence numbers and the window scale. */
    public Field field(TcpNumbers numbers) {
        List<Field> children = new ArrayList<>();
        children.add(Field.of("Source port", offset, 2, Integer.toString(sourcePort)));
        children.add(Field.of("Destination port", offset + 2, 2, Integer.toString(destinationPort)));
        children.add(Field.of("Sequence number", offset + 4, 4, numbers.relativeSequence(this)
                .map(relative -> relative + " (relative), " + sequenceNumber + " (absolute)")
                .orElse(sequenceNumber + " (absolute)")));
        if (has(ACK)) {
            children.add(Field.of("Acknowledgment number", offset + 8, 4, numbers.relativeAcknowledgment(this)
                    .map(relative -> relative + " (relative), " + acknowledgmentNumber + " (absolute)")
                    .orElse(acknowledgmentNumber + " (absolute)")));
        } else {
            children.add(Field.of("Acknowledgment number", offset + 8, 4, acknowledgmentNumber
                    + " (not significant: ACK is not set)"));
        }
        int word = (dataOffset / 4) << 12 | flags;
        children.add(Field.of("Data offset", offset + 12, 1, Field.bits(8, 0xf0, word >> 8) + " = "
                + dataOffset / 4 + " words, header length " + dataOffset + " bytes"));
        List<Field> bits = new ArrayList<>();
        for (int i = 0; i < FLAG_BITS.length; i++) {
            bits.add(Field.of(FLAG_NAMES[i], offset + 12, 2, Field.bits(16, FLAG_BITS[i], word) + " = "
                    + FLAG_MEANINGS[i] + ": " + (has(FLAG_BITS[i]) ? "Set" : "Not set")));
        }
        children.add(Field.group("Flags", offset + 12, 2, String.format("0x%03x (%s)", flags, flagNames()), bits));
        children.add(Field.of("Window", offset + 14, 2, numbers.windowShift() > 0
                ? window + " (x " + (1 << numbers.windowShift()) + " = " + ((long) window << numbers.windowShift())
                        + " bytes: window scale from the SYNs, RFC 7323 §2.3)"
                : window + " bytes the sender can still receive"));
        children.add(Field.of("Checksum", offset + 16, 2, String.format("0x%04x [not verified: on loopback the"
                + " kernel may leave it to the device, checksum offload]", checksum)));
        children.add(Field.of("Urgent pointer", offset + 18, 2, Integer.toString(urgentPointer)));
        if (!options.isEmpty()) {
            List<Field> optionFields = new ArrayList<>();
            for (TcpOption option : options) {
                optionFields.add(option.field());
            }
            children.add(Field.group("Options", offset + MIN_LENGTH, dataOffset - MIN_LENGTH,
                    (dataOffset - MIN_LENGTH) + " bytes", optionFields));
        }
        String value = sourcePort + " -> " + destinationPort + " [" + flagNames() + "] " + numbers.summary(this);
        return Field.group("Transport layer: Transmission Control Protocol", offset, dataOffset, value, children);
    }
}
