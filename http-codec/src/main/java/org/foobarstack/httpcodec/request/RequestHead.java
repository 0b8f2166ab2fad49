package org.foobarstack.httpcodec.request;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A request line and header section to be sent to a server: what a proxy forwards to its backend, or a load
 * generator writes. Written by {@link RequestHeadEncoder}, always as HTTP/1.1.
 *
 * @param method the method token, e.g. "GET"
 * @param target the request-target in origin-form, e.g. "/api/messages?limit=20" (RFC 9112 §3.2.1)
 * @param fields the header field lines in the order they will be written, names in the case they will be sent
 */
public record RequestHead(String method, String target, List<Field> fields) {

    /** One field line. */
    public record Field(String name, String value) {
    }

    public RequestHead {
        fields = Collections.unmodifiableList(new ArrayList<>(fields));
    }

    public static Builder builder(String method, String target) {
        return new Builder(method, target);
    }

    /** The first value of a field, its name compared case-insensitively, or null. */
    public String get(String name) {
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                return field.value;
            }
        }
        return null;
    }

    /** The head as it will go over the wire. */
    @Override
    public String toString() {
        return new String(RequestHeadEncoder.toBytes(this), StandardCharsets.ISO_8859_1);
    }

    public static final class Builder {
        private final String method;
        private final String target;
        private final List<Field> fields = new ArrayList<>();

        private Builder(String method, String target) {
            this.method = method;
            this.target = target;
        }

        /** Adds a field line; a name may appear several times (RFC 9110 §5.3). */
        public Builder add(String name, String value) {
            fields.add(new Field(name, value));
            return this;
        }

        public RequestHead build() {
            return new RequestHead(method, target, fields);
        }
    }
}
