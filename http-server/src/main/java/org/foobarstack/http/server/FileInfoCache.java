package org.foobarstack.http.server;

import org.foobarstack.httpcodec.response.HttpDates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the static file handler needs to know about a path (does it exist, is it a directory, is its real path
 * inside the root, its size, ETag and Last-Modified), kept for one second. Without it every request pays a stat,
 * a realpath (one lstat per path component) and two date formattings; with it a hot file costs open, fstat,
 * one sendfile on a descriptor kept open for it ({@link OpenFile}), like nginx's open_file_cache. A descriptor
 * belongs to the inode that was looked at, so size, ETag and bytes always agree; a file replaced on disk shows
 * within the second.
 */
final class FileInfoCache {

    /** How long an entry is trusted. Edits to the document root show within this time. */
    private static final long VALID_NANOS = 1_000_000_000L;
    /** A crude bound (it also bounds the descriptors kept open): at this many paths, the cache starts over. */
    private static final int MAX_ENTRIES = 512;

    /** @param exists false for a path that names nothing (cached too: 404s are cheap to repeat) */
    record FileInfo(boolean exists, boolean directory, boolean regularFile, boolean insideRoot, long size,
                    String etag, String lastModified, Instant modified, long checkedAt,
                    AtomicReference<OpenFile> descriptor) {
    }

    private final Path root;
    private final ConcurrentHashMap<Path, FileInfo> entries = new ConcurrentHashMap<>();

    FileInfoCache(Path root) {
        this.root = root;
    }

    FileInfo get(Path file) throws IOException {
        long now = System.nanoTime();
        FileInfo info = entries.get(file);
        if (info != null && now - info.checkedAt() < VALID_NANOS) {
            return info;
        }
        info = load(file, now);
        if (entries.size() >= MAX_ENTRIES) {
            for (Path key : entries.keySet()) {
                forget(entries.remove(key));
            }
        }
        forget(entries.put(file, info));
        return info;
    }

    /**
     * An open descriptor of a cached regular file, with a reference taken for the caller (who gives it back through
     * the region it sends), or null when none can be had; the caller then opens the file itself.
     */
    OpenFile descriptor(Path file, FileInfo info) {
        if (!info.regularFile() || entries.get(file) != info) {
            return null;
        }
        OpenFile open = info.descriptor().get();
        if (open == null) {
            try {
                open = OpenFile.open(file);
            } catch (IOException e) {
                return null;
            }
            if (!info.descriptor().compareAndSet(null, open)) {
                open.release();
                open = info.descriptor().get();
            }
            if (entries.get(file) != info) {
                // replaced meanwhile: the replacement's owner will not release this one, so do it here
                forget(info);
                return null;
            }
        }
        return open != null && open.retain() ? open : null;
    }

    /** Forgets everything; descriptors close as soon as the responses using them are written. */
    void clear() {
        for (Path key : entries.keySet()) {
            forget(entries.remove(key));
        }
    }

    void invalidate(Path file) {
        forget(entries.remove(file));
    }

    /** Gives back the cache's reference to an entry's descriptor; in-flight responses keep theirs. */
    private static void forget(FileInfo info) {
        if (info != null) {
            OpenFile open = info.descriptor().getAndSet(null);
            if (open != null) {
                open.release();
            }
        }
    }

    private FileInfo load(Path file, long now) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new FileInfo(false, false, false, false, 0, null, null, null, now, new AtomicReference<>());
        }
        boolean inside = file.toRealPath().startsWith(root);
        Instant modified = attributes.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS);
        String etag = "\"" + Long.toHexString(attributes.lastModifiedTime().toMillis()) + "-"
                + Long.toHexString(attributes.size()) + "\"";
        return new FileInfo(true, attributes.isDirectory(), attributes.isRegularFile(), inside, attributes.size(),
                etag, HttpDates.format(modified), modified, now, new AtomicReference<>());
    }
}
