package org.foobarstack.httpcodec.response;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The status line and header fields of a response, in the order they will be written. Built with
 * {@link #builder(HttpStatus)}; written by {@link ResponseHeadEncoder}.
 *
 * @param status the status
 * @param fields name/value pairs, names in the case they will be sent
 */
public record HttpResponseHead(HttpStatus status, List<Field> fields) {

    public record Field(String name, String value) {
    }

    public HttpResponseHead {
        fields = Collections.unmodifiableList(new ArrayList<>(fields));
    }

    public static Builder builder(HttpStatus status) {
        return new Builder(status);
    }

    /** The first value of a field, compared case-insensitively, or null. */
    public String get(String name) {
        for (Field field : fields) {
            if (field.name.equalsIgnoreCase(name)) {
                return field.value;
            }
        }
        return null;
    }

    public Builder toBuilder() {
        Builder builder = new Builder(status);
        builder.fields.addAll(fields);
        return builder;
    }

    public static final class Builder {
        private HttpStatus status;
        private final List<Field> fields = new ArrayList<>();

        private Builder(HttpStatus status) {
            this.status = status;
        }

        public Builder status(HttpStatus newStatus) {
            this.status = newStatus;
            return this;
        }

        /** Adds a field line; a name may appear several times (RFC 9110 §5.3). */
        public Builder add(String name, String value) {
            fields.add(new Field(name, value));
            return this;
        }

        /** Adds a field line before all others, for the fields every response starts with (Date, Server). */
        public Builder addFirst(String name, String value) {
            fields.add(0, new Field(name, value));
            return this;
        }

        /** Replaces every line of {@code name} with one. */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        public Builder remove(String name) {
            fields.removeIf(f -> f.name.equalsIgnoreCase(name));
            return this;
        }

        public boolean has(String name) {
            return fields.stream().anyMatch(f -> f.name.equalsIgnoreCase(name));
        }

        public HttpStatus status() {
            return status;
        }

        public HttpResponseHead build() {
            return new HttpResponseHead(status, fields);
        }
    }
}
