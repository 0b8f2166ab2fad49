package org.foobarstack.http.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file descriptor shared by the {@link FileInfoCache} and every response that is sending from it, closed when the
 * last of them lets go. Reusing one descriptor for a hot file saves an open, an fstat and a close per request,
 * which is what nginx's open_file_cache does.
 *
 * <p>A small file's bytes are also read once into memory: its response then leaves in one write, head and body
 * in one TCP segment, where sendfile(2) after the head would cost a second system call and a second segment
 * (nginx gets the same single segment from TCP_CORK, its {@code tcp_nopush}).
 */
final class OpenFile {

    /** Files up to this size are kept in memory (at most {@code FileInfoCache}'s entry bound times this). */
    static final int SMALL_FILE_BYTES = 16 * 1024;

    private final FileChannel channel;
    /** The whole file for a small one, read from this descriptor; null for a larger file. */
    private final ByteBuf content;
    /** One reference for the cache, one for each response in flight. */
    private final AtomicInteger references = new AtomicInteger(1);

    private OpenFile(FileChannel channel, ByteBuf content) {
        this.channel = channel;
        this.content = content;
    }

    static OpenFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size > SMALL_FILE_BYTES) {
                return new OpenFile(channel, null);
            }
            ByteBuf content = Unpooled.directBuffer((int) size);
            try {
                while (content.writableBytes() > 0) {
                    if (content.writeBytes(channel, content.writerIndex(), content.writableBytes()) < 0) {
                        break; // shrank meanwhile: content() then refuses ranges beyond what was read
                    }
                }
            } catch (IOException | RuntimeException e) {
                content.release();
                throw e;
            }
            return new OpenFile(channel, content);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * {@code length} bytes from {@code offset} of a small file's content, as a buffer of their own to send and
     * release; null when the file is not kept in memory or the range lies beyond what was read.
     */
    ByteBuf content(long offset, long length) {
        if (content == null || offset + length > content.readableBytes()) {
            return null;
        }
        return content.retainedSlice((int) offset, (int) length);
    }

    /** Takes a reference; false when the file was closed already (then open it afresh). */
    boolean retain() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            if (content != null) {
                content.release(); // slices still being written keep the memory until they are released
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written through this channel, so nothing can be lost
            }
        }
    }

    /**
     * A region of this file for one response; it gives its reference back instead of closing the descriptor.
     * It stays a DefaultFileRegion, so that the transports still use sendfile(2) for it.
     */
    DefaultFileRegion region(long offset, long length) {
        return new DefaultFileRegion(channel, offset, length) {
            @Override
            protected void deallocate() {
                OpenFile.this.release();
            }
        };
    }
}
