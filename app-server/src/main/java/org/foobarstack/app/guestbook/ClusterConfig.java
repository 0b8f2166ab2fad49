package org.foobarstack.app.guestbook;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How an app server finds its databases when there are several (a primary and its replicas): every database it
 * may use, with its URL, and two names in DNS that say which of them is the primary and which are replicas now.
 * The names belong to the topology, not to the app: a failover changes what they point at, and the app follows
 * without a restart.
 *
 * <pre>
 *   db.foobar.com.          5 IN CNAME server-1.foobar.com.    the primary (one)
 *   replicas.db.foobar.com. 5 IN A     127.0.0.12              the replicas (none, one or more)
 * </pre>
 *
 * @param databases    every database the app may use; each URL's host is the address DNS answers with
 * @param dnsServer    the stack's DNS server, asked for both names (never the machine's own resolver)
 * @param primaryName  the name of the primary, e.g. {@code db.foobar.com}
 * @param replicasName the name whose A records are the replicas, e.g. {@code replicas.db.foobar.com}
 * @param dnsTimeout   how long one question may take
 */
public record ClusterConfig(List<DatabaseTarget> databases, InetSocketAddress dnsServer, String primaryName,
                            String replicasName, Duration dnsTimeout) {

    public static final Duration DEFAULT_DNS_TIMEOUT = Duration.ofSeconds(1);

    public ClusterConfig {
        databases = List.copyOf(databases);
        Objects.requireNonNull(dnsServer, "dnsServer");
        Objects.requireNonNull(primaryName, "primaryName");
        Objects.requireNonNull(replicasName, "replicasName");
        Objects.requireNonNull(dnsTimeout, "dnsTimeout");
        if (databases.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one database");
        }
    }

    /** One database the app may use: a name for status pages and headers ("db-1"), and its client-driver URL. */
    public record DatabaseTarget(String name, String jdbcUrl) {
        public DatabaseTarget {
            Objects.requireNonNull(name, "name");
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:derby://")) {
                throw new IllegalArgumentException("not a Derby client URL: " + jdbcUrl);
            }
        }
    }
}
