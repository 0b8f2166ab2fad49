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
        Path copy = backUpPrimary(staging);
        try {
            Files.move(copy, databaseDir);
        } catch (IOException e) {
            throw new StorageException(Problem.NOT_WRITABLE, "cannot move the copy " + copy + " to " + databaseDir
                    + ": " + e, e);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * The backup, tried again while the primary cannot be reached yet: a primary on another host (another process, a
     * container) can accept connections before its database answers them, when a relay holds its port (a host
     * firewall's, see the launcher) or its server is still booting. Only a lost connection (SQLState class 08,
     * "connection exception") is tried again, for {@link #PRIMARY_WAIT} at most; any other failure is final.
     */
    private Path backUpPrimary(Path staging) {
        long deadline = System.nanoTime() + PRIMARY_WAIT.toNanos();
        while (true) {
            deleteTree(staging);
            try {
                return new StorageBackup(sourceUrl, user, password).backupTo(staging, databaseName(sourceUrl));
            } catch (StorageException e) {
                boolean connection = DerbyErrors.sqlStates(e).stream().anyMatch(state -> state.startsWith("08"));
                if (!connection || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.info("the primary {} does not answer yet (SQLStates {}): trying again", sourceUrl,
                        DerbyErrors.sqlStates(e));
                try {
                    Thread.sleep(RETRY_PAUSE.toMillis()); // the primary's boot takes seconds; ask twice a second
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** How long a new replica waits for a primary that accepts connections but does not answer them yet. */
    static final java.time.Duration PRIMARY_WAIT = java.time.Duration.ofSeconds(60);
    private static final java.time.Duration RETRY_PAUSE = java.time.Duration.ofMillis(500);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicaCopy.class);

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
