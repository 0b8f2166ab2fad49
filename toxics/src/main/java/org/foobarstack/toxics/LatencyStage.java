package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;

import java.util.Random;

/** {@link Latency} at work: each chunk due {@code latency ± jitter} after it came; none overtakes another. */
final class LatencyStage extends PacedStage {

    private final long latencyNanos;
    private final long jitterNanos;
    private final Random random;

    LatencyStage(String name, StreamPipeline pipeline, Latency latency, Random random) {
        super(name, pipeline);
        this.latencyNanos = latency.latency().toNanos();
        this.jitterNanos = latency.jitter().toNanos();
        this.random = random;
    }

    @Override
    protected long dueAt(ByteBuf chunk, long now) {
        if (chunk == null) {
            return now; // the end follows the last chunk, with no delay of its own
        }
        long delay = latencyNanos;
        if (jitterNanos > 0) {
            delay += (long) ((random.nextDouble() * 2 - 1) * jitterNanos);
        }
        return now + Math.max(0, delay);
    }

    @Override
    protected long releaseDue(long now) {
        while (!held.isEmpty()) {
            Held head = held.peek();
            if (head.dueNanos() > now) {
                return head.dueNanos() - now;
            }
            held.poll();
            if (head.isEnd()) {
                emitEnd();
            } else {
                emit(head.chunk());
            }
        }
        return IDLE;
    }
}
