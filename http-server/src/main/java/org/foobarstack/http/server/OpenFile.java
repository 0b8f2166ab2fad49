package org.foobarstack.http.server;

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
 */
final class OpenFile {

    private final FileChannel channel;
    /** One reference for the cache, one for each response in flight. */
    private final AtomicInteger references = new AtomicInteger(1);

    private OpenFile(FileChannel channel) {
        this.channel = channel;
    }

    static OpenFile open(Path file) throws IOException {
        return new OpenFile(FileChannel.open(file, StandardOpenOption.READ));
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
