package org.foobarstack.loadgen.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The URL on the command line, taken apart: {@code http[s]://HOST[:PORT]/PATH[?QUERY]}.
 *
 * @param https        whether the URL is https: every connection then starts with a TLS handshake
 * @param host         the host as written, without the brackets of an IPv6 literal
 * @param port         the port, 80 (443 for https) when the URL names none
 * @param pathAndQuery the request-target to send, "/" when the URL has no path
 */
record TargetUrl(boolean https, String host, int port, String pathAndQuery) {

    /**
     * @throws IllegalArgumentException with a message for the user when {@code text} is not an http or https URL
     */
    static TargetUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + text + " (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> { }
            case "" -> throw new IllegalArgumentException("the URL needs a scheme: http://HOST[:PORT]/PATH, not "
                    + text);
            default -> throw new IllegalArgumentException("not an http URL: " + text);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host name in " + text);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new TargetUrl(https, host, port, path + query);
    }

    /** The Host header: the host as the URL names it, with the port when it is not the scheme's (RFC 9110 §7.2). */
    String hostHeader() {
        String name = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == (https ? 443 : 80) ? name : name + ":" + port;
    }
}
