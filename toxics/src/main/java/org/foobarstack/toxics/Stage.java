package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One toxic at work on one stream of one connection, or the pipeline's last step (the {@code Sink}). Stages form a
 * chain: each gets data and the end of the stream in order, and passes them (delayed, cut, dropped) to the next.
 *
 * <p>Every method runs on the connection's event loop, so a stage needs no locks. Its life:
 * <ol>
 *   <li>made by {@link Stages} when the toxic is added, or when a connection opens with it; {@link #begin()};</li>
 *   <li>{@link #data} and {@link #end()} in stream order; a stage owns each buffer it is given;</li>
 *   <li>{@link #flush()} when the toxic is removed: whatever it holds goes on at once, in order, then the
 *       pipeline unlinks it; or {@link #discard()} when the connection is gone: what it holds is released.</li>
 * </ol>
 */
abstract class Stage {

    protected final StreamPipeline pipeline;
    private final String name;
    /** The next stage: changed by the pipeline when a stage between is removed. */
    Stage next;

    protected Stage(String name, StreamPipeline pipeline) {
        this.name = name;
        this.pipeline = pipeline;
    }

    String name() {
        return name;
    }

    /** The toxic starts on this connection (a timeout starts counting). */
    void begin() {
    }

    /** The next chunk of the stream. */
    abstract void data(ByteBuf chunk);

    /** The stream ended: the sender closed, or a stage before closed it. */
    abstract void end();

    /** The toxic was removed: pass on everything held, now and in order; cancel timers. */
    abstract void flush();

    /** The connection is gone: release what is held; cancel timers. */
    abstract void discard();

    protected final void emit(ByteBuf chunk) {
        next.data(chunk);
    }

    protected final void emitEnd() {
        next.end();
    }

    /** Drops a chunk: it never reaches the other side, and no longer counts against the reading. */
    protected final void drop(ByteBuf chunk) {
        pipeline.leftThePipeline(chunk.readableBytes());
        chunk.release();
    }

    protected final ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return pipeline.eventLoop().schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    protected static long now() {
        return System.nanoTime();
    }

    protected static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
