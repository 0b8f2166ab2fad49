package org.foobarstack.monitoring;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.foobarstack.httpcodec.parser.HttpFields;
import org.foobarstack.httpcodec.parser.HttpRequestHead;

/**
 * One request as the routes see it: method, path, the decoded query parameters, the header fields, where it came
 * from, and the body (empty but for a push).
 *
 * @param query the query parameters, percent-decoded; null when the query is not valid percent-encoding (the
 *              routes answer 400)
 */
record MonitoringRequest(String method, String path, Map<String, String> query, HttpFields fields,
                         InetAddress client, byte[] body) {

    static MonitoringRequest of(HttpRequestHead head, InetAddress client) {
        String path = head.target().path() == null ? head.target().raw() : head.target().path();
        return new MonitoringRequest(head.method(), path, decodeQuery(head.target().query()), head.fields(), client,
                new byte[0]);
    }

    MonitoringRequest withBody(byte[] newBody) {
        return new MonitoringRequest(method, path, query, fields, client, newBody);
    }

    /** "host=web-server-1&metric=foobar_http_requests_total" to a map; the first of a repeated name wins. */
    private static Map<String, String> decodeQuery(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        try {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return params;
    }
}
