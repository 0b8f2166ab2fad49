package org.foobarstack.storage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.foobarstack.storage.StorageException.Problem;

/**
 * The copy a new replica starts from: an online backup of the primary ({@link StorageBackup}, made as the
 * replication user, who may run it), moved into place as the replica's database. The copy is transactionally
 * consistent and carries the primary's change log head with it, so the replica knows where to start reading.
 *
 * <p>Derby's backup is written by the primary's server, to a path on its machine. Here primary and replica share
 * one machine and one disk, so the replica names a directory of its own; between real machines the copy would be
 * sent over the network (MySQL's CLONE plugin, PostgreSQL's pg_basebackup).
 */
final class ReplicaCopy {

    private static final Pattern HOST_PORT = Pattern.compile("(jdbc:derby://)([^/]+)(/.*)");

    private final String sourceUrl;
    private final String user;
    private final String password;

    ReplicaCopy(String sourceUrl, String user, String password) {
        this.sourceUrl = sourceUrl;
        this.user = user;
        this.password = password;
    }

    /** The same URL with another host and port: the relay the replica's connections go through. */
    static String urlVia(String url, InetSocketAddress via) {
        Matcher m = HOST_PORT.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a Derby client URL: " + url);
        }
        return m.group(1) + via.getAddress().getHostAddress() + ":" + via.getPort() + m.group(3);
    }

    /** The database's directory name on the primary: the last element of the URL's path. */
    static String databaseName(String url) {
        String path = url.replaceFirst(";.*$", "");
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Backs the primary up into {@code staging}, then moves the copy to {@code databaseDir} (which must not
     * exist) and removes {@code staging}.
     */
    void copyInto(Path staging, Path databaseDir) {
        deleteTree(staging);
        Path copy = new StorageBackup(sourceUrl, user, password).backupTo(staging, databaseName(sourceUrl));
        try {
            Files.move(copy, databaseDir);
        } catch (IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot move the copy " + copy + " to " + databaseDir
                    + ": " + e, e);
        } finally {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot remove " + dir + ": " + e, e);
        }
    }
}
