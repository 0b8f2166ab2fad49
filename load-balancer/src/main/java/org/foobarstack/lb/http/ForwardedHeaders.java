package org.foobarstack.lb.http;

import org.foobarstack.httpcodec.parser.BodyFraming;
import org.foobarstack.httpcodec.parser.HttpFields;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.HttpVersion;
import org.foobarstack.httpcodec.parser.ReceivedResponseHead;
import org.foobarstack.httpcodec.parser.RequestTarget;
import org.foobarstack.httpcodec.request.RequestHead;
import org.foobarstack.httpcodec.response.HttpResponseHead;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a proxy changes in the head of each message it passes on, in one place:
 *
 * <ul>
 *   <li><b>Hop-by-hop fields are dropped</b> (RFC 9110 §7.6.1): Connection, and every field it names, Keep-Alive,
 *       Proxy-Connection, TE, Transfer-Encoding, Upgrade, Trailer. They describe one connection, and the
 *       balancer's connection to the server is another one, with its own framing decided here.</li>
 *   <li><b>The client is named</b> for the server, which otherwise sees only the balancer's address:
 *       {@code X-Forwarded-For} (the de facto header, appended to any list already there), and the standard
 *       {@code Forwarded: for=...;by=...;proto=http;host=...} of RFC 7239 (§4; IPv6 addresses quoted and
 *       bracketed, §6). A server must trust these only from its own balancer: anyone can send them.</li>
 *   <li><b>The scheme the client used</b>: {@code X-Forwarded-Proto} and Forwarded's {@code proto=} say
 *       {@code https} for a request that arrived over TLS, {@code http} otherwise. Behind a balancer that
 *       terminates TLS, this is the only way a web server or an application can know the browser used HTTPS
 *       (to build absolute links, or to mark cookies {@code Secure}). A client's own X-Forwarded-Proto is
 *       replaced, not passed on (HAProxy's {@code http-request set-header X-Forwarded-Proto https}): a client
 *       speaking plain HTTP could otherwise claim https.</li>
 *   <li><b>Via</b> records the hop in both directions (RFC 9110 §7.6.3): {@code Via: 1.1 lb-1}.</li>
 *   <li><b>traceparent</b> carries this request's trace to the server as a child (W3C Trace Context §3.2), so
 *       the web tier's hops join the balancer's in one trace.</li>
 *   <li>The response names the server that answered in {@code X-Backend-Server}, as the common HAProxy line
 *       {@code http-response set-header X-Backend-Server %s} does, so that {@code curl -i} shows the balancing.</li>
 *   <li>A response going back over TLS gets {@code Strict-Transport-Security} when the balancer is configured
 *       to send it ({@code http-response set-header Strict-Transport-Security max-age=...}): one set by the
 *       server is replaced, so that the site's policy is decided in one place.</li>
 * </ul>
 * Field names go on lower-cased, as the parser keeps them: names are case-insensitive (RFC 9110 §5.1), and
 * HAProxy sends them lower-cased too (HTTP/2 and HTTP/3 require it).
 */
public final class ForwardedHeaders {

    /** RFC 9110 §7.6.1, and Proxy-Connection, which some clients still send. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "transfer-encoding", "upgrade", "trailer");

    private ForwardedHeaders() {
    }

    /**
     * The head sent to the server for {@code request}.
     *
     * @param client       the client's address
     * @param balancer     the balancer's own address (for {@code Forwarded: by=})
     * @param proto        the scheme the client used: "https" when it came over TLS, else "http"
     * @param via          the balancer's name in Via ("lb-1")
     * @param traceparent  the child trace context header value
     */
    public static RequestHead toServer(HttpRequestHead request, InetAddress client, InetAddress balancer,
                                       String proto, String via, String traceparent) {
        RequestTarget target = request.target();
        // a server gets origin-form (RFC 9112 §3.2.1), without a fragment; an absolute-form target's authority
        // becomes the Host
        String path = target.originForm();
        String host = target.form() == RequestTarget.Form.ABSOLUTE && target.authority() != null
                ? target.authority()
                : request.fields().get("host");
        RequestHead.Builder out = RequestHead.builder(request.method(), path);
        if (host != null) {
            out.add("Host", host);
        }
        Set<String> connectionOptions = connectionOptions(request.fields());
        String forwardedFor = null;
        String forwarded = null;
        String viaBefore = null;
        for (HttpFields.Field field : request.fields().asList()) {
            String name = field.name();
            if (name.equals("host") || HOP_BY_HOP.contains(name) || connectionOptions.contains(name)
                    || name.equals("content-length") || name.equals("expect")
                    || name.equals("traceparent") || name.equals("tracestate")
                    || name.equals("x-forwarded-proto")) {
                continue;
            }
            switch (name) {
                case "x-forwarded-for" -> forwardedFor = join(forwardedFor, field.value());
                case "forwarded" -> forwarded = join(forwarded, field.value());
                case "via" -> viaBefore = join(viaBefore, field.value());
                default -> out.add(name, field.value());
            }
        }
        String clientText = client.getHostAddress();
        out.add("X-Forwarded-For", join(forwardedFor, clientText));
        out.add("X-Forwarded-Proto", proto);
        out.add("Forwarded", join(forwarded, "for=" + node(client) + ";by=" + node(balancer) + ";proto=" + proto
                + (host == null ? "" : ";host=" + quoteIfNeeded(host))));
        out.add("Via", join(viaBefore, "1.1 " + via));
        out.add("traceparent", traceparent);
        switch (request.framing()) {
            case CONTENT_LENGTH -> out.add("Content-Length", Long.toString(request.contentLength()));
            case CHUNKED -> out.add("Transfer-Encoding", "chunked");
            default -> {
                // no body: no framing field (RFC 9112 §6.3, rule 7)
            }
        }
        return out.build();
    }

    /**
     * The head sent to the client for the server's {@code response}.
     *
     * @param clientFraming how the body goes to the client: CONTENT_LENGTH (as the server sent it), CHUNKED
     *                      (re-chunked for an HTTP/1.1 client), UNTIL_CLOSE (for an HTTP/1.0 client), or NONE
     * @param keepAlive     whether the client connection stays open after this response
     * @param clientVersion the client's HTTP version, which decides how keep-alive is said
     * @param strictTransportSecurity the value of {@code Strict-Transport-Security} for a response going back
     *                      over TLS, or null: none is added and the server's, if any, goes on unchanged
     */
    public static HttpResponseHead toClient(ReceivedResponseHead response, BodyFraming clientFraming,
                                            boolean keepAlive, HttpVersion clientVersion, String via,
                                            String serverName, String strictTransportSecurity) {
        HttpResponseHead.Builder out = HttpResponseHead.builder(response.status());
        Set<String> connectionOptions = connectionOptions(response.fields());
        String viaBefore = null;
        for (HttpFields.Field field : response.fields().asList()) {
            String name = field.name();
            if (HOP_BY_HOP.contains(name) || connectionOptions.contains(name)) {
                continue;
            }
            if (name.equals("content-length") && clientFraming != BodyFraming.CONTENT_LENGTH
                    && clientFraming != BodyFraming.NONE) {
                continue;
            }
            if (name.equals("via")) {
                viaBefore = join(viaBefore, field.value());
                continue;
            }
            if (strictTransportSecurity != null && name.equals("strict-transport-security")) {
                continue;
            }
            out.add(name, field.value());
        }
        if (strictTransportSecurity != null) {
            out.add("Strict-Transport-Security", strictTransportSecurity);
        }
        out.add("Via", join(viaBefore, response.version() == HttpVersion.HTTP_1_0 ? "1.0 " + via : "1.1 " + via));
        out.add("X-Backend-Server", serverName);
        if (clientFraming == BodyFraming.CHUNKED) {
            out.add("Transfer-Encoding", "chunked");
        }
        if (!keepAlive) {
            out.add("Connection", "close");
        } else if (clientVersion == HttpVersion.HTTP_1_0) {
            out.add("Connection", "keep-alive");
        }
        return out.build();
    }

    /** The field names a Connection header lists as hop-by-hop options (RFC 9110 §7.6.1), lower-cased. */
    static Set<String> connectionOptions(HttpFields fields) {
        if (!fields.contains("connection")) {
            return Set.of();
        }
        Set<String> options = new HashSet<>();
        for (String value : fields.getAll("connection")) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !t.equals("close") && !t.equals("keep-alive")) {
                    options.add(t);
                }
            }
        }
        return options;
    }

    /** RFC 7239 §6: node = nodename [ ":" node-port ]; an IPv6 address is bracketed, and then must be quoted. */
    static String node(InetAddress address) {
        if (address instanceof Inet6Address) {
            return "\"[" + address.getHostAddress() + "]\"";
        }
        return address.getHostAddress();
    }

    /** A host with a port has a ":", which is not a token character: it must be a quoted-string (RFC 7239 §4). */
    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return value;
    }

    private static String join(String before, String more) {
        return before == null || before.isEmpty() ? more : before + ", " + more;
    }

    /** True for RFC 9110 §9.2.2's idempotent methods: sending one twice has the same effect as once. */
    public static boolean idempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }

    /** Whether this request framing means a body follows. */
    static boolean hasBody(HttpRequestHead request) {
        return request.framing() == BodyFraming.CHUNKED
                || (request.framing() == BodyFraming.CONTENT_LENGTH && request.contentLength() > 0);
    }
}
