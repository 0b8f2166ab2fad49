package org.foobarstack.walk;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.foobarstack.trace.TraceContext;
import org.xbill.DNS.Address;

/**
 * What to walk: the URL and the request to send, like curl's {@code -X}, {@code -d}, {@code -H}, plus
 * which DNS server to ask and where to fetch the server side of the trace. Immutable; build with
 * {@link #builder(String)}.
 *
 * @param traceApi          the admin server to fetch the server side from, or null for none
 * @param traceApiIsDefault true when nobody named {@code traceApi}: it is only where the stack's admin server
 *                          listens by default, so finding nothing there is worth one line, not an error
 * @param packets           capture the walk's own packets on the loopback interface and show their headers
 *                          ({@code --packets}; needs root and tcpdump)
 * @param tokenFile         the stack's admin token ({@code data/admin.token}), which the admin server asks for
 *                          before it takes the packets for its dashboard ({@link PacketsUpload})
 */
public record WalkRequest(URI url, String method, List<Header> headers, String data, InetSocketAddress dns,
                          URI traceApi, boolean traceApiIsDefault, Path caCert, Duration timeout,
                          int maxBodyShown, boolean packets, Path tokenFile) {

    /** Where a stack started with its defaults keeps its admin token: its data directory is {@code data}. */
    public static final Path DEFAULT_TOKEN_FILE = Path.of("data", "admin.token");

    /** Our DNS server's default address (the dns-server tier's default). */
    public static final InetSocketAddress DEFAULT_DNS = new InetSocketAddress("127.0.0.1", 5300);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_BODY_SHOWN = 2048;

    /** One {@code -H 'Name: value'}. */
    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 0x7f)) {
                throw new IllegalArgumentException("not a header name (RFC 9110 §5.1 token): \"" + name + "\"");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a header value cannot contain CR or LF (RFC 9110 §5.5): " + name);
            }
        }

        /** Parses curl's {@code "Name: value"} form. */
        public static Header parse(String line) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("a header is written 'Name: value', not \"" + line + "\"");
            }
            return new Header(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
    }

    public WalkRequest {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("walk follows http:// and https:// URLs, not: " + url);
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("the URL has no host: " + url);
        }
        headers = List.copyOf(headers);
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(TraceContext.HEADER)) {
                // A trace id given by hand must be valid: say which W3C rule it breaks now, not after the walk.
                TraceContext.parse(header.value());
            }
        }
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(timeout, "timeout");
    }

    public boolean https() {
        return url.getScheme().equalsIgnoreCase("https");
    }

    /** The URL's port, or the scheme's default (RFC 9110 §4.2.1, §4.2.2). */
    public int port() {
        return url.getPort() >= 0 ? url.getPort() : (https() ? 443 : 80);
    }

    /** The host without IPv6 brackets. */
    public String host() {
        String host = url.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public static Builder builder(String url) {
        return new Builder(URI.create(url));
    }

    public static final class Builder {
        private final URI url;
        private String method;
        private final List<Header> headers = new ArrayList<>();
        private String data;
        private InetSocketAddress dns = DEFAULT_DNS;
        private URI traceApi;
        private boolean traceApiIsDefault;
        private Path caCert;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxBodyShown = DEFAULT_MAX_BODY_SHOWN;
        private boolean packets;
        private Path tokenFile = DEFAULT_TOKEN_FILE;

        private Builder(URI url) {
            this.url = url;
        }

        public Builder method(String method) {
            this.method = method;
            return this;
        }

        public Builder header(String line) {
            headers.add(Header.parse(line));
            return this;
        }

        public Builder data(String data) {
            this.data = data;
            return this;
        }

        public Builder dns(InetSocketAddress dns) {
            this.dns = dns;
            return this;
        }

        /**
         * Parses {@code address:port} (port defaults to 53), e.g. {@code 127.0.0.1:5300} or {@code [::1]:5300}.
         * The address must be an IP address: naming the DNS server by name would need a DNS lookup.
         */
        public Builder dns(String addressPort) {
            String host = addressPort;
            int port = 53;
            int colon = addressPort.lastIndexOf(':');
            boolean bareIpv6 = addressPort.indexOf(':') != colon && !addressPort.startsWith("[");
            if (colon >= 0 && !bareIpv6) {
                host = addressPort.substring(0, colon);
                try {
                    port = Integer.parseInt(addressPort.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("the DNS server's port is not a number: " + addressPort);
                }
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            byte[] address = Address.toByteArray(host, Address.IPv4);
            if (address == null) {
                address = Address.toByteArray(host, Address.IPv6);
            }
            if (address == null) {
                throw new IllegalArgumentException("the DNS server must be an IP address and port, e.g."
                        + " 127.0.0.1:5300, not: " + addressPort);
            }
            try {
                return dns(new InetSocketAddress(InetAddress.getByAddress(address), port));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + host, e);
            }
        }

        /** The admin server named on the command line ({@code --trace-api}); null fetches nothing. */
        public Builder traceApi(String baseUrl) {
            this.traceApi = baseUrl == null ? null : URI.create(baseUrl);
            this.traceApiIsDefault = false;
            return this;
        }

        /**
         * Where the stack's admin server listens when nobody says otherwise, as the DNS server has its default.
         * The walk asks it; if nothing answers there, the journey says so in one line.
         */
        public Builder defaultTraceApi(String baseUrl) {
            this.traceApi = URI.create(baseUrl);
            this.traceApiIsDefault = true;
            return this;
        }

        public Builder caCert(Path pem) {
            this.caCert = pem;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder maxBodyShown(int max) {
            this.maxBodyShown = max;
            return this;
        }

        /** Capture the walk's packets with tcpdump and show each one's headers, layer by layer. */
        public Builder packets(boolean packets) {
            this.packets = packets;
            return this;
        }

        /** The file holding the stack's admin token, for sending the packets to its dashboard. */
        public Builder tokenFile(Path file) {
            this.tokenFile = file == null ? DEFAULT_TOKEN_FILE : file;
            return this;
        }

        public WalkRequest build() {
            // Like curl: -d without -X means POST, otherwise GET.
            String m = method != null ? method.toUpperCase(Locale.ROOT) : (data != null ? "POST" : "GET");
            return new WalkRequest(url, m, headers, data, dns, traceApi, traceApiIsDefault, caCert, timeout,
                    maxBodyShown, packets, tokenFile);
        }
    }
}
