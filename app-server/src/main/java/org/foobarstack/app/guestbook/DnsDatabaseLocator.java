package org.foobarstack.app.guestbook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the primary and the replicas by asking the stack's DNS server (see {@link ClusterConfig}): the address an
 * answer gives is matched against the host of each database's URL.
 *
 * <p>Each answer is kept for its TTL (at most {@link #MAX_TTL}), so the app asks once every few seconds, not for
 * every statement; after a failover the app follows within one TTL, or at once when a write fails and the app
 * {@link #forget() forgets} what it knew. The questions leave from the app host's own address, are asked of the
 * stack's DNS server only (a foobar.com name must never reach the machine's resolver), and follow a CNAME as a
 * resolver would ({@code db.foobar.com} is a CNAME of the primary's host name).
 *
 * <p>When the DNS server does not answer, the last answer is used again ("serve stale", RFC 8767): a name server
 * that is down must not take the databases away from an app that knew where they were. The name is asked again a
 * second later, and the stale answer is kept until one comes. Only an app that never had an answer has nothing to
 * fall back on.
 */
public final class DnsDatabaseLocator implements DatabaseLocator {

    private static final Logger LOG = LoggerFactory.getLogger(DnsDatabaseLocator.class);
    /** Answers are kept no longer than this, whatever their TTL. */
    static final Duration MAX_TTL = Duration.ofSeconds(5);
    /** While the DNS server does not answer, how often it is asked again (the stale answer serves meanwhile). */
    static final Duration STALE_RETRY = Duration.ofSeconds(1);
    private static final Pattern URL_HOST = Pattern.compile("jdbc:derby://([^:/]+)(?::\\d+)?/.*");

    private final ClusterConfig config;
    private final InetAddress localAddress;
    private final Object lock = new Object();
    private Answer primary;
    private Answer replicas;
    /** Whether the last question went unanswered: the next failure is not logged again, the next answer is. */
    private boolean failing;

    /** Addresses, and when to ask again. */
    private record Answer(List<InetAddress> addresses, long expiresAtNanos) {
    }

    /**
     * @param localAddress where the questions leave from: the app host's address (null: the kernel's choice)
     */
    public DnsDatabaseLocator(ClusterConfig config, InetAddress localAddress) {
        this.config = config;
        this.localAddress = localAddress;
    }

    @Override
    public String primaryUrl() throws SQLTransientConnectionException {
        List<InetAddress> addresses;
        synchronized (lock) {
            refreshIfExpired();
            addresses = primary.addresses();
        }
        if (addresses.isEmpty()) {
            throw new SQLTransientConnectionException("no primary database: " + config.primaryName()
                    + " has no address in DNS (" + describe(config.dnsServer()) + ")", "08001");
        }
        String url = urlOf(addresses.get(0));
        if (url == null) {
            throw new SQLTransientConnectionException(config.primaryName() + " is " + addresses.get(0).getHostAddress()
                    + ", which is none of this app's databases " + config.databases(), "08001");
        }
        return url;
    }

    @Override
    public List<String> replicaUrls() {
        List<InetAddress> addresses;
        synchronized (lock) {
            try {
                refreshIfExpired();
            } catch (SQLTransientConnectionException e) {
                // the primary was never found; the replicas may have been, and reads can go there
            }
            addresses = replicas.addresses();
        }
        List<String> urls = new ArrayList<>();
        for (InetAddress address : addresses) {
            String url = urlOf(address);
            if (url != null) {
                urls.add(url);
            }
        }
        return urls;
    }

    /**
     * Forgets what DNS said, so that the next statement asks again; the answers are kept as a fallback, in case
     * the DNS server does not answer then.
     */
    @Override
    public void forget() {
        synchronized (lock) {
            primary = primary == null ? null : new Answer(primary.addresses(), System.nanoTime());
            replicas = replicas == null ? null : new Answer(replicas.addresses(), System.nanoTime());
        }
    }

    /**
     * Asks for both names when either answer has expired, so that the app never holds a primary from before a
     * failover together with replicas from after it (after a promotion the old replica is the primary and is no
     * longer listed as a replica: a stale primary and a fresh, empty replica list would send every read to the
     * database that is gone).
     */
    private void refreshIfExpired() throws SQLTransientConnectionException {
        long now = System.nanoTime();
        if (primary != null && replicas != null && now < primary.expiresAtNanos() && now < replicas.expiresAtNanos()) {
            return;
        }
        Answer freshReplicas;
        Answer freshPrimary;
        try {
            freshPrimary = lookUp(config.primaryName());
            freshReplicas = lookUp(config.replicasName());
        } catch (SQLTransientConnectionException e) {
            // One name answered and the other did not: keep the last pair, both stale, rather than mix a new
            // answer with an old one (a promotion seen halfway sends reads to the database that is gone).
            if (primary == null) {
                replicas = replicas != null ? replicas : new Answer(List.of(), now + STALE_RETRY.toNanos());
                throw e; // never answered: reads may still go to the replicas, writes have nowhere to go
            }
            primary = new Answer(primary.addresses(), now + STALE_RETRY.toNanos());
            replicas = new Answer(replicas == null ? List.of() : replicas.addresses(), now + STALE_RETRY.toNanos());
            return;
        }
        replicas = freshReplicas;
        primary = freshPrimary;
    }

    private String urlOf(InetAddress address) {
        for (ClusterConfig.DatabaseTarget target : config.databases()) {
            Matcher m = URL_HOST.matcher(target.jdbcUrl());
            if (m.matches() && m.group(1).equals(address.getHostAddress())) {
                return target.jdbcUrl();
            }
        }
        return null;
    }

    /** One question: the A records of {@code host}, following CNAMEs; none for NXDOMAIN or NODATA. */
    private Answer lookUp(String host) throws SQLTransientConnectionException {
        Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + host, e);
        }
        SimpleResolver resolver = new SimpleResolver(config.dnsServer());
        resolver.setTimeout(config.dnsTimeout());
        if (localAddress != null) {
            resolver.setLocalAddress(localAddress);
        }
        Lookup lookup = new Lookup(name, Type.A, DClass.IN);
        lookup.setResolver(resolver);
        lookup.setCache(null);           // this class keeps answers for their TTL itself
        lookup.setHostsFileParser(null); // never /etc/hosts
        Record[] records = lookup.run();
        long ttlSeconds = MAX_TTL.toSeconds();
        List<InetAddress> addresses = new ArrayList<>();
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> {
                for (Record record : records) {
                    if (record instanceof ARecord a) {
                        addresses.add(a.getAddress());
                        ttlSeconds = Math.min(ttlSeconds, a.getTTL());
                    }
                }
            }
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> {
                // an answer all the same: there is no such database now
            }
            default -> {
                if (!failing) {
                    LOG.warn("asking {} for {}: {} (logged once until it answers again; the last answers serve "
                            + "meanwhile)", describe(config.dnsServer()), host, lookup.getErrorString());
                    failing = true;
                }
                throw new SQLTransientConnectionException("cannot find " + host + ": the DNS server at "
                        + describe(config.dnsServer()) + " did not answer (" + lookup.getErrorString() + ")", "08001");
            }
        }
        if (failing) {
            LOG.info("{} answers again: {} is {}", describe(config.dnsServer()), host, addresses);
            failing = false;
        }
        return new Answer(List.copyOf(addresses), System.nanoTime() + Duration.ofSeconds(ttlSeconds).toNanos());
    }

    private static String describe(java.net.InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
