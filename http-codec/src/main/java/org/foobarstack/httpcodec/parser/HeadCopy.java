package org.foobarstack.httpcodec.parser;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The copy of a head a parser keeps for a trace: its lines, CRLFs included, exactly as they arrived. The parser
 * decides per message whether to keep one ({@link #start}), adds each line as it consumes it ({@link #add}), and
 * hands the copy over with the head ({@link #take}). The array grows as needed and is reused from message to
 * message; only the copy handed over is new.
 */
final class HeadCopy {

    private byte[] bytes = new byte[0];
    private int length;
    private boolean keeping;

    /** A new message begins; {@code keep} says whether to copy its head. */
    void start(boolean keep) {
        keeping = keep;
        length = 0;
    }

    boolean keeping() {
        return keeping;
    }

    /** Appends {@code count} bytes from {@code from} (already consumed, still in the buffer) when keeping. */
    void add(ByteBuf in, int from, int count) {
        if (!keeping) {
            return;
        }
        if (length + count > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(256, Math.max(bytes.length * 2, length + count)));
        }
        in.getBytes(from, bytes, length, count);
        length += count;
    }

    /** The copy of the head just read, or null when it was not kept; the next message starts afresh. */
    byte[] take() {
        byte[] copy = keeping ? Arrays.copyOf(bytes, length) : null;
        keeping = false;
        length = 0;
        return copy;
    }

    /** A rule was broken: whatever was copied is dropped. */
    void discard() {
        keeping = false;
        length = 0;
    }
}
