package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * {@link ResetPeer} at work: the first chunk (or the end) arms a timer and is dropped, as is all that follows;
 * when the timer fires, the connection is reset on both sides. Removed before that, the timer is cancelled.
 */
final class ResetPeerStage extends Stage {

    private final long timeoutNanos;
    private ScheduledFuture<?> timer;

    ResetPeerStage(String name, StreamPipeline pipeline, ResetPeer resetPeer) {
        super(name, pipeline);
        this.timeoutNanos = resetPeer.timeout().toNanos();
    }

    private void arm() {
        if (timer == null) {
            timer = schedule(pipeline.connection()::reset, timeoutNanos);
        }
    }

    @Override
    void data(ByteBuf chunk) {
        drop(chunk);
        arm();
    }

    @Override
    void end() {
        arm();
    }

    @Override
    void flush() {
        cancel(timer);
    }

    @Override
    void discard() {
        cancel(timer);
    }
}
