package org.foobarstack.storage.replication;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a storage server takes part in replication: the role it starts in and, for a replica, the primary it
 * follows.
 *
 * @param role        STANDALONE (the default), PRIMARY, or REPLICA; FENCED is a state a database ends up in, not
 *                    one to start in
 * @param sourceUrl   a replica's primary, as its client-driver URL ({@code jdbc:derby://127.0.0.11:1527//...})
 * @param connectVia  where the replica's connections to the primary actually go, when not to the URL's host and
 *                    port: a relay that makes them leave from the replica host's own address; null for the URL's
 * @param pollInterval how often a replica that has caught up asks the primary for its head again
 * @param batchSize   how many changes a replica applies in one local transaction at most (a transaction of the
 *                    primary is never split, so a bigger one is applied whole)
 */
public record ReplicationConfig(DatabaseRole role, String sourceUrl, InetSocketAddress connectVia,
                                Duration pollInterval, int batchSize) {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(50);
    public static final int DEFAULT_BATCH_SIZE = 500;

    public static final ReplicationConfig STANDALONE = new ReplicationConfig(DatabaseRole.STANDALONE, null, null,
            DEFAULT_POLL_INTERVAL, DEFAULT_BATCH_SIZE);
    public static final ReplicationConfig PRIMARY = new ReplicationConfig(DatabaseRole.PRIMARY, null, null,
            DEFAULT_POLL_INTERVAL, DEFAULT_BATCH_SIZE);

    public ReplicationConfig {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (role == DatabaseRole.FENCED) {
            throw new IllegalArgumentException("FENCED is where a former primary ends up, not a role to start in");
        }
        if (role == DatabaseRole.REPLICA && (sourceUrl == null || !sourceUrl.startsWith("jdbc:derby://"))) {
            throw new IllegalArgumentException("a replica needs its primary's client-driver URL "
                    + "(jdbc:derby://host:port/database), got " + sourceUrl);
        }
        if (role != DatabaseRole.REPLICA && sourceUrl != null) {
            throw new IllegalArgumentException("only a replica follows a source; " + role + " got " + sourceUrl);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
    }

    /** A replica of the primary at {@code sourceUrl}, with the default poll interval and batch size. */
    public static ReplicationConfig replicaOf(String sourceUrl) {
        return new ReplicationConfig(DatabaseRole.REPLICA, sourceUrl, null, DEFAULT_POLL_INTERVAL,
                DEFAULT_BATCH_SIZE);
    }

    public ReplicationConfig withConnectVia(InetSocketAddress via) {
        return new ReplicationConfig(role, sourceUrl, via, pollInterval, batchSize);
    }

    public ReplicationConfig withPollInterval(Duration interval) {
        return new ReplicationConfig(role, sourceUrl, connectVia, interval, batchSize);
    }

    public ReplicationConfig withBatchSize(int size) {
        return new ReplicationConfig(role, sourceUrl, connectVia, pollInterval, size);
    }
}
