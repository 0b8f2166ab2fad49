package org.foobarstack.httpcodec.parser;

import io.netty.buffer.ByteBuf;

import java.util.List;

/**
 * Passes a message body on as {@link HttpBodyPart}s: a Content-Length body (RFC 9112 §6.2) and the data of chunks
 * (§7.1), without copying (each part is a retained slice of the bytes received). Both parsers keep their own
 * states and use this for the bytes of a body, so that a body is cut into parts the same way in both directions.
 */
final class BodyReader {

    /** Bytes left in the Content-Length body or in the current chunk. */
    private long remaining;
    /** Bytes of chunk data so far, for the body-size limit. */
    private long chunkedBytes;

    /** A body of {@code length} bytes begins. */
    void startFixed(long length) {
        remaining = length;
    }

    /** A chunked body begins. */
    void startChunked() {
        chunkedBytes = 0;
    }

    /**
     * FIXED_BODY: passes on what has arrived, at most what is left; returns true when this part was the body's last.
     */
    boolean readFixed(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(in.readableBytes(), remaining);
        remaining -= n;
        boolean last = remaining == 0;
        out.add(new HttpBodyPart(in.readRetainedSlice(n), last));
        return last;
    }

    /** A chunk of {@code size} bytes follows; returns the chunked body's size so far, chunk included. */
    long startChunk(long size) {
        remaining = size;
        chunkedBytes += size;
        return chunkedBytes;
    }

    /** CHUNK_DATA: passes on what has arrived of the chunk; returns true when the chunk's data is all through. */
    boolean readChunkData(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(in.readableBytes(), remaining);
        out.add(new HttpBodyPart(in.readRetainedSlice(n), false));
        remaining -= n;
        return remaining == 0;
    }

    /** What is left of a Content-Length body, for a message cut off (RFC 9112 §8). */
    long remaining() {
        return remaining;
    }

    long chunkedBytes() {
        return chunkedBytes;
    }
}
