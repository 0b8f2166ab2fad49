package org.foobarstack.toxics;

import io.netty.buffer.ByteBuf;

/**
 * {@link LimitData} at work: bytes pass until {@code bytes} have; the chunk that crosses the limit is cut there,
 * the stream is ended (closing the connection), and whatever comes later is dropped.
 */
final class LimitDataStage extends Stage {

    private long remaining;
    private boolean ended;

    LimitDataStage(String name, StreamPipeline pipeline, LimitData limit) {
        super(name, pipeline);
        this.remaining = limit.bytes();
    }

    @Override
    void data(ByteBuf chunk) {
        if (ended) {
            drop(chunk);
            return;
        }
        int size = chunk.readableBytes();
        if (size <= remaining) {
            remaining -= size;
            emit(chunk);
        } else {
            if (remaining > 0) {
                emit(chunk.readRetainedSlice((int) remaining));
            }
            remaining = 0;
            drop(chunk);
        }
        if (remaining == 0) {
            ended = true;
            emitEnd();
        }
    }

    @Override
    void end() {
        if (!ended) {
            ended = true;
            emitEnd();
        }
    }

    @Override
    void flush() {
        // holds nothing
    }

    @Override
    void discard() {
        // holds nothing
    }
}
