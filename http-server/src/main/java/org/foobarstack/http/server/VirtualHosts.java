package org.foobarstack.http.server;

import io.netty.buffer.Unpooled;
import org.foobarstack.httpcodec.parser.HttpRequestHead;
import org.foobarstack.httpcodec.parser.RequestTarget;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

import java.util.Locale;

/**
 * Which site a request is for. The host comes from an absolute-form target when there is one, else from the Host
 * header (RFC 9112 §3.2.2, §7.2 of RFC 9110); its port is dropped and its case folded.
 *
 * <ul>
 *   <li>{@code www.foobar.com}: the site.</li>
 *   <li>{@code foobar.com} (the apex): the same site, or, with the redirect option, a 301 to the same path on
 *       www.foobar.com. A site must pick one canonical name; the redirect shows that choice on the wire.</li>
 *   <li>any other host (127.0.0.1, localhost, a name pointed here by someone else): the same site, as the default
 *       server, like nginx's {@code default_server}, so that curl against the bare address works.</li>
 * </ul>
 */
public final class VirtualHosts {

    private final String apex;
    private final String www;
    private final boolean redirectApexToWww;

    public VirtualHosts(String siteDomain, boolean redirectApexToWww) {
        this.apex = siteDomain.toLowerCase(Locale.ROOT);
        this.www = "www." + apex;
        this.redirectApexToWww = redirectApexToWww;
    }

    /** The host a request names, without port, lower-case; empty when it names none (HTTP/1.0 without Host). */
    public static String hostOf(HttpRequestHead request) {
        String authority = request.target().form() == RequestTarget.Form.ABSOLUTE
                ? request.target().authority()
                : request.fields().get("host");
        if (authority == null) {
            return "";
        }
        return stripPort(authority).toLowerCase(Locale.ROOT);
    }

    /** The port part of the Host header or authority, including its colon, or "". */
    static String portSuffix(HttpRequestHead request) {
        String authority = request.target().form() == RequestTarget.Form.ABSOLUTE
                ? request.target().authority()
                : request.fields().get("host");
        if (authority == null) {
            return "";
        }
        int close = authority.lastIndexOf(']');
        int colon = authority.lastIndexOf(':');
        return colon > close ? authority.substring(colon) : "";
    }

    private static String stripPort(String authority) {
        int close = authority.lastIndexOf(']');
        int colon = authority.lastIndexOf(':');
        return colon > close ? authority.substring(0, colon) : authority;
    }

    /** Answers with 301 and returns true when the request is for the apex and the redirect is on. */
    boolean redirectIfNeeded(HttpExchange exchange) {
        if (!redirectApexToWww || !hostOf(exchange.request()).equals(apex)) {
            return false;
        }
        HttpRequestHead request = exchange.request();
        String location = (exchange.isSecure() ? "https://" : "http://") + www + portSuffix(request)
                + request.target().originForm();
        String body = "Moved to " + location + "\n";
        exchange.respond(HttpResponseHead.builder(HttpStatus.MOVED_PERMANENTLY)
                        .add("Location", location)
                        .add("Content-Type", "text/plain; charset=utf-8"),
                Unpooled.copiedBuffer(body, java.nio.charset.StandardCharsets.UTF_8));
        return true;
    }
}
