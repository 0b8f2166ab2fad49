package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;

/**
 * A stage that holds the stream in a queue and lets it go at times of its own choosing (latency, bandwidth,
 * slicer). The queue keeps the order: data and the end leave in the order they came, whatever each one's time.
 */
abstract class PacedStage extends Stage {

    /** What {@link #releaseDue} returns when nothing is left to wait for. */
    protected static final long IDLE = -1;

    /** A chunk, or the end of the stream ({@code chunk == null}), and the time it may leave (if the stage says). */
    protected record Held(ByteBuf chunk, long dueNanos) {
        boolean isEnd() {
            return chunk == null;
        }
    }

    protected final ArrayDeque<Held> held = new ArrayDeque<>();
    private ScheduledFuture<?> timer;
    private boolean gone;

    PacedStage(String name, StreamPipeline pipeline) {
        super(name, pipeline);
    }

    /** When a chunk (or the end, {@code chunk == null}) arriving now may leave at the earliest. */
    protected long dueAt(ByteBuf chunk, long now) {
        return now;
    }

    /**
     * Passes on what may leave by {@code now}, from the head of {@link #held}.
     *
     * @return nanoseconds until the head may leave, or {@link #IDLE} when the queue is empty
     */
    protected abstract long releaseDue(long now);

    @Override
    final void data(ByteBuf chunk) {
        long now = now();
        held.add(new Held(chunk, dueAt(chunk, now)));
        pump();
    }

    @Override
    final void end() {
        long now = now();
        held.add(new Held(null, dueAt(null, now)));
        pump();
    }

    private void pump() {
        if (gone || timer != null) {
            return; // a timer is set for the head, and nothing may overtake the head
        }
        long wait = releaseDue(now());
        if (wait > 0) {
            timer = schedule(() -> {
                timer = null;
                pump();
            }, wait);
        }
    }

    @Override
    final void flush() {
        gone = true;
        cancel(timer);
        Held h;
        while ((h = held.poll()) != null) {
            if (h.isEnd()) {
                emitEnd();
            } else {
                emit(h.chunk());
            }
        }
    }

    @Override
    final void discard() {
        gone = true;
        cancel(timer);
        Held h;
        while ((h = held.poll()) != null) {
            if (!h.isEnd()) {
                h.chunk().release();
            }
        }
    }
}
