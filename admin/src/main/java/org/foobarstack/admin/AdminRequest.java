package org.foobarstack.admin;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.foobarstack.httpcodec.parser.HttpRequestHead;

/**
 * What a route needs to know of a request: its method, its path, its query parameters, its credentials and,
 * for the one route that reads one, its body.
 *
 * @param method the method token ("GET", "HEAD")
 * @param path   the path of the request-target, still percent-encoded ("/api/traces/4bf92f35"); "*" for the
 *               asterisk form
 * @param query  the query parameters, decoded (RFC 3986 §3.4, form-style {@code name=value&...}); the first
 *               value of a repeated name wins
 * @param authorization the Authorization header field's value, or null: the routes that change anything
 *               require the stack's token as {@code Bearer <token>} (RFC 6750 §2.1)
 * @param body   the request's content, whole; empty when it had none, and for every route that reads none
 *               ({@link AdminRoutes#bodyLimit}), whose bodies the connection handler discards unread
 */
public record AdminRequest(String method, String path, Map<String, String> query, String authorization,
                           byte[] body) {

    private static final byte[] NO_BODY = new byte[0];

    public AdminRequest {
        query = Map.copyOf(query);
        body = body == null ? NO_BODY : body;
    }

    /** A request without a body. */
    public AdminRequest(String method, String path, Map<String, String> query, String authorization) {
        this(method, path, query, authorization, NO_BODY);
    }

    /** A request without credentials or body. */
    public AdminRequest(String method, String path, Map<String, String> query) {
        this(method, path, query, null, NO_BODY);
    }

    /** The request as the shared parser decoded its head; its body, if read, is added by {@link #withBody}. */
    public static AdminRequest of(HttpRequestHead head) {
        String path = head.target().path() == null ? "*" : head.target().path();
        return new AdminRequest(head.method(), path, parseQuery(head.target().query()),
                head.fields().get("authorization"));
    }

    /** This request with the content that followed its head. */
    public AdminRequest withBody(byte[] content) {
        return new AdminRequest(method, path, query, authorization, content);
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
