package org.foobarstack.httpcodec.parser;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The header (or trailer) fields of a message, in the order they arrived. Field names are case-insensitive
 * (RFC 9110 §5.1), so they are stored lower-cased; values are kept exactly as received, minus the optional
 * whitespace around them (RFC 9112 §5.1).
 */
public final class HttpFields {

    /** One field line. */
    public record Field(String name, String value) {
    }

    private final List<Field> fields;

    private HttpFields(List<Field> fields) {
        this.fields = fields;
    }

    public static HttpFields of(List<Field> fields) {
        return new HttpFields(Collections.unmodifiableList(new ArrayList<>(fields)));
    }

    public static HttpFields empty() {
        return new HttpFields(List.of());
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Field field : fields) {
            if (field.name.equals(lower)) {
                return field.value;
            }
        }
        return null;
    }

    /** Every value of {@code name}, in order; an empty list (made once, shared) when there is none. */
    public List<String> getAll(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        List<String> values = null;
        for (Field field : fields) {
            if (field.name.equals(lower)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(field.value);
            }
        }
        return values == null ? List.of() : values;
    }

    public int count(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        int n = 0;
        for (Field field : fields) {
            if (field.name.equals(lower)) {
                n++;
            }
        }
        return n;
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    /**
     * True when a comma-separated list field (RFC 9110 §5.6.1) such as Connection holds {@code token}, compared
     * case-insensitively across every line of that field.
     */
    public boolean containsToken(String name, String token) {
        for (String value : getAll(name)) {
            for (String element : value.split(",")) {
                if (element.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    public List<Field> asList() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
