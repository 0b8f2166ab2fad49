package org.foobarstack.admin;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.foobarstack.httpcodec.response.HttpResponseHead;
import org.foobarstack.httpcodec.response.HttpStatus;

/**
 * A whole response a route returns: status, the type and bytes of its body, and any header fields of its
 * own (such as {@code Allow} on a 405). The connection handler adds Date, Server, Content-Length and
 * Connection, and leaves the body out for HEAD.
 *
 * @param status       the status
 * @param contentType  the body's media type; null for a response without content (204)
 * @param body         the body's bytes (the whole body: every admin response is small and made in memory)
 * @param cacheControl the Cache-Control value: {@code no-store} for live data, {@code no-cache} for the page
 * @param extraFields  more header fields, in order
 */
public record AdminResponse(HttpStatus status, String contentType, byte[] body, String cacheControl,
                            List<HttpResponseHead.Field> extraFields) {

    public static final String JSON = "application/json; charset=utf-8";
    public static final String NO_STORE = "no-store";

    public AdminResponse {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(body, "body");
        if (contentType == null && body.length > 0) {
            throw new IllegalArgumentException("a body needs its media type");
        }
        Objects.requireNonNull(cacheControl, "cacheControl");
        extraFields = List.copyOf(extraFields);
    }

    public static AdminResponse json(HttpStatus status, String json) {
        return new AdminResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8), NO_STORE, List.of());
    }

    /** 204: done, and nothing to say (RFC 9110 §15.3.5); no Content-Type, no Content-Length. */
    public static AdminResponse noContent() {
        return new AdminResponse(HttpStatus.NO_CONTENT, null, new byte[0], NO_STORE, List.of());
    }

    public static AdminResponse text(HttpStatus status, String contentType, String text) {
        return new AdminResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8), NO_STORE, List.of());
    }

    /** This response with one more header field. */
    public AdminResponse withField(String name, String value) {
        List<HttpResponseHead.Field> more = new ArrayList<>(extraFields);
        more.add(new HttpResponseHead.Field(name, value));
        return new AdminResponse(status, contentType, body, cacheControl, more);
    }
}
