package org.foobarstack.loadgen.cli;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Turns the URL's host into an address without ever asking the machine's resolver. That matters here: foobar.com
 * is a real, registered domain, and the machine's resolver would send the load to whoever owns it.
 *
 * <ol>
 *   <li>A {@code --resolve HOST:PORT:ADDR} entry for the host and port, as in curl, wins.</li>
 *   <li>An IP address literal is its own answer.</li>
 *   <li>Otherwise the host's A record is asked of one DNS server, by default the stack's own at
 *       127.0.0.1:5300, with dnsjava: a {@link SimpleResolver} pointed at that server, and a {@link Lookup}
 *       with a cache of its own, no search domains and no hosts file, so that nothing of the machine's resolver
 *       configuration takes part.</li>
 * </ol>
 */
final class HostResolver {

    /**
     * One {@code --resolve HOST:PORT:ADDR}: connections for HOST on PORT go to ADDR.
     *
     * @param host    compared without regard to case
     * @param port    the port of the URL it applies to
     * @param address where to connect instead
     */
    record ResolveEntry(String host, int port, InetAddress address) {

        /** Parses "www.foobar.com:8080:127.0.0.1"; an IPv6 address may be written in brackets, "[::1]". */
        static ResolveEntry parse(String text) {
            int first = text.indexOf(':');
            int second = first < 0 ? -1 : text.indexOf(':', first + 1);
            if (first <= 0 || second < 0) {
                throw new IllegalArgumentException("--resolve wants HOST:PORT:ADDRESS, not " + text);
            }
            String host = text.substring(0, first);
            int port = HostResolver.port(text.substring(first + 1, second), "--resolve " + text);
            String address = text.substring(second + 1);
            return new ResolveEntry(host, port, literal(address, "--resolve " + text));
        }
    }

    private final List<ResolveEntry> resolveEntries;
    private final InetSocketAddress dnsServer;
    private final Duration timeout;

    /**
     * @param resolveEntries the {@code --resolve} entries
     * @param dnsServer the DNS server asked for names no entry covers
     * @param timeout   how long to wait for its answer
     */
    HostResolver(List<ResolveEntry> resolveEntries, InetSocketAddress dnsServer, Duration timeout) {
        this.resolveEntries = List.copyOf(resolveEntries);
        this.dnsServer = dnsServer;
        this.timeout = timeout;
    }

    /** Parses "127.0.0.1:5300", "127.0.0.1" (port 53) or "[::1]:5300": an address, never a name. */
    static InetSocketAddress dnsServer(String text) {
        String address = text;
        int port = 53;
        int colon = text.lastIndexOf(':');
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("--dns wants ADDRESS:PORT, not " + text);
            }
            address = text.substring(1, close);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("--dns wants ADDRESS:PORT, not " + text);
                }
                port = port(text.substring(close + 2), "--dns " + text);
            }
        } else if (colon >= 0 && text.indexOf(':') == colon) {
            address = text.substring(0, colon);
            port = port(text.substring(colon + 1), "--dns " + text);
        }
        // naming the DNS server by name would need a DNS server to find it
        return new InetSocketAddress(literal(address, "--dns " + text + " (an IP address is needed)"), port);
    }

    /** The address to connect to for {@code host} on {@code port}. */
    InetAddress resolve(String host, int port) throws ResolveException {
        for (ResolveEntry entry : resolveEntries) {
            if (entry.host().equalsIgnoreCase(host) && entry.port() == port) {
                return entry.address();
            }
        }
        try {
            return Address.getByAddress(host);
        } catch (UnknownHostException notALiteral) {
            return lookUp(host);
        }
    }

    private InetAddress lookUp(String host) throws ResolveException {
        String server = describe(dnsServer);
        Name name;
        try {
            // absolute ("www.foobar.com."), so that no search domain is ever appended to it
            name = Name.fromString(host, Name.root);
        } catch (TextParseException e) {
            throw new ResolveException("not a host name: " + host + " (" + e.getMessage() + ")");
        }
        SimpleResolver resolver = new SimpleResolver(dnsServer);
        resolver.setTimeout(timeout);
        Lookup lookup = new Lookup(name, Type.A, DClass.IN);
        lookup.setResolver(resolver);
        lookup.setCache(null);           // a cache of its own, dropped with this lookup
        lookup.setHostsFileParser(null); // and not /etc/hosts either
        long asked = System.nanoTime();
        Record[] answers = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> {
                for (Record answer : answers) {
                    if (answer instanceof ARecord a) {
                        yield a.getAddress();
                    }
                }
                throw new ResolveException("the DNS server at " + server + " gave no A record for " + host);
            }
            case Lookup.HOST_NOT_FOUND -> throw new ResolveException("the DNS server at " + server
                    + " knows no host " + host + " (NXDOMAIN)");
            case Lookup.TYPE_NOT_FOUND -> throw new ResolveException("the DNS server at " + server
                    + " has no A record for " + host);
            case Lookup.TRY_AGAIN -> throw new ResolveException("the DNS server at " + server + " "
                    // dnsjava reports a timeout and an ICMP "port unreachable" (nothing listens there) alike, as a
                    // "network error"; the time it took tells them apart
                    + (System.nanoTime() - asked >= timeout.toNanos()
                            ? "did not answer within " + timeout.toMillis() + " ms"
                            : "could not be reached (" + lookup.getErrorString() + ")")
                    + "; is the stack running? --dns names another server, --resolve HOST:PORT:ADDRESS skips DNS");
            default -> throw new ResolveException("the DNS server at " + server + " could not resolve " + host
                    + " (" + lookup.getErrorString() + ")");
        };
    }

    static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** An IP address literal, parsed without any lookup; brackets around an IPv6 address are allowed. */
    static InetAddress literal(String text, String context) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            return Address.getByAddress(bare);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text + " in " + context);
        }
    }

    static int port(String text, String context) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 0xFFFF) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("not a port: '" + text + "' in " + context);
    }

    /** The name could not be resolved; the message names the DNS server asked. */
    static final class ResolveException extends Exception {
        ResolveException(String message) {
            super(message);
        }
    }
}
