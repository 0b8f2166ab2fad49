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
        // indexed loops here and below: these run for every message, and an iterator is one more object each
        for (int i = 0; i < fields.size(); i++) {
            Field field = fields.get(i);
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
        for (int i = 0; i < fields.size(); i++) {
            Field field = fields.get(i);
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
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name.equals(lower)) {
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
        String lower = name.toLowerCase(Locale.ROOT);
        for (int i = 0; i < fields.size(); i++) {
            Field field = fields.get(i);
            if (field.name.equals(lower) && listContains(field.value, token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether "a, b ,c" holds {@code token} as one of its elements, ignoring case and the spaces around each. */
    private static boolean listContains(String list, String token) {
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            int from = start;
            int to = end;
            while (from < to && (list.charAt(from) == ' ' || list.charAt(from) == '\t')) {
                from++;
            }
            while (to > from && (list.charAt(to - 1) == ' ' || list.charAt(to - 1) == '\t')) {
                to--;
            }
            if (to - from == token.length() && list.regionMatches(true, from, token, 0, token.length())) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            start = comma + 1;
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
