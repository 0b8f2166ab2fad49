package org.foobarstack.http.server;

import org.foobarstack.http.response.HttpDates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the static file handler needs to know about a path (does it exist, is it a directory, is its real path
 * inside the root, its size, ETag and Last-Modified), kept for one second. Without it every request pays a stat,
 * a realpath (one lstat per path component) and two date formattings; with it a hot file costs open, fstat,
 * sendfile and close, like nginx's open_file_cache. The handler still checks the size of the file it actually
 * opened, so a file that changes within the second is never sent with a wrong Content-Length.
 */
final class FileInfoCache {

    /** How long an entry is trusted. Edits to the document root show within this time. */
    private static final long VALID_NANOS = 1_000_000_000L;
    /** A crude bound: when the cache holds this many paths, it starts over. */
    private static final int MAX_ENTRIES = 4096;

    /** @param exists false for a path that names nothing (cached too: 404s are cheap to repeat) */
    record FileInfo(boolean exists, boolean directory, boolean regularFile, boolean insideRoot, long size,
                    String etag, String lastModified, Instant modified, long checkedAt) {
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
            entries.clear();
        }
        entries.put(file, info);
        return info;
    }

    void invalidate(Path file) {
        entries.remove(file);
    }

    private FileInfo load(Path file, long now) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new FileInfo(false, false, false, false, 0, null, null, null, now);
        }
        boolean inside = file.toRealPath().startsWith(root);
        Instant modified = attributes.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS);
        String etag = "\"" + Long.toHexString(attributes.lastModifiedTime().toMillis()) + "-"
                + Long.toHexString(attributes.size()) + "\"";
        return new FileInfo(true, attributes.isDirectory(), attributes.isRegularFile(), inside, attributes.size(),
                etag, HttpDates.format(modified), modified, now);
    }
}
