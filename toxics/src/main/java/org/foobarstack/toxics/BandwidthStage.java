package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;

/**
 * {@link Bandwidth} at work. The link is busy until {@code busyUntil}; each piece (at most 100 ms worth of bytes)
 * leaves once the link has carried it: {@code max(now, busyUntil) + size / rate}. An idle link saves up no credit,
 * so N bytes always take at least N / rate.
 */
final class BandwidthStage extends PacedStage {

    private static final long PIECE_MILLIS = 100;
    private static final long NONE = Long.MIN_VALUE;

    private final long bytesPerMilli;
    private final int maxPiece;
    private long busyUntil = NONE;
    private long pieceDue = NONE;
    private int pieceSize;

    BandwidthStage(String name, StreamPipeline pipeline, Bandwidth bandwidth) {
        super(name, pipeline);
        this.bytesPerMilli = bandwidth.rateKbPerSecond(); // 1 KB/s = 1,000 bytes/s = 1 byte/ms
        this.maxPiece = (int) Math.min(Integer.MAX_VALUE, Math.max(1, bytesPerMilli * PIECE_MILLIS));
    }

    private long nanosFor(int bytes) {
        return bytes * 1_000_000L / bytesPerMilli;
    }

    @Override
    protected long releaseDue(long now) {
        while (!held.isEmpty()) {
            Held head = held.peek();
            if (head.isEnd()) {
                held.poll();
                emitEnd();
                continue;
            }
            if (pieceDue == NONE) {
                pieceSize = Math.min(head.chunk().readableBytes(), maxPiece);
                long start = busyUntil == NONE ? now : Math.max(now, busyUntil);
                pieceDue = start + nanosFor(pieceSize);
            }
            if (pieceDue > now) {
                return pieceDue - now;
            }
            ByteBuf piece = head.chunk().readRetainedSlice(pieceSize);
            if (!head.chunk().isReadable()) {
                held.poll();
                head.chunk().release();
            }
            busyUntil = pieceDue;
            pieceDue = NONE;
            emit(piece);
        }
        return IDLE;
    }
}
