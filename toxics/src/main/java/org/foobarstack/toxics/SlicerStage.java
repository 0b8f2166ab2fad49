package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;

import java.util.Random;

/**
 * {@link Slicer} at work: the head chunk leaves one slice at a time, each {@code delay} after the one before. A
 * remainder no larger than {@code average + variation} leaves whole; otherwise a slice is the average plus a
 * uniform draw from {@code -variation..+variation}. The end follows the last slice's pause.
 */
final class SlicerStage extends PacedStage {

    private final Slicer slicer;
    private final long delayNanos;
    private final Random random;
    private long nextSliceAt = Long.MIN_VALUE;

    SlicerStage(String name, StreamPipeline pipeline, Slicer slicer, Random random) {
        super(name, pipeline);
        this.slicer = slicer;
        this.delayNanos = slicer.delay().toNanos();
        this.random = random;
    }

    private int nextSize(int remaining) {
        if (remaining <= slicer.averageSize() + slicer.sizeVariation()) {
            return remaining;
        }
        int variation = slicer.sizeVariation() == 0 ? 0
                : random.nextInt(2 * slicer.sizeVariation() + 1) - slicer.sizeVariation();
        return Math.max(1, slicer.averageSize() + variation);
    }

    @Override
    protected long releaseDue(long now) {
        while (!held.isEmpty()) {
            if (nextSliceAt != Long.MIN_VALUE && nextSliceAt > now) {
                return nextSliceAt - now;
            }
            Held head = held.peek();
            if (head.isEnd()) {
                held.poll();
                emitEnd();
                continue;
            }
            ByteBuf slice = head.chunk().readRetainedSlice(nextSize(head.chunk().readableBytes()));
            if (!head.chunk().isReadable()) {
                held.poll();
                head.chunk().release();
            }
            nextSliceAt = now + delayNanos;
            emit(slice);
        }
        return IDLE;
    }
}
