package org.foobarstack.loadgen;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a load run sends, where, and how fast; fixed before the run starts. Build one with {@link #builder}:
 *
 * <pre>
 *   LoadConfig config = LoadConfig.builder(new InetSocketAddress("127.0.0.1", 8080))
 *           .hostHeader("www.foobar.com:8080").path("/api/messages")
 *           .rate(200).duration(Duration.ofSeconds(20))
 *           .build();
 * </pre>
 *
 * @param target        the server's address, already resolved: the generator never looks a name up itself
 * @param hostHeader    the Host header sent with every request, e.g. "www.foobar.com:8080"
 * @param path          the request-target in origin form, e.g. "/" or "/api/messages?limit=20"
 * @param method        the request method, "GET" by default
 * @param body          the request body, empty for none
 * @param contentType   the Content-Type of the body, or null to send none
 * @param rate          requests per second, at least 1
 * @param duration      how long requests are scheduled for; the run then waits at most {@code timeout} more
 * @param connections   at most this many connections are open at once, 16 by default
 * @param timeout       a request with no complete response this long after its intended start fails, 2 s by default
 * @param sourceAddress the local address connections are bound to before connecting, or null to let the system
 *                      choose
 * @param extraHeaders  header fields added to every request; one named like a default (Host, User-Agent, Accept)
 *                      replaces it
 * @param countedHeader the name of a response header whose values the report counts, e.g. "X-App-Version", or
 *                      null to count none; see {@link Builder#countHeader}
 * @param tls           TLS on every connection (HTTPS), or null for plain HTTP; the server name sent (SNI) and
 *                      checked on its certificate is the Host header's name
 */
public record LoadConfig(InetSocketAddress target, String hostHeader, String path, String method, byte[] body,
                         String contentType, int rate, Duration duration, int connections, Duration timeout,
                         InetAddress sourceAddress, List<Header> extraHeaders, String countedHeader,
                         io.netty.handler.ssl.SslContext tls) {

    /**
     * The most requests one run may schedule (rate × duration). Far more than a demo needs: a run above it is
     * almost always a typo ({@code --rate 100000 --duration 3600}) that would otherwise load a server for an hour.
     */
    public static final long MAX_REQUESTS = 10_000_000L;

    public static final int DEFAULT_CONNECTIONS = 16;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /**
     * The most distinct values of the {@link #countedHeader()} counted each under its own name; the answers with
     * any later new value are counted together as {@link #OTHER_HEADER_VALUES}. A few versions or servers fit
     * many times over, and a server that sends a different value with every response (a request id, a date)
     * cannot make the counts grow with the number of requests.
     */
    public static final int MAX_HEADER_VALUES = 32;
    /** Where the answers without the counted header are counted. */
    public static final String NO_HEADER_VALUE = "-";
    /** Where the answers with a value beyond the first {@link #MAX_HEADER_VALUES} are counted. */
    public static final String OTHER_HEADER_VALUES = "other";

    /** One header field line, e.g. {@code new Header("Accept-Language", "fr")}. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public LoadConfig {
        Objects.requireNonNull(target, "target");
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("the target " + target + " is a name, not an address: resolve it first");
        }
        Objects.requireNonNull(hostHeader, "hostHeader");
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || !isVisible(path)) {
            throw new IllegalArgumentException("the path must start with '/' and hold no space or control"
                    + " character (percent-encode them): " + path);
        }
        method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
        if (!isToken(method)) {
            throw new IllegalArgumentException("not a method: " + method);
        }
        body = body == null ? new byte[0] : body.clone();
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(timeout, "timeout");
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, not " + connections);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
        }
        requestCount(rate, duration);
        extraHeaders = List.copyOf(extraHeaders == null ? List.of() : extraHeaders);
        for (Header header : extraHeaders) {
            if (!isToken(header.name())) {
                throw new IllegalArgumentException("not a header name: '" + header.name() + "'");
            }
            if (header.name().equalsIgnoreCase("Content-Length")
                    || header.name().equalsIgnoreCase("Transfer-Encoding")) {
                // the framing is the generator's to decide: a wrong length would desynchronise the connection
                throw new IllegalArgumentException(header.name() + " is set from the body, not as a header");
            }
        }
        if (countedHeader != null && !isToken(countedHeader)) {
            throw new IllegalArgumentException("not a header name: '" + countedHeader + "'");
        }
    }

    /** A configuration over plain HTTP. */
    public LoadConfig(InetSocketAddress target, String hostHeader, String path, String method, byte[] body,
                      String contentType, int rate, Duration duration, int connections, Duration timeout,
                      InetAddress sourceAddress, List<Header> extraHeaders, String countedHeader) {
        this(target, hostHeader, path, method, body, contentType, rate, duration, connections, timeout,
                sourceAddress, extraHeaders, countedHeader, null);
    }

    /** The name a TLS connection asks for and checks: the Host header without its port. */
    public String serverName() {
        String host = hostHeader;
        if (host.startsWith("[")) {
            return host.substring(1, host.indexOf(']'));
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /** A configuration that counts no response header. */
    public LoadConfig(InetSocketAddress target, String hostHeader, String path, String method, byte[] body,
                      String contentType, int rate, Duration duration, int connections, Duration timeout,
                      InetAddress sourceAddress, List<Header> extraHeaders) {
        this(target, hostHeader, path, method, body, contentType, rate, duration, connections, timeout,
                sourceAddress, extraHeaders, null);
    }

    /** token = 1*tchar (RFC 9110 §5.6.2): what a method and a field name are made of. */
    private static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** Visible ASCII, no space: a space in the request-target would end it early. */
    private static boolean isVisible(String text) {
        return text.chars().allMatch(c -> c > 0x20 && c < 0x7F);
    }

    /**
     * The number of requests a run at {@code rate} for {@code duration} schedules: request i is due at i / rate
     * seconds, for every i with i / rate &lt; duration. Checked here so that a command line can refuse a run
     * before resolving any name.
     *
     * @throws IllegalArgumentException when the rate or duration is not positive, or the count is 0 or above
     *                                  {@link #MAX_REQUESTS}
     */
    public static long requestCount(int rate, Duration duration) {
        if (rate < 1) {
            throw new IllegalArgumentException("the rate must be at least 1 request per second, not " + rate);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the duration must be positive, not " + duration);
        }
        long millis = duration.toMillis();
        // rate × seconds, rounded down; in milliseconds first so that a duration of 1.5 s is counted exactly
        long count = millis > MAX_REQUESTS * 1000 / rate ? Long.MAX_VALUE : rate * millis / 1000;
        if (count > MAX_REQUESTS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%d requests/s for %.3f s is more than the %,d requests one run may send; lower the rate or"
                            + " the duration", rate, millis / 1000.0, MAX_REQUESTS));
        }
        if (count == 0) {
            throw new IllegalArgumentException(rate + " requests/s for " + millis + " ms schedules no request at all");
        }
        return count;
    }

    /** The number of requests this run schedules. */
    public long requestCount() {
        return requestCount(rate, duration);
    }

    /** The body, as a copy: the record's own array must not change under a running load. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** "http://www.foobar.com:8080/api/messages": the URL the requests ask for, as a person would write it. */
    public String url() {
        return (tls == null ? "http://" : "https://") + hostHeader + path;
    }

    /** Records compare arrays by identity; a configuration is equal to another with the same body bytes. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LoadConfig other && target.equals(other.target) && hostHeader.equals(other.hostHeader)
                && path.equals(other.path) && method.equals(other.method) && Arrays.equals(body, other.body)
                && Objects.equals(contentType, other.contentType) && rate == other.rate
                && duration.equals(other.duration) && connections == other.connections
                && timeout.equals(other.timeout) && Objects.equals(sourceAddress, other.sourceAddress)
                && extraHeaders.equals(other.extraHeaders) && Objects.equals(countedHeader, other.countedHeader)
                && Objects.equals(tls, other.tls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(target, hostHeader, path, method, Arrays.hashCode(body), contentType, rate, duration,
                connections, timeout, sourceAddress, extraHeaders, countedHeader, tls);
    }

    @Override
    public String toString() {
        return method + " " + url() + " at " + target.getAddress().getHostAddress() + ":" + target.getPort()
                + ", " + rate + "/s for " + duration.toMillis() + " ms, " + connections + " connections, timeout "
                + timeout.toMillis() + " ms" + (countedHeader == null ? "" : ", counting " + countedHeader)
                + (tls == null ? "" : ", over TLS");
    }

    /** The same load aimed at another address: the Host header and everything else stay as they are. */
    public LoadConfig withTarget(InetSocketAddress newTarget) {
        return new LoadConfig(newTarget, hostHeader, path, method, body, contentType, rate, duration, connections,
                timeout, sourceAddress, extraHeaders, countedHeader, tls);
    }

    /** A builder whose Host header defaults to the target's address (with its port when not 80). */
    public static Builder builder(InetSocketAddress target) {
        return new Builder(target);
    }

    /** Mutable builder; {@link #build()} checks and freezes. */
    public static final class Builder {
        private final InetSocketAddress target;
        private String hostHeader;
        private String path = "/";
        private String method = "GET";
        private byte[] body;
        private String contentType;
        private int rate;
        private Duration duration;
        private int connections = DEFAULT_CONNECTIONS;
        private Duration timeout = DEFAULT_TIMEOUT;
        private InetAddress sourceAddress;
        private final List<Header> extraHeaders = new ArrayList<>();
        private String countedHeader;
        private io.netty.handler.ssl.SslContext tls;

        private Builder(InetSocketAddress target) {
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder hostHeader(String v) { this.hostHeader = v; return this; }
        public Builder path(String v) { this.path = v; return this; }
        public Builder method(String v) { this.method = v; return this; }
        public Builder body(byte[] v, String contentType) { this.body = v; this.contentType = contentType; return this; }
        public Builder rate(int v) { this.rate = v; return this; }
        public Builder duration(Duration v) { this.duration = v; return this; }
        public Builder connections(int v) { this.connections = v; return this; }
        public Builder timeout(Duration v) { this.timeout = v; return this; }
        public Builder sourceAddress(InetAddress v) { this.sourceAddress = v; return this; }
        public Builder header(String name, String value) { extraHeaders.add(new Header(name, value)); return this; }

        /**
         * Counts the values of the response header {@code name} (null: none), in the whole run and in each slice
         * of its timeline: {@link LoadReport#headerValues()} and {@link TimelineBucket#headerValues()}. A demo
         * that deploys a new version under load counts "X-App-Version" and sees, second by second, which version
         * answered; behind a load balancer, a header naming the server shows how the requests were spread.
         *
         * <p>Every answered request is counted once, 5xx included, under the value the server sent; field names
         * are case-insensitive (RFC 9110 §5.1), so "x-app-version" counts the same header. An answer without the
         * header is counted under {@link #NO_HEADER_VALUE} ("-"); a header sent on several lines counts as the
         * lines' values joined by ", ", as RFC 9110 §5.3 combines them. Requests that failed get no response and
         * are not counted. Only the first {@link #MAX_HEADER_VALUES} distinct values are counted under their own
         * name, any later one under {@link #OTHER_HEADER_VALUES} ("other"); a server that really sends "-" or
         * "other" is counted with those.
         */
        public Builder countHeader(String name) { this.countedHeader = name; return this; }

        /** HTTPS: every connection starts with a TLS handshake made from {@code context} (see {@code tls} above). */
        public Builder tls(io.netty.handler.ssl.SslContext context) { this.tls = context; return this; }

        public LoadConfig build() {
            String host = hostHeader;
            if (host == null && !target.isUnresolved()) {
                String address = target.getAddress().getHostAddress();
                host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
                if (target.getPort() != 80) {
                    host += ":" + target.getPort();
                }
            }
            return new LoadConfig(target, host, path, method, body, contentType, rate, duration, connections,
                    timeout, sourceAddress, extraHeaders, countedHeader, tls);
        }
    }
}
