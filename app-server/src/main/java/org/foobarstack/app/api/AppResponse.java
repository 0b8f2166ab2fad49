package org.foobarstack.app.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an application answers: an HTTP status, header fields and a body. The responder writes it as a CGI
 * response (RFC 3875 §6): a {@code Status:} line, the header fields, an empty line, the body, all on STDOUT.
 *
 * <p>Immutable; build one with {@link #builder(int)}:
 * <pre>
 *   AppResponse.builder(201).header("Location", "/api/messages/7").body("application/json", bytes).build()
 * </pre>
 *
 * @param status  the HTTP status code, 100..599
 * @param headers header fields in the order they will be written
 * @param body    the body bytes
 */
public record AppResponse(int status, List<Header> headers, byte[] body) {

    /** One header field. Names and values may not contain CR or LF: they would end the header early. */
    public record Header(String name, String value) {
        public Header {
            if (name.isEmpty() || containsLineBreak(name) || containsLineBreak(value) || name.indexOf(':') >= 0) {
                throw new IllegalArgumentException("invalid header field: " + name);
            }
        }

        private static boolean containsLineBreak(String text) {
            return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0;
        }
    }

    /** Reason phrases of the statuses this project uses (RFC 9110 §15). */
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(204, "No Content"),
            Map.entry(400, "Bad Request"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(413, "Content Too Large"), Map.entry(415, "Unsupported Media Type"),
            Map.entry(422, "Unprocessable Content"), Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(500, "Internal Server Error"), Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"));

    public AppResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 100..599, got " + status);
        }
        headers = List.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    public static Builder builder(int status) {
        return new Builder(status);
    }

    /** The reason phrase for the Status line, e.g. "Created" for 201. */
    public String reason() {
        return REASONS.getOrDefault(status, status < 400 ? "OK" : "Error");
    }

    /** The first header field with this name (case-insensitive), or null. */
    public String header(String name) {
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.value();
            }
        }
        return null;
    }

    /** A copy of this response with one more header field at the end. */
    public AppResponse withHeader(String name, String value) {
        List<Header> more = new ArrayList<>(headers.size() + 1);
        more.addAll(headers);
        more.add(new Header(name, value));
        return new AppResponse(status, more, body);
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public static final class Builder {
        private final int status;
        private final List<Header> headers = new ArrayList<>();
        private byte[] body = new byte[0];

        private Builder(int status) {
            this.status = status;
        }

        public Builder header(String name, String value) {
            headers.add(new Header(name, value));
            return this;
        }

        /** Sets the body and its Content-Type. */
        public Builder body(String contentType, byte[] body) {
            headers.add(new Header("Content-Type", contentType));
            this.body = body;
            return this;
        }

        public AppResponse build() {
            return new AppResponse(status, headers, body);
        }
    }
}
