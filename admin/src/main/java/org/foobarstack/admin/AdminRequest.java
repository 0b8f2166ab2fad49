package org.foobarstack.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.foobarstack.httpcodec.parser.HttpRequestHead;

/**
 * What a route needs to know of a request: its method, its path and its query parameters.
 *
 * @param method the method token ("GET", "HEAD")
 * @param path   the path of the request-target, still percent-encoded ("/api/traces/4bf92f35"); "*" for the
 *               asterisk form
 * @param query  the query parameters, decoded (RFC 3986 §3.4, form-style {@code name=value&...}); the first
 *               value of a repeated name wins
 * @param authorization the Authorization header field's value, or null: the routes that change anything
 *               require the stack's token as {@code Bearer <token>} (RFC 6750 §2.1)
 */
public record AdminRequest(String method, String path, Map<String, String> query, String authorization) {

    public AdminRequest {
        query = Map.copyOf(query);
    }

    /** A request without credentials. */
    public AdminRequest(String method, String path, Map<String, String> query) {
        this(method, path, query, null);
    }

    /** The request as the shared parser decoded it. */
    public static AdminRequest of(HttpRequestHead head) {
        String path = head.target().path() == null ? "*" : head.target().path();
        return new AdminRequest(head.method(), path, parseQuery(head.target().query()),
                head.fields().get("authorization"));
    }

    static Map<String, String> parseQuery(String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            try {
                parameters.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException badEscape) {
                // a broken %-escape: keep the raw text, so that the route can say what it did not understand
                parameters.putIfAbsent(name, value);
            }
        }
        return parameters;
    }

    public String parameter(String name) {
        return query.get(name);
    }
}
