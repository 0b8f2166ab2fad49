package org.foobarstack.app.api;

import org.foobarstack.trace.TraceContext;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request as the application sees it: the CGI meta-variables the web server sent as FastCGI PARAMS
 * (RFC 3875 §4.1), the request body it sent on STDIN, and the two ends of the FastCGI connection it came on.
 *
 * <p>Where the route comes from. Web servers do not agree on which params carry the path, so {@link #path()} is
 * liberal and takes the first of these that is present and non-empty:
 * <ol>
 *   <li>{@code SCRIPT_NAME} + {@code PATH_INFO} (RFC 3875 §4.1.13 and §4.1.5): what a CGI program is promised;
 *       nginx's {@code fastcgi_params} sends SCRIPT_NAME as the whole path when no split is configured;</li>
 *   <li>{@code DOCUMENT_URI} (nginx): the path after internal rewrites;</li>
 *   <li>{@code REQUEST_URI} up to its {@code ?} (nginx, Apache, php-fpm practice): the path as the client sent it.</li>
 * </ol>
 * The query string is {@code QUERY_STRING} (RFC 3875 §4.1.7), or else the part of REQUEST_URI after {@code ?}.
 *
 * @param params        every param, in the order received; names are case-sensitive, as in CGI
 * @param body          the whole STDIN stream (the responder enforces its size limit before calling the app)
 * @param localAddress  the app server's end of the FastCGI connection
 * @param remoteAddress the web server's end of the FastCGI connection (not the browser: see {@code REMOTE_ADDR})
 * @param trace         the request's place in a trace: the W3C {@code traceparent} the web server sent as the
 *                      {@code HTTP_TRACEPARENT} param, or a fresh one when it sent none or an invalid one; the
 *                      application records its own hops (SQL statements) under {@code trace.traceId()}
 */
public record AppRequest(Map<String, String> params, byte[] body, InetSocketAddress localAddress,
                         InetSocketAddress remoteAddress, TraceContext trace) {

    /** The CGI param that carries the {@code traceparent} request header (RFC 3875 §4.1.18). */
    public static final String TRACEPARENT_PARAM = "HTTP_TRACEPARENT";

    public AppRequest {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        body = body == null ? new byte[0] : body;
        trace = trace == null ? TraceContext.parseOrFresh(params.get(TRACEPARENT_PARAM)) : trace;
    }

    /** A request whose trace context is read from its {@code HTTP_TRACEPARENT} param (or fresh). */
    public AppRequest(Map<String, String> params, byte[] body, InetSocketAddress localAddress,
                      InetSocketAddress remoteAddress) {
        this(params, body, localAddress, remoteAddress, null);
    }

    /** A request with these params and body, for tests and for applications calling each other. */
    public static AppRequest of(Map<String, String> params, byte[] body) {
        return new AppRequest(params, body, null, null);
    }

    /** A param's value, or null when the web server did not send it. */
    public String param(String name) {
        return params.get(name);
    }

    public String param(String name, String defaultValue) {
        String value = params.get(name);
        return value == null ? defaultValue : value;
    }

    /** REQUEST_METHOD (RFC 3875 §4.1.12), upper case; GET when absent, as for a CGI program run by hand. */
    public String method() {
        return param("REQUEST_METHOD", "GET").toUpperCase(Locale.ROOT);
    }

    /** The route, as described in the class comment; "/" when no param names one. */
    public String path() {
        String script = param("SCRIPT_NAME", "");
        String pathInfo = param("PATH_INFO", "");
        if (!(script + pathInfo).isEmpty()) {
            return script + pathInfo;
        }
        String documentUri = param("DOCUMENT_URI", "");
        if (!documentUri.isEmpty()) {
            return documentUri;
        }
        String requestUri = param("REQUEST_URI", "");
        int query = requestUri.indexOf('?');
        String path = query < 0 ? requestUri : requestUri.substring(0, query);
        return path.isEmpty() ? "/" : path;
    }

    /** QUERY_STRING, or the part of REQUEST_URI after '?', or "". */
    public String queryString() {
        String query = param("QUERY_STRING");
        if (query != null) {
            return query;
        }
        String requestUri = param("REQUEST_URI", "");
        int mark = requestUri.indexOf('?');
        return mark < 0 ? "" : requestUri.substring(mark + 1);
    }

    /** The query string decoded as application/x-www-form-urlencoded; the first occurrence of a name wins. */
    public Map<String, String> queryParameters() {
        return decodeForm(queryString());
    }

    /**
     * An HTTP request header, which CGI passes as {@code HTTP_} + the name in upper case with '-' as '_'
     * (RFC 3875 §4.1.18).
     */
    public Optional<String> header(String httpHeaderName) {
        String name = "HTTP_" + httpHeaderName.toUpperCase(Locale.ROOT).replace('-', '_');
        return Optional.ofNullable(params.get(name));
    }

    /** CONTENT_TYPE (RFC 3875 §4.1.3), or "" when the request has none. */
    public String contentType() {
        return param("CONTENT_TYPE", "");
    }

    /** The body as a stream, for applications that read it incrementally. */
    public InputStream bodyStream() {
        return new ByteArrayInputStream(body);
    }

    /** Decodes {@code a=1&b=x%20y} as UTF-8; names without '=' get "". */
    public static Map<String, String> decodeForm(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String part : encoded.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            values.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                    URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    @Override
    public String toString() {
        return "AppRequest{" + method() + " " + path() + ", " + params.size() + " params, " + body.length
                + " body bytes}";
    }
}
