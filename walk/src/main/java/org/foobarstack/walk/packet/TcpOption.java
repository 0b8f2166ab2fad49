package org.foobarstack.walk.packet;

import java.util.ArrayList;
import java.util.List;
import org.foobarstack.trace.Field;

/**
 * One TCP option (RFC 9293 §3.1 "Options", §3.2): a kind byte, and for all but End of Option List and
 * No-Operation a length byte and data. The ones a Linux SYN carries:
 * <ul>
 *   <li>kind 2, Maximum Segment Size (RFC 9293 §3.7.1): the largest segment the sender wants to receive;</li>
 *   <li>kind 3, Window Scale (RFC 7323 §2): shift the Window field left by this many bits;</li>
 *   <li>kind 4, SACK permitted and kind 5, SACK blocks (RFC 2018);</li>
 *   <li>kind 8, Timestamps (RFC 7323 §3): the sender's clock and the last one it saw from its peer.</li>
 * </ul>
 *
 * @param offset where the option begins in the frame
 * @param kind   the kind byte
 * @param length the option's whole length, kind byte included
 * @param value  its data as text
 */
public record TcpOption(int offset, int kind, int length, String name, String value, String summary) {

    public static final int END = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WINDOW_SCALE = 3;
    public static final int SACK_PERMITTED = 4;
    public static final int SACK = 5;
    public static final int TIMESTAMPS = 8;

    static List<TcpOption> decodeAll(byte[] frame, int start, int end) {
        List<TcpOption> options = new ArrayList<>();
        int at = start;
        while (at < end) {
            int kind = Bytes.u8(frame, at);
            if (kind == END) {
                options.add(new TcpOption(at, kind, end - at, "End of option list", "", "EOL"));
                break;
            }
            if (kind == NOP) {
                options.add(new TcpOption(at, kind, 1, "No-Operation", "padding to a 32-bit boundary", "NOP"));
                at++;
                continue;
            }
            int length = Bytes.u8(frame, at + 1);
            if (length < 2 || at + length > end) {
                throw new MalformedPacketException(at, "TCP option kind " + kind + " with length " + length
                        + " does not fit in the header");
            }
            options.add(decode(frame, at, kind, length));
            at += length;
        }
        return options;
    }

    private static TcpOption decode(byte[] frame, int at, int kind, int length) {
        return switch (kind) {
            case MSS -> {
                int mss = Bytes.u16(frame, at + 2);
                yield new TcpOption(at, kind, length, "Maximum segment size", mss + " bytes", "MSS=" + mss);
            }
            case WINDOW_SCALE -> {
                int shift = Bytes.u8(frame, at + 2);
                yield new TcpOption(at, kind, length, "Window scale", "shift " + shift + " (multiply by "
                        + (1 << Math.min(shift, 14)) + ")", "WS=" + (1 << Math.min(shift, 14)));
            }
            case SACK_PERMITTED -> new TcpOption(at, kind, length, "SACK permitted",
                    "the sender understands selective acknowledgments", "SACK_PERM");
            case SACK -> new TcpOption(at, kind, length, "SACK", Bytes.hex(frame, at + 2, length - 2, " "), "SACK");
            case TIMESTAMPS -> {
                long value = Bytes.u32(frame, at + 2);
                long echo = Bytes.u32(frame, at + 6);
                yield new TcpOption(at, kind, length, "Timestamps", "TSval " + value + ", TSecr " + echo,
                        "TSval=" + value + " TSecr=" + echo);
            }
            default -> new TcpOption(at, kind, length, "Kind " + kind, Bytes.hex(frame, at + 2, length - 2, " "),
                    "kind" + kind);
        };
    }

    public Field field() {
        List<Field> children = new ArrayList<>();
        children.add(Field.of("Kind", offset, 1, Integer.toString(kind)));
        if (kind != END && kind != NOP) {
            children.add(Field.of("Length", offset + 1, 1, Integer.toString(length)));
        }
        return Field.group(name, offset, length, value, kind == NOP ? List.of() : children);
    }
}
