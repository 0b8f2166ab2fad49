package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;

/** {@link SlowClose} at work: data passes at once; the end waits {@code delay}. */
final class SlowCloseStage extends Stage {

    private final long delayNanos;
    private ScheduledFuture<?> pendingEnd;

    SlowCloseStage(String name, StreamPipeline pipeline, SlowClose slowClose) {
        super(name, pipeline);
        this.delayNanos = slowClose.delay().toNanos();
    }

    @Override
    void data(ByteBuf chunk) {
        emit(chunk);
    }

    @Override
    void end() {
        if (pendingEnd == null) {
            pendingEnd = schedule(this::emitEnd, delayNanos);
        }
    }

    @Override
    void flush() {
        if (pendingEnd != null && pendingEnd.cancel(false)) {
            emitEnd(); // the close was still held: it goes on now
        }
    }

    @Override
    void discard() {
        cancel(pendingEnd);
    }
}
