package org.foobarstack.lb.http;

import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.RequestTarget;

/**
 * Where a plain-HTTP request is sent when the balancer redirects to HTTPS, HAProxy's
 * {@code http-request redirect scheme https code 301}: the same host and the same path and query, with the
 * scheme https and the HTTPS port.
 *
 * <pre>
 *   GET /news?page=2 HTTP/1.1            301 Moved Permanently
 *   Host: www.foobar.com:8080      →     Location: https://www.foobar.com:8443/news?page=2
 * </pre>
 * The Host's port is the plain one and is dropped; the HTTPS port is added unless it is 443, https's default
 * (RFC 9110 §4.2.2), which a URL leaves out.
 */
final class HttpsRedirect {

    private static final int DEFAULT_HTTPS_PORT = 443;

    private HttpsRedirect() {
    }

    /**
     * @param fallbackHost the address the client connected to, for a request without a Host (HTTP/1.0)
     * @param httpsPort    the port the HTTPS listener is bound to
     */
    static String location(HttpRequestHead request, String fallbackHost, int httpsPort) {
        RequestTarget target = request.target();
        String authority = target.form() == RequestTarget.Form.ABSOLUTE && target.authority() != null
                ? target.authority()
                : request.fields().get("host");
        String host = authority == null || authority.isBlank() ? bracketed(fallbackHost) : withoutPort(authority);
        String path = target.form() == RequestTarget.Form.ASTERISK ? "/" : target.originForm();
        return "https://" + host + (httpsPort == DEFAULT_HTTPS_PORT ? "" : ":" + httpsPort) + path;
    }

    /** "www.foobar.com:8080" → "www.foobar.com"; "[::1]:8080" → "[::1]" (RFC 3986 §3.2.2). */
    static String withoutPort(String authority) {
        String trimmed = authority.trim();
        if (trimmed.startsWith("[")) {
            int close = trimmed.indexOf(']');
            return close < 0 ? trimmed : trimmed.substring(0, close + 1);
        }
        int colon = trimmed.lastIndexOf(':');
        return colon < 0 ? trimmed : trimmed.substring(0, colon);
    }

    /** An IPv6 address in a URL goes in brackets (RFC 3986 §3.2.2). */
    private static String bracketed(String address) {
        return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    }

    /** The short page that goes with the 301, for a client that does not follow it by itself. */
    static String page(String location) {
        String escaped = location.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
        return "<!DOCTYPE html>\n<title>301 Moved Permanently</title>\n<p>This site is served over HTTPS: <a href=\""
                + escaped + "\">" + escaped + "</a></p>\n";
    }
}
