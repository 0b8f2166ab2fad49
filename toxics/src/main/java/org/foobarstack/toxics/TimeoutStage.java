package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * {@link Timeout} at work: every chunk is dropped; {@code timeout} after the toxic began on the connection (zero:
 * never) the stream is ended, which closes the connection. The sender's own close ends it at once, and so does
 * removing the toxic: the data dropped so far cannot be given back, so the connection cannot go on.
 */
final class TimeoutStage extends Stage {

    private final long timeoutNanos;
    private ScheduledFuture<?> timer;
    private boolean ended;

    TimeoutStage(String name, StreamPipeline pipeline, Timeout timeout) {
        super(name, pipeline);
        this.timeoutNanos = timeout.timeout().toNanos();
    }

    @Override
    void begin() {
        if (timeoutNanos > 0) {
            timer = schedule(this::endOnce, timeoutNanos);
        }
    }

    private void endOnce() {
        if (!ended) {
            ended = true;
            cancel(timer);
            emitEnd();
        }
    }

    @Override
    void data(ByteBuf chunk) {
        drop(chunk);
    }

    @Override
    void end() {
        endOnce();
    }

    @Override
    void flush() {
        endOnce();
    }

    @Override
    void discard() {
        cancel(timer);
    }
}
