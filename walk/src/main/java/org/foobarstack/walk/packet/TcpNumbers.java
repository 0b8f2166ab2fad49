package org.foobarstack.walk.packet;

import java.util.Optional;

/**
 * What one segment's numbers mean within its connection: its sequence and acknowledgment numbers relative
 * to the two initial sequence numbers (RFC 9293 §3.4.1), as Wireshark shows them, and the window scale in
 * force (RFC 7323 §2.3: only when both SYNs carried the option, and never on a SYN itself).
 *
 * @param sequenceBase       the sender's ISN, or -1 when its SYN was not captured
 * @param acknowledgmentBase the receiver's ISN, or -1
 * @param windowShift        how far to shift the Window field left, 0 for none
 */
public record TcpNumbers(long sequenceBase, long acknowledgmentBase, int windowShift) {

    public static final TcpNumbers UNKNOWN = new TcpNumbers(-1, -1, 0);
    private static final long MOD = 1L << 32;

    public Optional<Long> relativeSequence(TcpHeader header) {
        return sequenceBase < 0 ? Optional.empty()
                : Optional.of(Math.floorMod(header.sequenceNumber() - sequenceBase, MOD));
    }

    public Optional<Long> relativeAcknowledgment(TcpHeader header) {
        return acknowledgmentBase < 0 ? Optional.empty()
                : Optional.of(Math.floorMod(header.acknowledgmentNumber() - acknowledgmentBase, MOD));
    }

    /** Wireshark's info column for the numbers: {@code Seq=1 Ack=1 Win=65536 Len=120}. */
    String summary(TcpHeader header) {
        StringBuilder out = new StringBuilder("Seq=")
                .append(relativeSequence(header).orElse(header.sequenceNumber()));
        if (header.has(TcpHeader.ACK)) {
            out.append(" Ack=").append(relativeAcknowledgment(header).orElse(header.acknowledgmentNumber()));
        }
        out.append(" Win=").append((long) header.window() << windowShift);
        out.append(" Len=").append(header.payloadLength());
        for (TcpOption option : header.options()) {
            if (option.kind() != TcpOption.NOP && option.kind() != TcpOption.END) {
                out.append(' ').append(option.summary());
            }
        }
        return out.toString();
    }
}
